"""Who holds what on a date, and each person's load and Workload % for a week."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session, joinedload

from planner.models import Allocation, Case, Need, StaffMember
from planner.policy import Policy
from planner.rules import available_hours, committed_hours, workload
from planner.weeks import IsoWeek


def held_on(day: date) -> ColumnElement[bool]:
    """The condition for an allocation that is in force on a day."""
    return and_(
        Allocation.start_date <= day,
        or_(Allocation.end_date.is_(None), Allocation.end_date >= day),
    )


def current_allocations(
    session: Session, day: date, need_ids: Iterable[int] | None = None
) -> dict[int, Allocation]:
    """The allocation in force on a day for each need (of the given needs, or of all)."""
    query = select(Allocation).where(held_on(day)).options(joinedload(Allocation.staff_member))
    if need_ids is not None:
        query = query.where(Allocation.need_id.in_(list(need_ids)))
    return {allocation.need_id: allocation for allocation in session.scalars(query)}


@dataclass(frozen=True)
class StaffLoad:
    """A person's hours in a week: what they have, what they hold here and elsewhere."""

    available: float
    committed: float
    held: float
    cases: int

    @property
    def workload(self) -> float | None:
        """Workload %: all the work they hold over the hours they have (None if they have none)."""
        return workload(self.committed + self.held, self.available)


def held_hours(session: Session, day: date) -> dict[int, tuple[float, int]]:
    """Hours and cases each person holds on a day, from active needs of active cases."""
    rows = session.execute(
        select(
            Allocation.staff_member_id,
            func.coalesce(func.sum(Need.hours), 0.0),
            func.count(func.distinct(Need.case_id)),
        )
        .join(Need, Allocation.need_id == Need.id)
        .join(Case, Need.case_id == Case.id)
        .where(held_on(day), Need.active, Case.active)
        .group_by(Allocation.staff_member_id)
    )
    return {staff_id: (float(hours), int(cases)) for staff_id, hours, cases in rows}


def staff_loads(
    session: Session, staff: Sequence[StaffMember], week: IsoWeek, policy: Policy
) -> dict[int, StaffLoad]:
    """Each person's load in a week, in one query (their absences should already be loaded)."""
    held = held_hours(session, week.monday)
    loads = {}
    for person in staff:
        available = available_hours(person, week, policy)
        hours, cases = held.get(person.id, (0.0, 0))
        loads[person.id] = StaffLoad(
            available=available,
            committed=committed_hours(person, available),
            held=round(hours, 2),
            cases=cases,
        )
    return loads
