"""The plans pages: run a week and follow it, review, override, approve, compare; the jobs."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
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
from planner.domain.reach import Reach
from planner.domain.vocabulary import ALERT_KIND_NAMES, Rosh, UserRole
from planner.domain.weeks import IsoWeek
from planner.extensions import db
from planner.jobs.lifecycle import request_cancel
from planner.jobs.queue import KINDS, enqueue
from planner.models import Forecast, PlanRun, StaffingAsk, WhatIf
from planner.models.jobs import JobMixin
from planner.models.policy import load_policy
from planner.notifications.triggers import email_cases_changed
from planner.plans import queries
from planner.plans.approval import (
    ApprovalRefused,
    Moves,
    approval_problem,
    approval_words,
    approve,
    region_parts,
)
from planner.plans.batch import RunRefused, queue_run
from planner.plans.evidence import (
    TABS,
    ReviewFilters,
    described,
    kind_counts,
    load_page,
    places,
    proposal_page,
)
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
from planner.plans.review import KIND_NAMES, RunProblem, stored_problem
from planner.plans.staffing import ask_for_staff
from planner.plans.summary import harm, quality_words, summarise
from planner.plans.whatif import ask_what_if
from planner.web.addresses import database_id
from planner.web.forms import ConfirmForm
from planner.web.reach import cases_within, current_reach, national_or_404, openable_cases
from planner.web.security import role_required
from planner.web.sessions import polled
from planner.web.templating import govuk_date, sentence

blueprint = Blueprint("plans", __name__, url_prefix="/plans")

WEEKS_OFFERED = 5
# The look-ahead may start this week or any week of the coming year.
LOOK_AHEAD_FROM_WEEKS = 53


def _weeks(offered: int = WEEKS_OFFERED) -> list[tuple[str, str]]:
    """This week and the next few, as options."""
    this = IsoWeek.containing(today())
    weeks = [this.plus(offset) for offset in range(offered)]
    return [(str(week), f"{week} (from {govuk_date(week.monday)})") for week in weeks]


def _run(run_id: int) -> PlanRun:
    """The run, or 404."""
    return db.session.get(PlanRun, run_id) or abort(404)


def _reviewed_run(run_id: int) -> PlanRun:
    """The run without its problem and plan (read only when the process has not read them yet)."""
    return db.session.scalar(PlanRun.listed().where(PlanRun.id == run_id)) or abort(404)


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
    return _index_page(form)


def _index_page(form: RunForm) -> ResponseReturnValue:
    """The runs with the user's figures, and the form that starts one."""
    runs = queries.recent_runs(db.session)
    reach = current_reach()
    # A regional user's figures are their regions' part of each run, counted in one query.
    uncovered = None
    if not reach.national:
        cover = queries.cover_by_risk(db.session, [run.id for run in runs if run.finished], reach)
        uncovered = {
            run_id: sum(c["needs"] - c["covered"] for c in risks.values())
            for run_id, risks in cover.items()
        }
    return render_template("plans/index.html", runs=runs, form=form, uncovered=uncovered)


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
    return _index_page(form)


@blueprint.route("/<int:run_id>")
def show(run_id: int) -> ResponseReturnValue:
    """A run: its progress while it runs, why it ended, or the summary of what its plan does."""
    plan_run = _reviewed_run(run_id)
    if not plan_run.finished:
        return render_template("plans/progress.html", run=plan_run)
    filters = ReviewFilters.from_args(request.args, current_reach()).place_only()
    stored, policy = RunProblem(plan_run), load_policy(db.session)
    return render_template(
        "plans/review.html",
        summary=summarise(db.session, stored, policy, filters),
        quality=quality_words(plan_run),
        policy_safe=policy.safe_workload,
        run_weights=stored.problem.policy.risk_weights,
        **_review_context(plan_run, filters, "summary"),
    )


@blueprint.route("/<int:run_id>/uncovered")
def uncovered(run_id: int) -> ResponseReturnValue:
    """The needs the plan leaves with nobody, and what would cover each."""
    return _proposals(run_id, "uncovered")


@blueprint.route("/<int:run_id>/changes")
def changes(run_id: int) -> ResponseReturnValue:
    """The needs whose holder the plan changes, and why."""
    return _proposals(run_id, "changes")


