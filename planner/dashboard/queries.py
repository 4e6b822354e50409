"""The dashboard's figures: the week at a glance, needs held by risk, workloads, gaps, releases."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Row, and_, func, or_, select
from sqlalchemy.orm import Session

from planner.domain.policy import Policy
from planner.domain.reach import Reach
from planner.domain.rules import add_months, handover
from planner.domain.vocabulary import Rosh, Setting
from planner.domain.weeks import IsoWeek
from planner.models import Allocation, Case, Need, PlanRun, ProposedAssignment, Site
from planner.models.reach import case_within
from planner.staff.queries import WeekLoad

# Workload % bands, as (upper limit, label); the last is open ended.
BANDS = (
    (0.5, "Under 50%"),
    (0.8, "50 to 80%"),
    (1.0, "80 to 100%"),
    (1.1, "100 to 110%"),
    (1.2, "110 to 120%"),
    (float("inf"), "Over 120%"),
)
AHEAD_WEEKS = 12
RUNS_SHOWN = 12


@dataclass(frozen=True)
class Cover:
    """Needs of one risk level, and how many someone holds."""

    rosh: Rosh
    needs: int
    held: int

    @property
    def gaps(self) -> int:
        """Needs nobody holds."""
        return self.needs - self.held


def held_by_risk(session: Session, on: date, reach: Reach) -> list[Cover]:
    """For each risk level, highest first: the region's active needs, how many held on a day."""
    counted = session.execute(
        select(
            Case.rosh,
            func.count(func.distinct(Need.id)),
            func.count(func.distinct(Allocation.need_id)),
        )
        .join(Need, Need.case_id == Case.id)
        .outerjoin(Allocation, and_(Allocation.need_id == Need.id, Allocation.held_on(on)))
        .where(Case.active, Need.active, case_within(reach))
        .group_by(Case.rosh)
    )
    found = {rosh: (needs, held) for rosh, needs, held in counted}
    return [Cover(rosh, *found.get(rosh, (0, 0))) for rosh in reversed(Rosh)]


def workload_bands(loads: Iterable[WeekLoad]) -> list[tuple[str, int]]:
    """How many practitioners fall in each band of Workload % this week."""
    counts: Counter[str] = Counter()
    for load in loads:
        share = load.workload if load.workload is not None else float("inf")
        counts[next(text for limit, text in BANDS if share <= limit)] += 1
    return [(text, counts[text]) for _, text in BANDS]


@dataclass(frozen=True)
class RunGaps:
    """A run's week and how many very-high and high risk needs it left uncovered."""

    run_id: int
    week: str
    very_high: int
    high: int


def gaps_over_runs(session: Session, reach: Reach) -> list[RunGaps]:
    """Uncovered very-high and high risk needs of the user's regions in the last runs."""
    runs = session.scalars(
        PlanRun.listed()
        .where(PlanRun.summary.is_not(None))
        .order_by(PlanRun.id.desc())
        .limit(RUNS_SHOWN)
    ).all()
    if not reach.national:
        return _regional_gaps(session, list(reversed(runs)), reach)
    gaps = []
    for run in reversed(runs):
        by_risk = run.summary["by_risk"]
        gaps.append(
            RunGaps(
                run.id,
                run.week,
                *(by_risk[r]["needs"] - by_risk[r]["covered"] for r in ("very_high", "high")),
            )
        )
    return gaps


def _regional_gaps(session: Session, runs: list[PlanRun], reach: Reach) -> list[RunGaps]:
    """The runs' gaps counted from their proposals for the user's regions alone, in one query."""
    risks = (Rosh.VERY_HIGH, Rosh.HIGH)
    counted = session.execute(
        select(ProposedAssignment.run_id, Case.rosh, func.count())
        .join(Need, ProposedAssignment.need_id == Need.id)
        .join(Case, Need.case_id == Case.id)
        .where(
            ProposedAssignment.run_id.in_([run.id for run in runs]),
            ProposedAssignment.staff_member_id.is_(None),
            Case.rosh.in_(risks),
            case_within(reach),
        )
        .group_by(ProposedAssignment.run_id, Case.rosh)
    )
    found = {(run_id, rosh): count for run_id, rosh, count in counted}
    return [
        RunGaps(run.id, run.week, *(found.get((run.id, rosh), 0) for rosh in risks)) for run in runs
    ]


