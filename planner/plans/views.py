"""The plans pages: run a week and follow it, review, override, approve, compare; the jobs."""

from __future__ import annotations

from collections import Counter

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user

from planner.domain.clock import today
from planner.domain.vocabulary import ALERT_KIND_NAMES, Rosh, UserRole
from planner.domain.weeks import IsoWeek
from planner.extensions import db
from planner.jobs.lifecycle import request_cancel
from planner.jobs.queue import KINDS, enqueue
from planner.models import Forecast, PlanRun, StaffingAsk, WhatIf
from planner.models.access import record_view
from planner.models.jobs import JobMixin
from planner.models.policy import load_policy
from planner.plans import exports, queries
from planner.plans.approval import ApprovalRefused, approval_problem, approve
from planner.plans.batch import RunRefused, queue_run
from planner.plans.forms import (
    NOBODY,
    AgencyForm,
    LookAheadForm,
    OverrideForm,
    RiskForm,
    RunForm,
    SickForm,
)
from planner.plans.lookahead import LOOK_AHEAD_SECONDS, queue_forecast
from planner.plans.overrides import OverrideRefused, candidates, override
from planner.plans.review import KINDS as CHANGE_KINDS
from planner.plans.review import Proposal, review, stored_problem
from planner.plans.staffing import ask_for_staff
from planner.plans.whatif import ask_what_if
from planner.web.forms import ConfirmForm
from planner.web.security import role_required
from planner.web.sessions import polled
from planner.web.templating import govuk_date, sentence

blueprint = Blueprint("plans", __name__, url_prefix="/plans")

WEEKS_OFFERED = 5
# Rows of one kind a review lists at once; filters by region or site narrow a national run.
SECTION_LIMIT = 300


def _weeks() -> list[tuple[str, str]]:
    """This week and the next few, as options."""
    this = IsoWeek.containing(today())
    weeks = [this.plus(offset) for offset in range(WEEKS_OFFERED)]
    return [(str(week), f"{week} (from {govuk_date(week.monday)})") for week in weeks]


def _run(run_id: int) -> PlanRun:
    """The run, or 404."""
    return db.session.get(PlanRun, run_id) or abort(404)


def _finished_run(run_id: int) -> PlanRun:
    """A run that made a plan, or 404."""
    plan_run = _run(run_id)
    return plan_run if plan_run.finished else abort(404)


@blueprint.route("/")
def index() -> ResponseReturnValue:
    """The runs, newest first, and the form that starts one."""
    form = RunForm(weeks=_weeks())
    form.week.data = str(IsoWeek.containing(today()).plus(1))
    form.time_limit.data = int(load_policy(db.session).time_limit_seconds)
    return render_template("plans/index.html", runs=queries.recent_runs(db.session), form=form)


@blueprint.route("/run", methods=["POST"])
@role_required(UserRole.MANAGER)
def run() -> ResponseReturnValue:
    """Queue a run of a week; a job worker does it."""
    form = RunForm(weeks=_weeks())
    if form.validate_on_submit():
        week = IsoWeek.parse(form.week.data)
        try:
            queued = queue_run(
                db.session,
                week,
                form.solver.data,
                float(form.time_limit.data),
                current_user,
                current_user.username,
            )
        except RunRefused as refusal:
            form.week.errors.append(sentence(str(refusal)))
        else:
            enqueue(queued)
            return redirect(url_for("plans.show", run_id=queued.id))
    return render_template("plans/index.html", runs=queries.recent_runs(db.session), form=form)


