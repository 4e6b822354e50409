"""The weekly batch: the database's snapshot, solved by the optimiser, stored in one transaction."""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from optimisation import Plan, Problem, check_plan, plan_to_dict, problem_from_dict, solve
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
from planner.domain.vocabulary import Rosh, RunStatus
from planner.domain.weeks import IsoWeek
from planner.models import Forecast, PlanRun, ProposedAssignment, User
from planner.models.auditing import set_actor
from planner.models.caseload import load_caseload
from planner.models.policy import load_policy
from planner.models.types import utcnow
from planner.plans.snapshot import Snapshot, build_snapshot

log = logging.getLogger(__name__)

SOLVERS = ("highs", "cbc")
FINISHED = (RunStatus.OPTIMAL, RunStatus.FEASIBLE)
# A run or look-ahead still marked running this long after its time limit was interrupted.
STALE_MARGIN = timedelta(minutes=10)

Solver = Callable[[Problem, str, float], Plan]


class RunRefused(Exception):
    """A run that may not start, with the reason in words."""


class RunFailed(Exception):
    """A run that started and failed, with the reason in words."""


def solve_problem(problem: Problem, solver: str, time_limit: float) -> Plan:
    """The optimiser, as the batch calls it."""
    return solve(problem, solver=solver, time_limit=time_limit)


def start_run(
    session: Session, week: IsoWeek, solver: str, time_limit: float, user: User | None, actor: str
) -> PlanRun:
    """Record a run of the week as running, unless one already is."""
    if solver not in SOLVERS:
        raise RunRefused(f"the solver must be one of {', '.join(SOLVERS)}")
    if not 1 <= time_limit <= 3600:
        raise RunRefused("the time limit must be between 1 and 3,600 seconds")
    fail_interrupted_runs(session)
    running = session.scalar(
        select(PlanRun).where(PlanRun.week == str(week), PlanRun.status == RunStatus.RUNNING)
    )
    if running is None:
        run = PlanRun(
            week=str(week),
            status=RunStatus.RUNNING,
            solver=solver,
            time_limit=time_limit,
            started_by=user,
            started_by_name=actor,
            progress="Waiting to start",
        )
        session.add(run)
        try:
            session.commit()
            return run
        except IntegrityError:
            # Another process started one between our look and our write.
            session.rollback()
            running = session.scalar(
                select(PlanRun).where(
                    PlanRun.week == str(week), PlanRun.status == RunStatus.RUNNING
                )
            )
    raise RunRefused(already_running(running))


def already_running(run: PlanRun | None) -> str:
    """Who started the run that is in the way, and when."""
    if run is None:
        return "a plan for this week is already running"
    from planner.web.templating import govuk_datetime

    return (
        f"a plan for {run.week} is already running: {run.started_by_name} started it "
        f"on {govuk_datetime(run.started_at)}"
    )


def fail_interrupted_runs(session: Session) -> None:
    """Mark as failed the runs whose process stopped without saying (killed, machine restarted)."""
    now = utcnow()
    for run in session.scalars(select(PlanRun).where(PlanRun.status == RunStatus.RUNNING)):
        if run.started_at + timedelta(seconds=run.time_limit) + STALE_MARGIN < now:
            run.status = RunStatus.FAILED
            run.finished_at = now
            run.message = "The run was interrupted: its process stopped before it finished."
    session.commit()


def execute_run(session: Session, run_id: int, solver: Solver = solve_problem) -> PlanRun:
    """Snapshot, solve and store the run, all or nothing; a failure is recorded on the run."""
    run = session.get(PlanRun, run_id)
    if run is None or run.status != RunStatus.RUNNING:
        raise RunRefused(f"run {run_id} is not waiting to run")
    try:
        _compute(session, run, solver)
        session.commit()
    except Exception as error:
        # Whatever went wrong, nothing of the run is kept and the run says why.
        session.rollback()
        message = str(error) if isinstance(error, RunFailed) else f"{type(error).__name__}: {error}"
        log.exception("plan run %s failed", run_id)
        run = session.get(PlanRun, run_id)
        run.status = RunStatus.FAILED
        run.finished_at = utcnow()
        run.progress = None
        run.message = message[:2000]
        session.commit()
    return run


def report_progress(session: Session, record: PlanRun | Forecast, text: str) -> None:
    """Say what a run is doing, in its own transaction so that pages see it at once."""
    model = type(record)
    with session.get_bind().begin() as connection:
        connection.execute(update(model).where(model.id == record.id).values(progress=text))


