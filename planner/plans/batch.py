"""The weekly batch: a run of a week is a job that snapshots, solves and stores, all or nothing."""

from __future__ import annotations

import json
import time
from collections import Counter
from typing import Any

from sqlalchemy import insert, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from optimisation import (
    SOLVERS,
    Plan,
    Problem,
    check_plan,
    plan_from_dict,
    plan_to_dict,
    problem_to_dict,
)
from planner.alerting.conditions import (
    DATE_KINDS,
    RUN_KINDS,
    NeedKey,
    RunFacts,
    Week,
    date_conditions,
    run_conditions,
)
from planner.alerting.services import refresh
from planner.cases.services import sync_needs
from planner.domain.policy import Policy
from planner.domain.vocabulary import ACTIVE, JobStatus, Rosh, people_in_words, skills_in_words
from planner.domain.weeks import IsoWeek
from planner.extensions import db
from planner.jobs.lifecycle import JobFailed, fail_lost_jobs
from planner.jobs.queue import Job, perform
from planner.models import Case, PlanRun, ProposedAssignment, StaffMember, User
from planner.models.auditing import set_actor
from planner.models.caseload import load_caseload
from planner.models.policy import load_policy
from planner.plans.snapshot import Snapshot, build_snapshot
from planner.web.templating import govuk_datetime

# The advisory lock (PostgreSQL) that makes runs store their plans one at a time.
STORING_LOCK = 4_120_493


class RunRefused(Exception):
    """A run that may not start, with the reason in words."""


def queue_run(
    session: Session, week: IsoWeek, solver: str, time_limit: float, user: User | None, actor: str
) -> PlanRun:
    """Record a run of the week as queued (committed), unless one is queued or running."""
    if solver not in SOLVERS:
        raise RunRefused(f"the solver must be one of {', '.join(SOLVERS)}")
    if not 1 <= time_limit <= 3600:
        raise RunRefused("the time limit must be between 1 and 3,600 seconds")
    # Should every worker have died, a run they left running still frees its week.
    fail_lost_jobs(session, [PlanRun])
    if (active := active_run(session, week)) is not None:
        raise RunRefused(already_running(active))
    run = PlanRun(
        week=str(week),
        solver=solver,
        time_limit=time_limit,
        started_by=user,
        started_by_name=actor,
        progress="Waiting for a job worker",
    )
    session.add(run)
    try:
        session.commit()
    except IntegrityError:
        # Another manager queued one between our look and our write.
        session.rollback()
        raise RunRefused(already_running(active_run(session, week))) from None
    return run


def active_run(session: Session, week: IsoWeek) -> PlanRun | None:
    """The run of a week that is queued or running, if there is one."""
    return session.scalar(
        select(PlanRun).where(PlanRun.week == str(week), PlanRun.status.in_(ACTIVE))
    )


def already_running(run: PlanRun | None) -> str:
    """Who started the run that is in the way, and when."""
    if run is None:
        return "a plan for this week is already running"
    return (
        f"a plan for {run.week} is already {run.status.value}: {run.started_by_name} started it "
        f"on {govuk_datetime(run.queued_at)}"
    )


def run_week(
    session: Session,
    week: IsoWeek,
    solver: str,
    time_limit: float | None,
    user: User | None,
    actor: str,
) -> PlanRun:
    """Queue a run and do it here, in this process (the command line's way, for a scheduler)."""
    limit = load_policy(session).time_limit_seconds if time_limit is None else time_limit
    queued = queue_run(session, week, solver, limit, user, actor)
    perform(PlanRun.job_kind, queued.id, apart=False)
    session.expire_all()
    return session.get(PlanRun, queued.id)


