"""The plans pages: run a week, follow it, review it, override, approve, compare."""

from __future__ import annotations

from collections import Counter
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from planner.domain.clock import today
from planner.domain.vocabulary import ALERT_KIND_NAMES, Rosh, RunStatus, UserRole
from planner.domain.weeks import IsoWeek
from planner.extensions import db
from planner.models import Forecast, PlanRun, ProposedAssignment, StaffMember
from planner.models.policy import load_policy
from planner.plans.approval import ApprovalRefused, approval_problem, approve
from planner.plans.batch import FINISHED, RunRefused, fail_interrupted_runs, start_run
from planner.plans.forms import (
    NOBODY,
    AgencyForm,
    LookAheadForm,
    OverrideForm,
    RiskForm,
    RunForm,
    SickForm,
)
from planner.plans.launcher import launch
from planner.plans.lookahead import LOOK_AHEAD_SECONDS, start_forecast
from planner.plans.overrides import OverrideRefused, candidates, override
from planner.plans.review import KINDS, Proposal, review, stored_problem
from planner.plans.staffing import staffing_ask
from planner.plans.whatif import Change, try_change
from planner.web.forms import ConfirmForm
from planner.web.security import role_required
from planner.web.templating import govuk_date

blueprint = Blueprint("plans", __name__, url_prefix="/plans")

WEEKS_OFFERED = 5
# Rows of one kind a review lists at once; filters by region or site narrow a national run.
SECTION_LIMIT = 300


def _weeks() -> list[tuple[str, str]]:
    """This week and the next few, as options."""
    this = IsoWeek.containing(today())
    weeks = [this.plus(offset) for offset in range(WEEKS_OFFERED)]
    return [(str(week), f"{week} (from {govuk_date(week.monday)})") for week in weeks]


def _sentence(text: str) -> str:
    """A message as a sentence: its first letter upper case, the rest as it was."""
    return text[:1].upper() + text[1:]


def _run(run_id: int) -> PlanRun:
    """The run, or 404."""
    return db.session.get(PlanRun, run_id) or abort(404)


@blueprint.route("/")
def index() -> ResponseReturnValue:
    """The runs, newest first, and the form that starts one."""
    fail_interrupted_runs(db.session)
    form = RunForm(weeks=_weeks())
    if not form.is_submitted():
        form.week.data = str(IsoWeek.containing(today()).plus(1))
        form.time_limit.data = int(load_policy(db.session).time_limit_seconds)
    return render_template("plans/index.html", runs=_recent_runs(), form=form)


@blueprint.route("/run", methods=["POST"])
@role_required(UserRole.MANAGER)
def run() -> ResponseReturnValue:
    """Start a run of a week; its work happens in another process."""
    form = RunForm(weeks=_weeks())
    if form.validate_on_submit():
        week = IsoWeek.parse(form.week.data)
        try:
            started = start_run(
                db.session,
                week,
                form.solver.data,
                float(form.time_limit.data),
                current_user,
                current_user.username,
            )
        except RunRefused as refusal:
            form.week.errors.append(_sentence(str(refusal)))
        else:
            launch(["plan", "--run-id", str(started.id)], f"run-{started.id}")
            return redirect(url_for("plans.show", run_id=started.id))
    return render_template("plans/index.html", runs=_recent_runs(), form=form), 200


def _recent_runs() -> list[PlanRun]:
    """The last hundred runs, newest first."""
    return list(db.session.scalars(PlanRun.listed().order_by(PlanRun.id.desc()).limit(100)))


@blueprint.route("/<int:run_id>")
def show(run_id: int) -> ResponseReturnValue:
    """A run: its progress while it runs, its failure, or its review."""
    plan_run = _run(run_id)
    if plan_run.status == RunStatus.RUNNING:
        fail_interrupted_runs(db.session)
    if plan_run.status in (RunStatus.RUNNING, RunStatus.FAILED, RunStatus.ERROR):
        return render_template("plans/progress.html", run=plan_run)
    proposals, loads = review(db.session, plan_run)
    filters = {name: request.args.get(name, "") for name in ("region", "site", "risk")}
    shown = [p for p in proposals if _matches(p, filters)]
    grouped = {kind: [p for p in shown if p.kind == kind] for kind in KINDS}
    # What has not changed is listed only when asked for: at national scale it is thousands.
    show_unchanged = request.args.get("unchanged") == "show"
    policy = load_policy(db.session)
    changed = [
        load
        for load in loads
        if load.before != load.after or (load.after or 0.0) > policy.safe_workload
    ]
    regions = sorted({p.case.site.region.name for p in proposals})
    sites = sorted({p.case.site.code for p in proposals})
    return render_template(
        "plans/review.html",
        run=plan_run,
        grouped=grouped,
        show_unchanged=show_unchanged,
        limit=SECTION_LIMIT,
        counts=Counter(p.kind for p in proposals),
        loads=sorted(changed, key=lambda load: -(load.after or 0.0)),
        filters=filters,
        regions=regions,
        sites=sites,
        risks=list(reversed(Rosh)),
        approval_problem=approval_problem(db.session, plan_run),
        policy=policy,
    )


