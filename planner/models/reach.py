"""Who may see what, as SQL: the regions users are given, and who is named on restricted cases."""

from __future__ import annotations

from sqlalchemy import ColumnElement, ForeignKey, and_, exists, or_, select, true
from sqlalchemy.orm import Mapped, mapped_column

from planner.domain.reach import Reach
from planner.extensions import db
from planner.models.people import Case
from planner.models.places import Site
from planner.models.plans import Alert
from planner.models.staff import StaffMember


class RegionAccess(db.Model):
    """A region a user may see: its cases, staff, alerts and its part of each plan."""

    __tablename__ = "region_access"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True
    )
    region_id: Mapped[int] = mapped_column(
        ForeignKey("region.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class CaseAccess(db.Model):
    """A user named on a restricted ("limited access") case: one of the few who may open it."""

    __tablename__ = "case_access"

    case_id: Mapped[int] = mapped_column(
        ForeignKey("case_record.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True, index=True
    )


def site_within(site_id: ColumnElement[int] | Mapped[int], reach: Reach) -> ColumnElement[bool]:
    """Whether a site (by its id column) lies in the reach's regions."""
    if reach.national:
        return true()
    return site_id.in_(select(Site.id).where(Site.region_id.in_(sorted(reach.region_ids))))


def case_within(reach: Reach) -> ColumnElement[bool]:
    """Whether a case is in the reach's regions (restricted or not: it counts in figures)."""
    return site_within(Case.site_id, reach)


def case_openable(reach: Reach) -> ColumnElement[bool]:
    """Whether the user may open a case: in their regions, and named on it if it is restricted."""
    if reach.every_restricted_case:
        return case_within(reach)
    named = exists().where(CaseAccess.case_id == Case.id, CaseAccess.user_id == reach.user_id)
    return and_(case_within(reach), or_(Case.restricted.is_(False), named))


def staff_within(reach: Reach) -> ColumnElement[bool]:
    """Whether a practitioner works at a site of the reach's regions."""
    return site_within(StaffMember.site_id, reach)


def alert_within(reach: Reach) -> ColumnElement[bool]:
    """Whether an alert is about a case of the reach's regions, or else a person of them."""
    if reach.national:
        return true()
    return or_(
        Alert.case_id.in_(select(Case.id).where(case_within(reach))),
        and_(
            Alert.case_id.is_(None),
            Alert.staff_member_id.in_(select(StaffMember.id).where(staff_within(reach))),
        ),
    )