def plan_week(plan_run: PlanRun, job: Job) -> None:
    """The run's work: needs in step, snapshot, solve, check, then store it all in one go."""
    session = db.session
    timings: dict[str, float] = {}
    started = time.perf_counter()
    set_actor(session, f"plan run {plan_run.id}")
    week = IsoWeek.parse(plan_run.week)
    policy = load_policy(session)
    job.progress("Reading the caseload and the staff")
    cases, staff = load_caseload(session)
    snapshot = build_snapshot(cases, staff, week, policy)
    timings["snapshot"] = time.perf_counter() - started

    job.progress(
        f"Solving with {plan_run.solver.upper()} (time limit {plan_run.time_limit:g} seconds)"
    )
    plan = job.solve(snapshot.problem, plan_run.solver, plan_run.time_limit)
    timings["solve"] = plan.seconds
    if plan.status == "error":
        raise JobFailed(f"The optimiser could not make a plan: {plan.message}")
    broken, _ = check_plan(snapshot.problem, plan)
    if broken:
        raise JobFailed("The plan broke the rules it must keep: " + "; ".join(broken[:5]))

    job.progress("Storing the plan")
    stored = time.perf_counter()
    cases = _needs_in_step(session, plan_run, week, policy)
    ids = _need_keys(snapshot, cases)
    # The optimiser names people by staff ID; a manager reads their names.
    names = {person.staff_ref: person.name for person in staff}
    holders = _store_proposals(session, plan_run, snapshot, ids, plan, names)
    _raise_alerts(session, plan_run, week, policy, cases, staff, snapshot, plan, holders, ids)
    plan_run.problem_json = json.dumps(problem_to_dict(snapshot.problem), separators=(",", ":"))
    plan_run.plan_json = json.dumps(plan_to_dict(plan), separators=(",", ":"))
    plan_run.optimal = plan.status == "optimal"
    plan_run.coverage = plan.objective.coverage
    plan_run.bound = plan.bound.coverage
    plan_run.solve_seconds = plan.seconds
    timings["store"] = time.perf_counter() - stored
    timings["total"] = time.perf_counter() - started
    plan_run.summary = summarise(snapshot, plan, policy, timings, names)


def _needs_in_step(
    session: Session, plan_run: PlanRun, week: IsoWeek, policy: Policy
) -> list[Case]:
    """The cases with their stored needs derived for the week, inside the storing transaction.

    Runs store one at a time: the first write takes SQLite's lock, and on PostgreSQL an advisory
    lock; the needs are then read again, so a run for another week that stored meanwhile (and
    added the same new needs) is seen, not duplicated.
    """
    session.execute(
        update(PlanRun).where(PlanRun.id == plan_run.id).values(progress="Storing the plan")
    )
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": STORING_LOCK})
        # No manager's save of a need may come between reading the needs and deriving them
        # again: the derived writes check each need's version (planner/models/versions.py),
        # and a run must not fail for a save. Saves wait the few seconds the storing takes;
        # reads do not. (On SQLite the UPDATE above already holds the only write lock.)
        session.execute(text("LOCK TABLE need IN SHARE ROW EXCLUSIVE MODE"))
    cases, _ = load_caseload(session, fresh=True)
    for case in cases:
        sync_needs(case, policy, week.monday)
    session.flush()
    return cases


def _need_keys(snapshot: Snapshot, cases: list[Case]) -> dict[tuple[str, int], NeedKey]:
    """The stored row and key of each need of the problem."""
    need_ids = {(case.id, need.key): need.id for case in cases for need in case.needs}
    return {
        position: NeedKey(need_ids[(ref.case_id, ref.key)], ref.key)
        for position, ref in snapshot.needs.items()
    }


def _store_proposals(
    session: Session,
    plan_run: PlanRun,
    snapshot: Snapshot,
    ids: dict[tuple[str, int], NeedKey],
    plan: Plan,
    names: dict[str, str],
) -> dict[int, int | None]:
    """One proposal per need of the problem: the person planned, or nobody and why."""
    assigned = {(a.case, a.need): a for a in plan.assignments}
    # The remedies as they are stored: the plan's own JSON form.
    remedies = {(u["case"], u["need"]): u["remedy"] for u in plan_to_dict(plan)["uncovered"]}
    uncovered = {(u.case, u.need): u for u in plan.uncovered}
    rows = []
    for (reference, index), which in ids.items():
        need = snapshot.problem.case_by_id[reference].needs[index]
        assignment = assigned.get((reference, index))
        gap = uncovered.get((reference, index))
        rows.append(
            {
                "run_id": plan_run.id,
                "need_id": which.need_id,
                "case_reference": reference,
                "need_index": index,
                "staff_member_id": snapshot.staff_ids[assignment.staff] if assignment else None,
                "current_staff_member_id": snapshot.staff_ids.get(need.current or ""),
                "hours": need.hours,
                "continuity": bool(assignment and assignment.continuity),
                "pinned": bool(assignment and assignment.pinned),
                "uncovered_reason": gap.reason if gap else None,
                "detail": people_in_words(gap.detail, names) if gap else None,
                "remedy_text": (
                    people_in_words(skills_in_words(gap.remedy.text), names) if gap else None
                ),
                "remedy": remedies.get((reference, index)),
            }
        )
    if rows:
        session.execute(insert(ProposedAssignment), rows)
    return {row["need_id"]: row["staff_member_id"] for row in rows}


