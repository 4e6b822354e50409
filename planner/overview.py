"""A week at a glance: the caseload, the hours it needs and the hours the staff have."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from planner.domain.policy import Policy
from planner.domain.rules import available_hours, committed_hours, responsibility_state
from planner.domain.vocabulary import ResponsibilityState, Rosh
from planner.domain.weeks import IsoWeek
from planner.models import Case, Need, StaffMember


@dataclass(frozen=True)
class WeekOverview:
    """Counts and hours for one week."""

    week: IsoWeek
    cases_by_rosh: dict[Rosh, int]
    cases_by_state: dict[ResponsibilityState, int]
    need_hours: float
    staff_count: int
    available_hours: float
    committed_hours: float

    @property
    def case_count(self) -> int:
        """Active cases."""
        return sum(self.cases_by_rosh.values())

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


def week_overview(session: Session, week: IsoWeek, policy: Policy) -> WeekOverview:
    """Count the active caseload and weigh its hours against the staff's for a week."""
    cases = session.scalars(select(Case).where(Case.active)).all()
    on: date = week.monday
    need_hours = session.scalar(
        select(func.coalesce(func.sum(Need.hours), 0.0)).join(Case).where(Need.active, Case.active)
    )
    staff = session.scalars(
        select(StaffMember).where(StaffMember.active).options(selectinload(StaffMember.absences))
    ).all()
    available = [available_hours(person, week, policy) for person in staff]
    return WeekOverview(
        week=week,
        cases_by_rosh=Counter(case.rosh for case in cases),
        cases_by_state=Counter(responsibility_state(case, on, policy) for case in cases),
        need_hours=float(need_hours or 0.0),
        staff_count=len(staff),
        available_hours=sum(available),
        committed_hours=sum(map(committed_hours, staff, available)),
    )