@blueprint.route("/<int:run_id>/unchanged")
def unchanged(run_id: int) -> ResponseReturnValue:
    """The needs that stay with their holder."""
    return _proposals(run_id, "unchanged")


def _proposals(run_id: int, tab: str) -> ResponseReturnValue:
    """One part of a run's evidence: its needs of some kinds, filtered, sorted, a page at a time."""
    plan_run = _reviewed_run(run_id)
    if not plan_run.finished:
        abort(404)
    filters = ReviewFilters.from_args(request.args, current_reach())
    page, sort, direction = proposal_page(db.session, plan_run, tab, filters, request.args)
    stored, policy = RunProblem(plan_run), load_policy(db.session)
    rows = described(db.session, stored, policy, page.items)
    return render_template(
        "plans/review_tab.html",
        page=page,
        rows=rows,
        openable=openable_cases(row.case.id for row in rows if row.case.restricted),
        sort=sort,
        direction=direction,
        tab_kinds=TABS[tab],
        **_review_context(plan_run, filters, tab),
    )


@blueprint.route("/<int:run_id>/workloads")
def workloads(run_id: int) -> ResponseReturnValue:
    """Everyone whose Workload % the plan changes, or leaves past the safe workload."""
    plan_run = _reviewed_run(run_id)
    if not plan_run.finished:
        abort(404)
    filters = ReviewFilters.from_args(request.args, current_reach())
    stored, policy = RunProblem(plan_run), load_policy(db.session)
    page, sort, direction = load_page(db.session, stored, policy, filters, request.args)
    return render_template(
        "plans/workloads.html",
        page=page,
        sort=sort,
        direction=direction,
        policy=policy,
        **_review_context(plan_run, filters, "workloads"),
    )


def _review_context(plan_run: PlanRun, filters: ReviewFilters, tab: str) -> dict[str, Any]:
    """What every page of a run's review shows: its state, the parts and their counts, filters."""
    reach = filters.reach
    regions, sites = places(db.session, plan_run, reach)
    parts = [
        part
        for part in region_parts(db.session, plan_run)
        if reach.national or part.region_id in reach.region_ids
    ]
    return {
        "national": reach.national,
        "run": plan_run,
        "tab": tab,
        "filters": filters,
        "regions": regions,
        "sites": sites,
        "risks": list(reversed(Rosh)),
        "kind_names": KIND_NAMES,
        "counts": kind_counts(db.session, plan_run, filters.place_only()),
        "parts": parts,
        "approval": approval_words(plan_run, parts),
        "approval_problem": approval_problem(db.session, plan_run),
    }


@blueprint.route("/<int:run_id>/proposals/<int:proposal_id>/override", methods=["GET", "POST"])
@role_required(UserRole.MANAGER)
def change(run_id: int, proposal_id: int) -> ResponseReturnValue:
    """Put another eligible person, or nobody, on a need of the run, with the reasons."""
    plan_run = _run(run_id)
    proposal = queries.proposal_of(db.session, plan_run, proposal_id, current_reach())
    if proposal is None:
        abort(404)
    people = candidates(db.session, plan_run, proposal)
    options = [(c.staff.staff_ref, c.staff.name) for c in people if c.eligible]
    form = OverrideForm(options=options)
    if request.method == "GET":
        form.person.data = proposal.staff_member.staff_ref if proposal.staff_member else NOBODY
        # Chosen on the comparison of candidates: preselected, if they may hold it.
        if request.args.get("person") in {ref for ref, _ in options}:
            form.person.data = request.args["person"]
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
    """Make the run (or one region's part of it), with its overrides, the current allocation from
    the start of its week, once, after restating what it costs."""
    plan_run, reach = _run(run_id), current_reach()
    every = region_parts(db.session, plan_run)
    parts = {
        part.name: part for part in every if reach.national or part.region_id in reach.region_ids
    }
    if not parts:
        abort(404)
    part = parts.get(request.args.get("region", ""))
    # One region's part only when the run has others; a run of one region is approved whole. A
    # regional manager approves no more than their regions' part.
    part = part if part is not None and len(every) > 1 else None
    region_ids = [part.region_id] if part else None
    if region_ids is None and len(parts) < len(every):
        region_ids = [p.region_id for p in parts.values()]
    form = ConfirmForm(
        f"Approve the plan for {_part_words(parts, part)}" if region_ids else "Approve the plan"
    )
    refusal = approval_problem(db.session, plan_run, part.region_id if part else None)
    if form.validate_on_submit() and refusal is None:
        moves = Moves()
        try:
            changes = approve(db.session, plan_run, current_user, current_user.username,
                              region_ids, moves)  # fmt: skip
        except ApprovalRefused as error:
            db.session.rollback()
            refusal = str(error)
        else:
            db.session.commit()
            email_cases_changed(db.session, plan_run, moves.gained, moves.lost)
            which = f"Plan run {plan_run.id}" + (
                f" for {_part_words(parts, part)}" if region_ids else ""
            )
            flash(
                f"{which} approved: {changes} allocations change from "
                f"{govuk_date(IsoWeek.parse(plan_run.week).monday)}.",
                "success",
            )
            return redirect(url_for("plans.show", run_id=run_id))
    policy = load_policy(db.session)
    restated = None
    if refusal is None:
        filters = ReviewFilters(region=part.name if part else "", reach=reach)
        restated = harm(db.session, RunProblem(plan_run), policy, filters)
    rows = [*restated.dropped, *restated.high_risk_gaps] if restated else []
    return render_template(
        "plans/approve.html",
        run=plan_run,
        form=form,
        regions_approved=_part_words(parts, part) if region_ids else None,
        refusal=refusal,
        harm=restated,
        openable=openable_cases(row.case.id for row in rows if row.case.restricted),
        policy=policy,
    )


