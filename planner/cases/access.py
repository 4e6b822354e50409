"""Restricted ("limited access") cases: who is named on one, and who could be."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from planner.models import Case, CaseAccess, RegionAccess, User


def named_users(session: Session, case: Case) -> list[User]:
    """The users named on a case, by username."""
    return list(
        session.scalars(
            select(User)
            .join(CaseAccess, CaseAccess.user_id == User.id)
            .where(CaseAccess.case_id == case.id)
            .order_by(User.username)
        )
    )


def users_who_see(session: Session, case: Case) -> list[User]:
    """The active users who see the case's region (nationally or given it), by username."""
    given = select(RegionAccess.user_id).where(RegionAccess.region_id == case.site.region_id)
    return list(
        session.scalars(
            select(User)
            .where(User.active, or_(User.national, User.id.in_(given)))
            .order_by(User.username)
        )
    )


def set_access(
    session: Session, case: Case, restricted: bool, user_ids: set[int], actor_id: int
) -> None:
    """Restrict a case to the named users (and its restricter), or open it to its region again."""
    case.restricted = restricted
    # Whoever restricts a case stays able to open it: they could not undo it otherwise.
    wanted = (user_ids | {actor_id}) if restricted else set()
    present = set(session.scalars(select(CaseAccess.user_id).where(CaseAccess.case_id == case.id)))
    for user_id in sorted(present - wanted):
        # One row at a time, through the session, so that each removal is audited.
        access = session.get(CaseAccess, (case.id, user_id))
        if access is not None:
            session.delete(access)
    session.add_all(
        CaseAccess(case_id=case.id, user_id=user_id) for user_id in sorted(wanted - present)
    )