def _matches(proposal: Proposal, filters: dict[str, str]) -> bool:
    """Whether a proposal's case passes the chosen filters."""
    case = proposal.case
    return (
        (not filters["region"] or case.site.region.name == filters["region"])
        and (not filters["site"] or case.site.code == filters["site"])
        and (not filters["risk"] or case.rosh == filters["risk"])
    )


@blueprint.route("/<int:run_id>/proposals/<int:proposal_id>/override", methods=["GET", "POST"])
@role_required(UserRole.MANAGER)
def change(run_id: int, proposal_id: int) -> ResponseReturnValue:
    """Put another eligible person, or nobody, on a need of the run, with a reason."""
    plan_run = _run(run_id)
    proposal = db.session.scalar(
        select(ProposedAssignment)
        .where(ProposedAssignment.id == proposal_id, ProposedAssignment.run_id == run_id)
        .options(joinedload(ProposedAssignment.need))
    )
    if proposal is None or plan_run.status not in FINISHED:
        abort(404)
    people = candidates(db.session, plan_run, proposal)
    options = [(c.staff.staff_ref, c.staff.name) for c in people if c.eligible]
    form = OverrideForm(options=options)
    if request.method == "GET":
        form.person.data = proposal.staff_member.staff_ref if proposal.staff_member else NOBODY
        form.pin.data = proposal.pinned
    if form.validate_on_submit():
        person = None
        if form.person.data != NOBODY:
            person = db.session.scalar(
                select(StaffMember).where(StaffMember.staff_ref == form.person.data)
            )
        try:
            reason, pin = form.reason.data, form.pin.data
            override(db.session, plan_run, proposal, person, reason, pin, current_user)
        except OverrideRefused as refusal:
            form.person.errors.append(_sentence(str(refusal)))
        else:
            db.session.commit()
            who = person.name if person else "nobody"
            flash(f"{proposal.case_reference}: the plan now gives this need to {who}.", "success")
            return redirect(url_for("plans.show", run_id=run_id) + f"#proposal-{proposal.id}")
    return render_template(
        "plans/override.html", run=plan_run, proposal=proposal, candidates=people, form=form
    )


@blueprint.route("/<int:run_id>/approve", methods=["GET", "POST"])
@role_required(UserRole.MANAGER)
def approve_run(run_id: int) -> ResponseReturnValue:
    """Make the run, with its overrides, the current allocation from the start of its week."""
    plan_run = _run(run_id)
    form = ConfirmForm("Approve the plan")
    refusal = approval_problem(db.session, plan_run)
    if form.validate_on_submit() and refusal is None:
        try:
            changes = approve(db.session, plan_run, current_user, current_user.username)
        except ApprovalRefused as error:
            refusal = str(error)
        else:
            db.session.commit()
            flash(
                f"Plan run {plan_run.id} approved: {changes} allocations change from "
                f"{govuk_date(IsoWeek.parse(plan_run.week).monday)}.",
                "success",
            )
            return redirect(url_for("plans.show", run_id=run_id))
    return render_template("plans/approve.html", run=plan_run, form=form, refusal=refusal)


@blueprint.route("/compare")
def compare() -> ResponseReturnValue:
    """Two runs side by side: their figures, and every need they plan differently."""
    ids = [request.args.get(name, "") for name in ("first", "second")]
    if not all(value.isdigit() for value in ids):
        abort(404)
    first, second = (_run(int(value)) for value in ids)
    rows = db.session.scalars(
        select(ProposedAssignment)
        .where(ProposedAssignment.run_id.in_([first.id, second.id]))
        .options(joinedload(ProposedAssignment.staff_member))
    ).all()
    by_need: dict[int, dict[int, ProposedAssignment]] = {}
    for proposal in rows:
        by_need.setdefault(proposal.need_id, {})[proposal.run_id] = proposal
    differences = [
        (pair.get(first.id), pair.get(second.id))
        for pair in by_need.values()
        if _holder(pair.get(first.id)) != _holder(pair.get(second.id))
    ]
    differences.sort(key=lambda pair: next(p for p in pair if p).case_reference)
    return render_template(
        "plans/compare.html", first=first, second=second, differences=differences
    )