def _raise_alerts(
    session: Session,
    plan_run: PlanRun,
    week: IsoWeek,
    policy: Policy,
    cases: list[Case],
    staff: list[StaffMember],
    snapshot: Snapshot,
    plan: Plan,
    holders: dict[int, int | None],
    ids: dict[tuple[str, int], NeedKey],
) -> None:
    """Open, keep or close the alerts the plan and the dates raise for its week."""
    earlier = _earlier_plans(session, week, policy.excessive_weeks - 1)
    facts = RunFacts(
        Week(week, policy, cases, staff, holders), plan, snapshot.problem, ids, earlier
    )
    found = [*run_conditions(facts), *date_conditions(facts.week)]
    refresh(session, found, RUN_KINDS | DATE_KINDS, week, plan_run, f"run {plan_run.id}")


def _earlier_plans(session: Session, week: IsoWeek, count: int) -> list[Plan]:
    """The plans of the weeks just before, newest first, stopping at the first week without one."""
    plans = []
    for back in range(1, count + 1):
        earlier = session.scalar(
            select(PlanRun.plan_json)
            .where(PlanRun.week == str(week.plus(-back)), PlanRun.status == JobStatus.FINISHED)
            .order_by(PlanRun.id.desc())
            .limit(1)
        )
        if earlier is None:
            break
        plans.append(plan_from_dict(json.loads(earlier)))
    return plans


def cover_of(problem: Problem, plan: Plan) -> dict[str, dict[str, int]]:
    """How many needs there are and how many the plan covers at each risk, highest first."""
    risks = {case.id: case.risk for case in problem.cases}
    needs = Counter(case.risk for case in problem.cases for _ in case.needs)
    covered = Counter(risks[a.case] for a in plan.assignments)
    return {
        rosh.value: {"needs": needs[rosh.value], "covered": covered[rosh.value]}
        for rosh in reversed(Rosh)
    }


def summarise(
    snapshot: Snapshot,
    plan: Plan,
    policy: Policy,
    timings: dict[str, float],
    names: dict[str, str],
) -> dict[str, Any]:
    """The figures a manager reads first: coverage by risk, gaps, overloads, moves."""
    by_risk = cover_of(snapshot.problem, plan)
    currents = {
        (case.id, index): need.current
        for case in snapshot.problem.cases
        for index, need in enumerate(case.needs)
    }
    moves = sum(1 for a in plan.assignments if currents[(a.case, a.need)] not in (None, a.staff))
    new = sum(1 for a in plan.assignments if currents[(a.case, a.need)] is None)
    dropped = sum(1 for u in plan.uncovered if currents[(u.case, u.need)] is not None)
    over = [
        load.staff
        for load in plan.staff_load
        if load.workload is not None and load.workload > policy.safe_workload
    ]
    return {
        "by_risk": by_risk,
        "needs": sum(counts["needs"] for counts in by_risk.values()),
        "covered": len(plan.assignments),
        "uncovered": len(plan.uncovered),
        "moves": moves,
        "new": new,
        "dropped": dropped,
        "unchanged": sum(1 for a in plan.assignments if a.continuity),
        "over_safe_workload": len(over),
        "warnings": [people_in_words(warning, names) for warning in plan.warnings],
        "timings": {name: round(seconds, 3) for name, seconds in timings.items()},
    }
