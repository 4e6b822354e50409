"""The look-ahead: the coming weeks planned in turn, nothing approved, to see where gaps fall."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from optimisation import Plan, problem_from_dict
from planner.domain.needs import need_name_for
from planner.domain.rules import HIGH_RISKS
from planner.domain.vocabulary import RunStatus
from planner.domain.weeks import IsoWeek
from planner.models import Forecast, User
from planner.models.caseload import load_caseload
from planner.models.policy import load_policy
from planner.models.types import utcnow
from planner.plans.batch import (
    STALE_MARGIN,
    RunFailed,
    RunRefused,
    Solver,
    cover_by_risk,
    report_progress,
    solve_problem,
)
from planner.plans.snapshot import Snapshot, build_snapshot

# Seconds for each week's solve: twelve weeks of a region fit in a minute.
LOOK_AHEAD_SECONDS = 3.0


def start_forecast(
    session: Session,
    first: IsoWeek,
    weeks: int,
    solver: str,
    time_limit: float,
    user: User | None,
    actor: str,
) -> Forecast:
    """Record a look-ahead as running, unless one already is."""
    now = utcnow()
    for running in session.scalars(select(Forecast).where(Forecast.status == RunStatus.RUNNING)):
        if (
            running.started_at
            + timedelta(seconds=running.weeks * running.time_limit)
            + STALE_MARGIN
            < now
        ):
            running.status, running.finished_at = RunStatus.FAILED, now
            running.message = "The look-ahead was interrupted before it finished."
        else:
            raise RunRefused(
                f"a look-ahead is already running: {running.started_by_name} started it"
            )
    forecast = Forecast(
        first_week=str(first),
        weeks=weeks,
        solver=solver,
        time_limit=time_limit,
        status=RunStatus.RUNNING,
        started_by_id=user.id if user else None,
        started_by_name=actor,
        progress="Waiting to start",
    )
    session.add(forecast)
    session.commit()
    return forecast


def execute_forecast(
    session: Session, forecast_id: int, solver: Solver = solve_problem
) -> Forecast:
    """Plan each week in turn, each from the one before; the results or the failure are stored."""
    forecast = session.get(Forecast, forecast_id)
    if forecast is None or forecast.status != RunStatus.RUNNING:
        raise RunRefused(f"look-ahead {forecast_id} is not waiting to run")
    try:
        forecast.results = look_ahead(session, forecast, solver)
        forecast.status = (
            RunStatus.OPTIMAL
            if all(week["status"] == "optimal" for week in forecast.results)
            else RunStatus.FEASIBLE
        )
    except Exception as error:
        # Whatever went wrong, the look-ahead says so.
        session.rollback()
        forecast = session.get(Forecast, forecast_id)
        forecast.status = RunStatus.FAILED
        forecast.message = (
            str(error) if isinstance(error, RunFailed) else f"{type(error).__name__}: {error}"
        )
    forecast.progress = None
    forecast.finished_at = utcnow()
    session.commit()
    return forecast


def look_ahead(session: Session, forecast: Forecast, solver: Solver) -> list[dict[str, Any]]:
    """Each week's plan in turn, each week's holders taken from the plan of the week before."""
    policy = load_policy(session)
    cases, staff = load_caseload(session)
    first = IsoWeek.parse(forecast.first_week)
    carried: dict[tuple[int, str], str | None] | None = None
    results = []
    for offset in range(forecast.weeks):
        week = first.plus(offset)
        report_progress(
            session, forecast, f"Planning {week}, week {offset + 1} of {forecast.weeks}"
        )
        snapshot = build_snapshot(cases, staff, week, policy)
        if carried is not None:
            _carry(snapshot, carried)
        plan = solver(problem_from_dict(snapshot.problem), forecast.solver, forecast.time_limit)
        if plan.status == "error":
            raise RunFailed(f"The optimiser could not plan {week}: {plan.message}")
        planned = {(a.case, a.need): a.staff for a in plan.assignments}
        carried = {
            (ref.case_id, ref.key): planned.get(position)
            for position, ref in snapshot.needs.items()
        }
        results.append(week_result(snapshot, plan))
    return results


def _carry(snapshot: Snapshot, holders: dict[tuple[int, str], str | None]) -> None:
    """Make the holders the week before planned the current holders of this week."""
    cases = {case["id"]: case for case in snapshot.problem["cases"]}
    for (reference, index), ref in snapshot.needs.items():
        if (ref.case_id, ref.key) in holders:
            cases[reference]["needs"][index]["current"] = holders[(ref.case_id, ref.key)]


def week_result(snapshot: Snapshot, plan: Plan) -> dict[str, Any]:
    """What a manager needs of one week: cover by risk and the high-risk gaps with remedies."""
    entries = {case["id"]: case for case in snapshot.problem["cases"]}
    gaps = [
        {
            "case": gap.case,
            "case_id": snapshot.case_ids[gap.case],
            "risk": gap.risk,
            "need": need_name_for(
                snapshot.needs[(gap.case, gap.need)].key,
                entries[gap.case]["needs"][gap.need]["role"],
            ),
            "reason": gap.reason,
            "detail": gap.detail,
            "remedy": gap.remedy.text,
        }
        for gap in plan.uncovered
        if gap.risk in HIGH_RISKS
    ]
    gaps.sort(key=lambda gap: (gap["risk"] != "very_high", gap["case"]))
    return {
        "week": snapshot.problem["week"],
        "monday": snapshot.week.monday.isoformat(),
        "status": plan.status,
        "coverage": plan.objective.coverage,
        "bound": plan.bound.coverage,
        "by_risk": cover_by_risk(snapshot, plan),
        "uncovered": len(plan.uncovered),
        "high_risk_gaps": gaps,
    }
