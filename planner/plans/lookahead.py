"""The look-ahead: the coming weeks planned in turn, nothing approved, to see where gaps fall."""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from optimisation import Plan, Problem
from planner.domain.needs import need_name_for
from planner.domain.rules import HIGH_RISKS
from planner.domain.vocabulary import ACTIVE, skills_in_words
from planner.domain.weeks import IsoWeek
from planner.extensions import db
from planner.jobs.lifecycle import JobFailed
from planner.jobs.queue import Job, perform
from planner.models import Forecast, User
from planner.models.caseload import load_caseload
from planner.models.policy import load_policy
from planner.plans.batch import RunRefused, cover_of
from planner.plans.snapshot import NeedRef, Snapshot, build_snapshot
from planner.web.templating import govuk_date, govuk_datetime

# Seconds for each week's solve: twelve weeks of a region fit in a minute.
LOOK_AHEAD_SECONDS = 3.0


def queue_forecast(
    session: Session,
    first: IsoWeek,
    weeks: int,
    solver: str,
    time_limit: float,
    user: User | None,
    actor: str,
) -> Forecast:
    """Record a look-ahead as queued (committed), unless one is queued or running."""
    running = session.scalar(select(Forecast).where(Forecast.status.in_(ACTIVE)))
    if running is not None:
        raise RunRefused(
            f"a look-ahead is already {running.status.value}: {running.started_by_name} "
            f"started it on {govuk_datetime(running.queued_at)}"
        )
    forecast = Forecast(
        first_week=str(first),
        weeks=weeks,
        solver=solver,
        time_limit=time_limit,
        started_by=user,
        started_by_name=actor,
        progress="Waiting for a job worker",
    )
    session.add(forecast)
    session.commit()
    return forecast


def look_ahead_here(
    session: Session, first: IsoWeek, weeks: int, solver: str, time_limit: float, actor: str
) -> Forecast:
    """Queue a look-ahead and do it here, in this process (the command line's way)."""
    queued = queue_forecast(session, first, weeks, solver, time_limit, None, actor)
    perform(Forecast.job_kind, queued.id, apart=False)
    session.expire_all()
    return session.get(Forecast, queued.id)


def plan_ahead(forecast: Forecast, job: Job) -> None:
    """The look-ahead's work: each week planned in turn, from the holders planned before."""
    session = db.session
    policy = load_policy(session)
    cases, staff = load_caseload(session)
    first = IsoWeek.parse(forecast.first_week)
    carried: dict[NeedRef, str | None] | None = None
    results = []
    for offset in range(forecast.weeks):
        week = first.plus(offset)
        job.progress(
            f"Planning the week of {govuk_date(week.monday)}, week {offset + 1} of {forecast.weeks}"
        )
        snapshot = build_snapshot(cases, staff, week, policy)
        if carried is not None:
            snapshot = dataclasses.replace(snapshot, problem=_carry(snapshot, carried))
        # Each week's solve is short, so here: a cancelled look-ahead stops between weeks.
        plan = job.solve(snapshot.problem, forecast.solver, forecast.time_limit, here=True)
        if plan.status == "error":
            raise JobFailed(f"The optimiser could not plan {week}: {plan.message}")
        planned = {(a.case, a.need): a.staff for a in plan.assignments}
        carried = {ref: planned.get(position) for position, ref in snapshot.needs.items()}
        results.append(week_result(snapshot, plan))
    forecast.results = results


def _carry(snapshot: Snapshot, holders: dict[NeedRef, str | None]) -> Problem:
    """The week's problem with the holders the week before planned as its current holders."""
    problem = snapshot.problem
    cases = []
    for case in problem.cases:
        needs = tuple(
            dataclasses.replace(need, current=holders[ref])
            if (ref := snapshot.needs[(case.id, index)]) in holders
            else need
            for index, need in enumerate(case.needs)
        )
        cases.append(dataclasses.replace(case, needs=needs))
    return dataclasses.replace(problem, cases=tuple(cases))


def week_result(snapshot: Snapshot, plan: Plan) -> dict[str, Any]:
    """What a manager needs of one week: cover by risk and the high-risk gaps with remedies."""
    gaps = [
        {
            "case": gap.case,
            "case_id": snapshot.case_ids[gap.case],
            "risk": gap.risk,
            "need": need_name_for(
                snapshot.needs[(gap.case, gap.need)].key,
                snapshot.problem.case_by_id[gap.case].needs[gap.need].role,
            ),
            "reason": gap.reason,
            "detail": gap.detail,
            "remedy": skills_in_words(gap.remedy.text),
        }
        for gap in plan.uncovered
        if gap.risk in HIGH_RISKS
    ]
    gaps.sort(key=lambda gap: (gap["risk"] != "very_high", gap["case"]))
    return {
        "week": snapshot.problem.week,
        "monday": snapshot.week.monday.isoformat(),
        "optimal": plan.status == "optimal",
        "coverage": plan.objective.coverage,
        "bound": plan.bound.coverage,
        "by_risk": cover_of(snapshot.problem, plan),
        "uncovered": len(plan.uncovered),
        "high_risk_gaps": gaps,
    }