@blueprint.route("/<int:run_id>")
def show(run_id: int) -> ResponseReturnValue:
    """A run: its progress while it runs, why it ended, or its review."""
    plan_run = _run(run_id)
    if not plan_run.finished:
        return render_template("plans/progress.html", run=plan_run)
    proposals, loads = review(db.session, plan_run)
    filters = {name: request.args.get(name, "") for name in ("region", "site", "risk")}
    shown = [p for p in proposals if _matches(p, filters)]
    grouped = {kind: [p for p in shown if p.kind == kind] for kind in CHANGE_KINDS}
    # What has not changed is listed only when asked for: at national scale it is thousands.
    show_unchanged = request.args.get("unchanged") == "show"
    policy = load_policy(db.session)
    changed = [
        load
        for load in loads
        if load.before != load.after or (load.after or 0.0) > policy.safe_workload
    ]
    return render_template(
        "plans/review.html",
        run=plan_run,
        grouped=grouped,
        show_unchanged=show_unchanged,
        limit=SECTION_LIMIT,
        counts=Counter(p.kind for p in proposals),
        loads=sorted(changed, key=lambda load: -(load.after or 0.0)),
        filters=filters,
        regions=sorted({p.case.site.region.name for p in proposals}),
        sites=sorted({p.case.site.code for p in proposals}),
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
    """Put another eligible person, or nobody, on a need of the run, with the reasons."""
    plan_run = _run(run_id)
    proposal = queries.proposal_of(db.session, plan_run, proposal_id) or abort(404)
    people = candidates(db.session, plan_run, proposal)
    options = [(c.staff.staff_ref, c.staff.name) for c in people if c.eligible]
    form = OverrideForm(options=options)
    if request.method == "GET":
        form.person.data = proposal.staff_member.staff_ref if proposal.staff_member else NOBODY
        form.pin.data = proposal.pinned
        if proposal.overridden:
            form.reasons.data = [reason.value for reason in proposal.override_categories]
            form.detail.data = proposal.override_reason or ""
    if form.validate_on_submit():
        person = None
        if form.person.data != NOBODY:
            person = queries.staff_member(db.session, form.person.data)
        try:
            override(db.session, plan_run, proposal, person, form.chosen_reasons(),
                     form.detail.data or "", form.pin.data, current_user)  # fmt: skip
        except OverrideRefused as refusal:
            form.person.errors.append(sentence(str(refusal)))
        else:
            db.session.commit()
            who = person.name if person else "nobody"
            flash(f"{proposal.case_reference}: the plan now gives this need to {who}.", "success")
            return redirect(url_for("plans.show", run_id=run_id) + f"#proposal-{proposal.id}")
    return render_template(
        "plans/override.html",
        run=plan_run,
        proposal=proposal,
        eligible=[c for c in people if c.eligible],
        ineligible=[c for c in people if not c.eligible],
        form=form,
        policy=load_policy(db.session),
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
    return render_template(
        "plans/compare.html",
        first=first,
        second=second,
        differences=queries.differences(db.session, first, second),
    )


@blueprint.route("/look-ahead", methods=["GET", "POST"])
def look_ahead() -> ResponseReturnValue:
    """The coming weeks planned in turn, nothing approved: where shortfalls will fall."""
    form = LookAheadForm()
    if request.method == "POST":
        if not current_user.can(UserRole.MANAGER):
            abort(403)
        if form.validate_on_submit():
            try:
                queued = queue_forecast(
                    db.session,
                    IsoWeek.containing(today()).plus(1),
                    form.weeks.data,
                    "highs",
                    LOOK_AHEAD_SECONDS,
                    current_user,
                    current_user.username,
                )
            except RunRefused as refusal:
                form.weeks.errors.append(sentence(str(refusal)))
            else:
                enqueue(queued)
                return redirect(url_for("plans.look_ahead"))
    elif not form.weeks.data:
        form.weeks.data = 12
    forecast = queries.latest_forecast(db.session)
    return render_template("plans/lookahead.html", form=form, forecast=forecast)


def _what_if_forms(plan_run: PlanRun) -> dict[str, SickForm | AgencyForm | RiskForm]:
    """The three what-if forms; only the one sent reads what was sent."""
    problem = stored_problem(plan_run)
    names = queries.names(db.session, [s.id for s in problem.staff])
    people = sorted(((s.id, names.get(s.id, s.id)) for s in problem.staff), key=lambda p: p[1])
    regions = {s.site: s.region for s in problem.staff} | {c.site: c.region for c in problem.cases}
    kind = request.form.get("kind") if request.method == "POST" else None
    sent = {name: request.form if kind == name else None for name in ("sick", "agency", "risk")}
    return {
        "sick": SickForm(formdata=sent["sick"], staff=people),
        "agency": AgencyForm(formdata=sent["agency"], regions=regions),
        "risk": RiskForm(formdata=sent["risk"], references={c.id for c in problem.cases}),
    }


@blueprint.route("/<int:run_id>/what-if", methods=["GET", "POST"])
@role_required(UserRole.MANAGER)
def what_if(run_id: int) -> ResponseReturnValue:
    """Try a change on the run's week without saving it; the answer is kept with the run."""
    plan_run = _finished_run(run_id)
    forms = _what_if_forms(plan_run)
    kind = request.form.get("kind")
    if kind in forms and forms[kind].validate_on_submit():
        asked, new = ask_what_if(
            db.session, plan_run, forms[kind].change(), current_user, current_user.username
        )
        if new:
            enqueue(asked)
        return redirect(url_for("plans.what_if_answer", run_id=run_id, what_if_id=asked.id))
    return render_template(
        "plans/what_if.html",
        run=plan_run,
        kind=kind,
        asked=queries.what_ifs_of(db.session, plan_run),
        **forms,
    )


@blueprint.route("/<int:run_id>/what-if/<int:what_if_id>")
def what_if_answer(run_id: int, what_if_id: int) -> ResponseReturnValue:
    """A change tried on a run: its progress, or the plan it would make beside the run's."""
    plan_run = _finished_run(run_id)
    asked = db.session.get(WhatIf, what_if_id)
    if asked is None or asked.run_id != plan_run.id:
        abort(404)
    return render_template(
        "plans/what_if_answer.html", run=plan_run, asked=asked, kind_names=ALERT_KIND_NAMES
    )


@blueprint.route("/<int:run_id>/staffing-ask", methods=["GET", "POST"])
def staffing(run_id: int) -> ResponseReturnValue:
    """The fewest extra people that would cover the run's high-risk gaps, place by place."""
    plan_run = _finished_run(run_id)
    form = ConfirmForm("Work out the staffing ask")
    if request.method == "POST":
        if not current_user.can(UserRole.MANAGER):
            abort(403)
        if form.validate_on_submit():
            asked, new = ask_for_staff(db.session, plan_run, current_user, current_user.username)
            if new:
                enqueue(asked)
        return redirect(url_for("plans.staffing", run_id=run_id))
    ask = queries.staffing_ask_of(db.session, plan_run)
    people = [p for place in (ask.result or []) for p in place["people"]] if ask else []
    references = [case for person in people for case in person["cases"]]
    return render_template(
        "plans/staffing.html",
        run=plan_run,
        ask=ask,
        form=form,
        total_hours=sum(person["hours"] for person in people),
        full_time=load_policy(db.session).full_time_hours,
        case_ids=queries.case_ids(db.session, references),
        site_names=queries.site_names(db.session),
    )


@blueprint.route("/<int:run_id>/staffing-ask.csv")
def staffing_csv(run_id: int) -> ResponseReturnValue:
    """The staffing ask as a spreadsheet, its download audited as an export."""
    plan_run = _finished_run(run_id)
    ask = queries.staffing_ask_of(db.session, plan_run)
    if ask is None or not ask.result:
        abort(404)
    text = exports.staffing_csv(
        ask.result, queries.site_names(db.session), load_policy(db.session).full_time_hours
    )
    summary = f"Downloaded the staffing ask of plan run {run_id}"
    record_view(
        db.session, current_user.username, current_user.id, "export", f"staffing ask {ask.id}",
        summary,
    )  # fmt: skip
    db.session.commit()
    filename = f"staffing-ask-run-{run_id}-{plan_run.week}.csv"
    return Response(
        text,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


# --- Jobs: their progress, for the pages' script, and cancelling them ----------------------


def _job(kind: str, job_id: int) -> JobMixin:
    """A job of a kind, or 404."""
    spec = KINDS.get(kind) or abort(404)
    return db.session.get(spec.model, job_id) or abort(404)


def page_of(job: JobMixin) -> str:
    """The page that shows a job."""
    if isinstance(job, PlanRun):
        return url_for("plans.show", run_id=job.id)
    if isinstance(job, Forecast):
        return url_for("plans.look_ahead")
    if isinstance(job, WhatIf):
        return url_for("plans.what_if_answer", run_id=job.run_id, what_if_id=job.id)
    if isinstance(job, StaffingAsk):
        return url_for("plans.staffing", run_id=job.run_id)
    raise TypeError(f"no page shows a {type(job).__name__}")


@blueprint.route("/jobs/<kind>/<int:job_id>")
@polled
def job_status(kind: str, job_id: int) -> ResponseReturnValue:
    """Where a job is, as JSON, for the progress pages' script to announce."""
    job = _job(kind, job_id)
    return jsonify(
        status=job.status.value,
        active=job.active,
        progress=job.progress,
        message=job.message,
        page=page_of(job),
    )


@blueprint.route("/jobs/<kind>/<int:job_id>/cancel", methods=["POST"])
@role_required(UserRole.MANAGER)
def cancel_job(kind: str, job_id: int) -> ResponseReturnValue:
    """Cancel a queued or running job; it keeps nothing of what it did."""
    job = _job(kind, job_id)
    form = ConfirmForm()
    if form.validate_on_submit() and job.active:
        request_cancel(db.session, job, current_user.username)
        db.session.commit()
        words = "Cancelled." if not job.active else "Cancelling: it stops at its next step."
        flash(f"{words} Nothing of it is kept.", "success")
    return redirect(page_of(job))