# What the handover rules read of a case, and what the dashboard shows of one.
CUSTODY_COLUMNS = (
    Case.id,
    Case.reference,
    Site.code.label("site_code"),
    Case.cohort,
    Case.mappa_level,
    Case.rosh,
    Case.tier,
    Case.setting,
    Case.sentence_type,
    Case.sentence_date,
    Case.release_date,
    Case.parole_eligibility_date,
    Case.tariff_expiry_date,
    Case.parole_hearing_date,
    Case.released_on,
)


def may_have_events(on: date, end: date, policy: Policy) -> ColumnElement[bool]:
    """Whether a custody case could have a release or handover date from `on` to `end`.

    Only cases that pass are worked out by the rules, which would find nothing in the others:
    every date the rules give lies on or before the latest of the case's dates, and no further
    before one of its release, parole, tariff or hearing dates than the longest of the policy's
    handover periods and the COM's allocation ahead of it.
    """
    releases = (
        Case.release_date,
        Case.parole_eligibility_date,
        Case.tariff_expiry_date,
        Case.parole_hearing_date,
    )
    longest = max(
        policy.early_allocation_months,
        policy.indeterminate_months,
        policy.parole_months,
        policy.determinate_months,
    )
    back = timedelta(weeks=policy.com_allocation_weeks, days=policy.determinate_days)
    furthest = add_months(end + back, longest)
    return and_(
        or_(*(day >= on for day in (*releases, Case.sentence_date))),
        or_(*(day <= furthest for day in releases)),
    )


@dataclass(frozen=True)
class Milestone:
    """A release, a handover or a COM allocation coming up, and whether a COM is in place."""

    day: date
    event: str
    case: Row[Any]
    com_held: bool


def milestones(session: Session, on: date, policy: Policy, reach: Reach) -> list[Milestone]:
    """Releases, handovers and COM allocations of the user's custody cases in the coming weeks."""
    end = on + timedelta(weeks=AHEAD_WEEKS)
    # Plain rows, not mapped objects: every request weighs every custody case, and objects
    # cost ten times as much to build.
    cases = session.execute(
        select(*CUSTODY_COLUMNS)
        .join(Case.site)
        .where(
            Case.active,
            Case.setting == Setting.CUSTODY,
            case_within(reach),
            may_have_events(on, end, policy),
        )
    )
    found = []
    for case in cases:
        dates = handover(case, policy)
        for day, event in (
            (case.release_date, "Release"),
            (dates.com_responsible_from, "Handover to the COM"),
            (dates.com_allocated_from, "COM to be allocated"),
        ):
            if day is not None and on <= day <= end:
                found.append((day, event, case))
    # Whether each of those cases has a COM today, in one query rather than every need's history.
    held = set(
        session.scalars(
            select(Need.case_id)
            .join(Allocation, Allocation.need_id == Need.id)
            .where(
                Need.case_id.in_({case.id for _, _, case in found}),
                Need.key == "com",
                Need.active,
                Allocation.held_on(on),
            )
        )
    )
    return sorted(
        (Milestone(day, event, case, case.id in held) for day, event, case in found),
        key=lambda m: (m.day, m.case.reference),
    )


@dataclass(frozen=True)
class WeekOverview:
    """Counts and hours for one week."""

    week: IsoWeek
    case_count: int
    need_hours: float
    staff_count: int
    available_hours: float
    committed_hours: float

    @property
    def free_hours(self) -> float:
        """Hours the staff have for these cases: available, less work held elsewhere."""
        return self.available_hours - self.committed_hours

    @property
    def shortfall(self) -> float:
        """The share of the hours needed that the staff do not have (0 when fully staffed)."""
        if self.need_hours <= 0:
            return 0.0
        return max(0.0, 1 - self.free_hours / self.need_hours)


def week_overview(
    session: Session, loads: Sequence[WeekLoad], week: IsoWeek, reach: Reach
) -> WeekOverview:
    """Count the user's active caseload and weigh its hours against these staff's for a week."""
    cases = session.scalar(select(func.count(Case.id)).where(Case.active, case_within(reach)))
    need_hours = session.scalar(
        select(func.coalesce(func.sum(Need.hours), 0.0))
        .join(Case)
        .where(Need.active, Case.active, case_within(reach))
    )
    return WeekOverview(
        week=week,
        case_count=int(cases or 0),
        need_hours=float(need_hours or 0.0),
        staff_count=len(loads),
        available_hours=sum(load.available for load in loads),
        committed_hours=sum(load.committed for load in loads),
    )
