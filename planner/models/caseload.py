"""The caseload as the rules read it: every active case and person, and who holds what on a day."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from planner.models.people import Allocation, Case, Exclusion, Need
from planner.models.places import Site
from planner.models.staff import StaffMember


def load_caseload(session: Session, fresh: bool = False) -> tuple[list[Case], list[StaffMember]]:
    """Every active case and person, with what the snapshot reads of them, in a few queries.

    `fresh` reads the rows again over those already loaded (another process may have changed
    them); otherwise rows already in the session are taken as they are.
    """
    cases = session.scalars(
        select(Case)
        .where(Case.active)
        .order_by(Case.reference)
        .options(
            joinedload(Case.site).joinedload(Site.region),
            selectinload(Case.needs).selectinload(Need.allocations),
            selectinload(Case.exclusions).joinedload(Exclusion.staff_member),
        )
        .execution_options(populate_existing=fresh)
    ).all()
    staff = session.scalars(
        select(StaffMember)
        .where(StaffMember.active)
        .order_by(StaffMember.staff_ref)
        .options(
            joinedload(StaffMember.site).joinedload(Site.region),
            selectinload(StaffMember.absences),
        )
        .execution_options(populate_existing=fresh)
    ).all()
    return list(cases), list(staff)


def allocations_on(
    session: Session, day: date, need_ids: Iterable[int] | None = None
) -> dict[int, Allocation]:
    """The allocation in force on a day for each need (of the given needs, or of all)."""
    query = (
        select(Allocation)
        .where(Allocation.held_on(day))
        .options(joinedload(Allocation.staff_member))
    )
    if need_ids is not None:
        query = query.where(Allocation.need_id.in_(list(need_ids)))
    return {allocation.need_id: allocation for allocation in session.scalars(query)}
