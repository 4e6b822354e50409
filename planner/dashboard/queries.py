"""The dashboard's figures: the week at a glance, needs held by risk, workloads and gaps."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from planner.domain.reach import Reach
from planner.domain.vocabulary import Rosh
from planner.domain.weeks import IsoWeek
from planner.models import Allocation, Case, Need, PlanRun, ProposedAssignment
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
