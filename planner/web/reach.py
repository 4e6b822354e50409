"""Need-to-know for every page: the signed-in user's reach, and the one answer to "may they see it".

Another region's record, or a restricted case the user is not named on, answers 404 rather
than 403: a refusal would tell them that it exists.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import abort, g
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.domain.reach import Reach
from planner.domain.vocabulary import UserRole
from planner.extensions import db
from planner.models import Alert, Case, RegionAccess, User
from planner.models.reach import alert_within, case_openable, case_within


def reach_of(session: Session, user: User) -> Reach:
    """What a user may see: national, or the regions given them; restricted cases if admin."""
    if user.national:
        admin = user.can(UserRole.ADMIN)
        return Reach(user_id=user.id, national=True, every_restricted_case=admin)
    regions = session.scalars(select(RegionAccess.region_id).where(RegionAccess.user_id == user.id))
    return Reach(user_id=user.id, national=False, region_ids=frozenset(regions))


def current_reach() -> Reach:
    """The signed-in user's reach, worked out once a request."""
    if "reach" not in g:
        g.reach = reach_of(db.session, current_user)
    reach: Reach = g.reach
    return reach


def case_or_404(case_id: int) -> Case:
    """A case the user may open, or 404 (another region's, or restricted without them)."""
    case = db.session.scalar(select(Case).where(Case.id == case_id, case_openable(current_reach())))
    return case or abort(404)


def openable_cases(case_ids: Iterable[int]) -> set[int]:
    """Those of the cases the user may open, in one query (for a list that names cases)."""
    wanted = sorted(set(case_ids))
    if not wanted:
        return set()
    rows = db.session.scalars(
        select(Case.id).where(Case.id.in_(wanted), case_openable(current_reach()))
    )
    return set(rows)


def cases_within(case_ids: Iterable[int]) -> set[int]:
    """Those of the cases in the user's regions, restricted or not (they count in figures)."""
    wanted = sorted(set(case_ids))
    if not wanted:
        return set()
    rows = db.session.scalars(
        select(Case.id).where(Case.id.in_(wanted), case_within(current_reach()))
    )
    return set(rows)


def alert_or_404(alert_id: int) -> Alert:
    """An alert about the user's regions, or 404."""
    alert = db.session.scalar(
        select(Alert).where(Alert.id == alert_id, alert_within(current_reach()))
    )
    return alert or abort(404)


def national_or_404() -> None:
    """Answer 404 to anyone who does not see every region (the national planning tools)."""
    if not current_reach().national:
        abort(404)