def _holder(proposal: ProposedAssignment | None) -> int | None:
    """Who a proposal gives the need to (None for nobody or no proposal)."""
    return proposal.staff_member_id if proposal else None


@blueprint.route("/look-ahead", methods=["GET", "POST"])
def look_ahead() -> ResponseReturnValue:
    """The coming weeks planned in turn, nothing approved: where shortfalls will fall."""
    form = LookAheadForm()
    if request.method == "POST":
        if not current_user.can(UserRole.MANAGER):
            abort(403)
        if form.validate_on_submit():
            try:
                started = start_forecast(
                    db.session,
                    IsoWeek.containing(today()).plus(1),
                    form.weeks.data,
                    "highs",
                    LOOK_AHEAD_SECONDS,
                    current_user,
                    current_user.username,
                )
            except RunRefused as refusal:
                form.weeks.errors.append(_sentence(str(refusal)))
            else:
                launch(["look-ahead", "--forecast-id", str(started.id)], f"look-ahead-{started.id}")
                return redirect(url_for("plans.look_ahead"))
    elif not form.weeks.data:
        form.weeks.data = 12
    forecast = db.session.scalar(select(Forecast).order_by(Forecast.id.desc()).limit(1))
    return render_template("plans/lookahead.html", form=form, forecast=forecast)


@blueprint.route("/<int:run_id>/what-if", methods=["GET", "POST"])
@role_required(UserRole.MANAGER)
def what_if(run_id: int) -> ResponseReturnValue:
    """Try a change on the run's week without saving it, and see the alerts it would bring."""
    plan_run = _run(run_id)
    if plan_run.status not in FINISHED:
        abort(404)
    problem = stored_problem(plan_run)
    names = dict(
        db.session.execute(
            select(StaffMember.staff_ref, StaffMember.name).where(
                StaffMember.staff_ref.in_([s.id for s in problem.staff])
            )
        ).all()
    )
    people = [(s.id, f"{names.get(s.id, s.id)} ({s.id})") for s in problem.staff]
    kind = request.form.get("kind")
    # Only the form that was sent reads what was sent; the others show their defaults.
    sent = {name: request.form if kind == name else None for name in ("sick", "agency", "risk")}
    sick = SickForm(formdata=sent["sick"], staff=people)
    sites = {(s.site, s.region) for s in problem.staff} | {
        (c.site, c.region) for c in problem.cases
    }
    agency = AgencyForm(
        formdata=sent["agency"],
        sites=[(site, f"{site}, {region}") for site, region in sorted(sites)],
    )
    risk = RiskForm(formdata=sent["risk"], references={c.id for c in problem.cases})
    comparison = None
    forms = {"sick": sick, "agency": agency, "risk": risk}
    if kind in forms and forms[kind].validate_on_submit():
        change = _change(kind, forms[kind], dict(sites))
        comparison = try_change(db.session, plan_run, change)
    return render_template(
        "plans/what_if.html",
        run=plan_run,
        sick=sick,
        agency=agency,
        risk=risk,
        comparison=comparison,
        kind=kind,
        kind_names=ALERT_KIND_NAMES,
    )


def _change(kind: str, form: Any, regions: dict[str, str]) -> Change:
    """The change a what-if form describes."""
    if kind == "sick":
        return Change("sick", staff_ref=form.person.data, weeks=form.weeks.data)
    if kind == "agency":
        skills = ("ct_trained",) if form.ct_trained.data else ()
        return Change(
            "agency",
            role=form.role.data,
            grade=form.grade.data,
            site=form.site.data,
            region=regions[form.site.data],
            hours=form.hours.data,
            vetting=form.vetting.data,
            skills=skills,
        )
    return Change("risk", case_reference=form.case.data, rosh=form.rosh.data)


@blueprint.route("/<int:run_id>/staffing-ask")
def staffing(run_id: int) -> ResponseReturnValue:
    """The fewest extra people that would cover the run's high-risk gaps, place by place."""
    plan_run = _run(run_id)
    if plan_run.status not in FINISHED:
        abort(404)
    asks = staffing_ask(plan_run, load_policy(db.session))
    return render_template("plans/staffing.html", run=plan_run, asks=asks)