def _compute(session: Session, run: PlanRun, solver: Solver) -> None:
    """The run's work, inside the caller's transaction."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    set_actor(session, f"plan run {run.id}")
    week = IsoWeek.parse(run.week)
    policy = load_policy(session)
    report_progress(session, run, "Reading the caseload and the staff")
    cases, staff = load_caseload(session)
    snapshot = build_snapshot(cases, staff, week, policy)
    problem = problem_from_dict(snapshot.problem)
    timings["snapshot"] = time.perf_counter() - started

    report_progress(
        session, run, f"Solving with {run.solver.upper()} (time limit {run.time_limit:g} s)"
    )
    plan = solver(problem, run.solver, run.time_limit)
    timings["solve"] = plan.seconds
    if plan.status == "error":
        raise RunFailed(f"The optimiser could not make a plan: {plan.message}")
    broken, _ = check_plan(problem, plan)
    if broken:
        raise RunFailed("The plan broke the rules it must keep: " + "; ".join(broken[:5]))

    report_progress(session, run, "Storing the plan")
    stored = time.perf_counter()
    for case in cases:
        sync_needs(case, policy, week.monday)
    session.flush()
    plan_record = plan_to_dict(plan)
    ids = _need_keys(snapshot, cases)
    holders = _store_proposals(session, run, snapshot, ids, plan_record)
    _raise_alerts(session, run, week, policy, cases, staff, snapshot, plan_record, holders, ids)
    run.problem_json = json.dumps(snapshot.problem, separators=(",", ":"))
    run.plan_json = json.dumps(plan_record, separators=(",", ":"))
    run.status = RunStatus(plan.status)
    run.coverage = plan.objective.coverage
    run.bound = plan.bound.coverage
    run.solve_seconds = plan.seconds
    timings["store"] = time.perf_counter() - stored
    timings["total"] = time.perf_counter() - started
    run.summary = summarise(snapshot, plan, policy, timings)
    run.progress = None
    run.finished_at = utcnow()


def _need_keys(snapshot: Snapshot, cases: list[Any]) -> dict[tuple[str, int], NeedKey]:
    """The stored row and key of each need of the problem (the rules' new ones flushed)."""
    need_ids = {(case.id, need.key): need.id for case in cases for need in case.needs}
    return {
        position: NeedKey(need_ids[(ref.case_id, ref.key)], ref.key)
        for position, ref in snapshot.needs.items()
    }


def _store_proposals(
    session: Session,
    run: PlanRun,
    snapshot: Snapshot,
    ids: dict[tuple[str, int], NeedKey],
    plan: dict[str, Any],
) -> dict[int, int | None]:
    """One proposal per need of the problem: the person planned, or nobody and why."""
    assigned = {(a["case"], a["need"]): a for a in plan["assignments"]}
    uncovered = {(u["case"], u["need"]): u for u in plan["uncovered"]}
    problem_cases = {case["id"]: case for case in snapshot.problem["cases"]}
    rows = []
    for (reference, index), which in ids.items():
        need = problem_cases[reference]["needs"][index]
        assignment = assigned.get((reference, index))
        gap = uncovered.get((reference, index), {})
        rows.append(
            {
                "run_id": run.id,
                "need_id": which.need_id,
                "case_reference": reference,
                "need_index": index,
                "staff_member_id": snapshot.staff_ids[assignment["staff"]] if assignment else None,
                "current_staff_member_id": snapshot.staff_ids.get(need["current"] or ""),
                "hours": need["hours"],
                "continuity": bool(assignment and assignment["continuity"]),
                "pinned": bool(assignment and assignment["pinned"]),
                "uncovered_reason": gap.get("reason"),
                "detail": gap.get("detail"),
                "remedy_text": gap["remedy"]["text"] if gap else None,
                "remedy": gap.get("remedy"),
            }
        )
    if rows:
        session.execute(insert(ProposedAssignment), rows)
    return {row["need_id"]: row["staff_member_id"] for row in rows}


def _raise_alerts(
    session: Session,
    run: PlanRun,
    week: IsoWeek,
    policy: Policy,
    cases: list[Any],
    staff: list[Any],
    snapshot: Snapshot,
    plan: dict[str, Any],
    holders: dict[int, int | None],
    ids: dict[tuple[str, int], NeedKey],
) -> None:
    """Open, keep or close the alerts the plan and the dates raise for its week."""
    earlier = _earlier_plans(session, week, policy.excessive_weeks - 1)
    facts = RunFacts(
        Week(week, policy, cases, staff, holders), plan, snapshot.problem, ids, earlier
    )
    found = [*run_conditions(facts), *date_conditions(facts.week)]
    refresh(session, found, RUN_KINDS | DATE_KINDS, week, run)


def _earlier_plans(session: Session, week: IsoWeek, count: int) -> list[dict[str, Any]]:
    """The plans of the weeks just before, newest first, stopping at the first week without one."""
    plans = []
    for back in range(1, count + 1):
        earlier = session.scalar(
            select(PlanRun.plan_json)
            .where(PlanRun.week == str(week.plus(-back)), PlanRun.status.in_(FINISHED))
            .order_by(PlanRun.id.desc())
            .limit(1)
        )
        if earlier is None:
            break
        plans.append(json.loads(earlier))
    return plans


def cover_by_risk(snapshot: Snapshot, plan: Plan) -> dict[str, dict[str, int]]:
    """How many needs there are and how many the plan covers at each risk, highest first."""
    risks = {case["id"]: case["risk"] for case in snapshot.problem["cases"]}
    needs = Counter(risks[reference] for reference, _ in snapshot.needs)
    covered = Counter(risks[a.case] for a in plan.assignments)
    return {
        rosh.value: {"needs": needs[rosh.value], "covered": covered[rosh.value]}
        for rosh in reversed(Rosh)
    }


def summarise(
    snapshot: Snapshot, plan: Plan, policy: Policy, timings: dict[str, float]
) -> dict[str, Any]:
    """The figures a manager reads first: coverage by risk, gaps, overloads, moves."""
    by_risk = cover_by_risk(snapshot, plan)
    currents = {
        (case["id"], index): need["current"]
        for case in snapshot.problem["cases"]
        for index, need in enumerate(case["needs"])
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
        "warnings": list(plan.warnings),
        "timings": {name: round(seconds, 3) for name, seconds in timings.items()},
    }


def run_week(
    session: Session,
    week: IsoWeek,
    solver: str,
    time_limit: float | None,
    user: User | None,
    actor: str,
    solve_with: Solver = solve_problem,
) -> PlanRun:
    """Start and execute a run in this process (the command line's way)."""
    policy = load_policy(session)
    limit = policy.time_limit_seconds if time_limit is None else time_limit
    run = start_run(session, week, solver, limit, user, actor)
    return execute_run(session, run.id, solve_with)