def _part_words(parts: dict[str, Any], part: Any) -> str:
    """The regions an approval is of, in words: one region, or a regional manager's regions."""
    names = [part.name] if part else sorted(parts)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _by_risk(plan_run: PlanRun, reach: Reach) -> dict[str, dict[str, int]]:
    """Needs covered by risk: the run's own figures, or a regional user's part of them."""
    if reach.national:
        by_risk: dict[str, dict[str, int]] = plan_run.summary["by_risk"]
        return by_risk
    return queries.cover_by_risk(db.session, [plan_run.id], reach)[plan_run.id]


@blueprint.route("/compare")
def compare() -> ResponseReturnValue:
    """Two runs side by side: their figures, and every need they plan differently."""
    ids = [database_id(request.args.get(name)) for name in ("first", "second")]
    if None in ids:
        abort(404)
    first, second = (_run(run_id) for run_id in ids if run_id is not None)
    reach = current_reach()
    return render_template(
        "plans/compare.html",
        first=first,
        second=second,
        differences=queries.differences(db.session, first, second, reach),
        by_risk={run.id: _by_risk(run, reach) for run in (first, second) if run.summary},
    )


@blueprint.route("/look-ahead", methods=["GET", "POST"])
def look_ahead() -> ResponseReturnValue:
    """The coming weeks planned in turn, nothing approved: where shortfalls will fall."""
    form = LookAheadForm(first_weeks=_weeks(LOOK_AHEAD_FROM_WEEKS))
    if request.method == "POST":
        if not current_user.can(UserRole.MANAGER):
            abort(403)
        if form.validate_on_submit():
            try:
                queued = queue_forecast(
                    db.session,
                    IsoWeek.parse(form.first.data),
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
    else:
        form.weeks.data = form.weeks.data or 12
        form.first.data = str(IsoWeek.containing(today()).plus(1))  # next week, by default
    forecast = queries.latest_forecast(db.session)
    gap_cases = (
        [gap["case_id"] for week in (forecast.results or []) for gap in week["high_risk_gaps"]]
        if forecast
        else []
    )
    return render_template(
        "plans/lookahead.html",
        form=form,
        forecast=forecast,
        within=cases_within(gap_cases),
        openable=openable_cases(gap_cases),
    )


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
    national_or_404()
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
    national_or_404()
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
    national_or_404()
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
    """The staffing ask's first address: its download is one of the exports now."""
    national_or_404()
    _finished_run(run_id)
    return redirect(url_for("exports.staffing_ask", run=run_id, format="csv"))


# --- Jobs: their progress, for the pages' script, and cancelling them ----------------------


def _job(kind: str, job_id: int) -> JobMixin:
    """A job of a kind, or 404."""
    spec = KINDS.get(kind) or abort(404)
    job = db.session.get(spec.model, job_id) or abort(404)
    # What-ifs and staffing asks are about every region: only national users follow them.
    if isinstance(job, WhatIf | StaffingAsk):
        national_or_404()
    return job


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
