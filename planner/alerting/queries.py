"""Reading alerts: open ones in severity, risk and date order, filtered, with where to act."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session, aliased, selectinload

from planner.alerting.conditions import DATE_KINDS
from planner.domain.reach import Reach
from planner.domain.vocabulary import SEVERITY_RANK, AlertKind
from planner.models import Alert, Case, PlanRun, ProposedAssignment, Site, StaffMember
from planner.models.reach import alert_within
from planner.models.types import ranked

SEVERITY_IN_SQL = ranked(Alert.severity, SEVERITY_RANK)
KIND_IN_SQL = ranked(Alert.kind, {kind: rank for rank, kind in enumerate(AlertKind)})
# The status filter's choices, in words: an acknowledged alert is still open until it clears.
STATUSES = {
    "open": "Open",
    "unacknowledged": "Open, not acknowledged",
    "acknowledged": "Open, acknowledged",
    "closed": "Closed",
}


def alert_query(filters: dict[str, str], reach: Reach) -> Select[Any]:
    """The user's alerts matching the filters: the worst first, the highest risk, the oldest."""
    case_site = aliased(Site)
    staff_site = aliased(Site)
    query = (
        select(Alert)
        .outerjoin(Case, Alert.case_id == Case.id)
        .outerjoin(case_site, Case.site_id == case_site.id)
        .outerjoin(StaffMember, Alert.staff_member_id == StaffMember.id)
        .outerjoin(staff_site, StaffMember.site_id == staff_site.id)
        .options(
            selectinload(Alert.case).joinedload(Case.site).joinedload(Site.region),
            selectinload(Alert.staff_member).joinedload(StaffMember.site).joinedload(Site.region),
            selectinload(Alert.acknowledged_by),
        )
        .where(alert_within(reach))
        .order_by(
            SEVERITY_IN_SQL.desc(),
            Case.rosh_rank.desc().nulls_last(),
            KIND_IN_SQL,
            Alert.opened_at,
            Alert.id,
        )
    )
    status = filters.get("status") or "open"
    if status == "closed":
        query = query.where(Alert.closed_at.is_not(None))
    else:
        query = query.where(Alert.closed_at.is_(None))
        if status == "acknowledged":
            query = query.where(Alert.acknowledged_at.is_not(None))
        elif status == "unacknowledged":
            query = query.where(Alert.acknowledged_at.is_(None))
    if filters.get("severity"):
        query = query.where(Alert.severity == filters["severity"])
    if filters.get("kind"):
        query = query.where(Alert.kind == filters["kind"])
    if filters.get("region"):
        region = int(filters["region"])
        query = query.where(or_(case_site.region_id == region, staff_site.region_id == region))
    if filters.get("site"):
        site = int(filters["site"])
        query = query.where(or_(case_site.id == site, staff_site.id == site))
    return query


def latest_run(session: Session) -> PlanRun | None:
    """The newest run that finished: its alerts are the new ones."""
    return session.scalar(
        PlanRun.listed().where(PlanRun.summary.is_not(None)).order_by(PlanRun.id.desc()).limit(1)
    )


@dataclass(frozen=True)
class Action:
    """Where to go to fix an alert."""

    text: str
    href: str


def actions(
    session: Session, alerts: list[Alert], run: PlanRun | None, openable: set[int]
) -> dict[int, Action]:
    """The page that fixes each alert (the override, the person, the case) the user may open."""
    proposals = {}
    if run is not None and run.approved_at is None:
        need_ids = [alert.need_id for alert in alerts if alert.need_id]
        proposals = dict(
            session.execute(
                select(ProposedAssignment.need_id, ProposedAssignment.id).where(
                    and_(
                        ProposedAssignment.run_id == run.id,
                        ProposedAssignment.need_id.in_(need_ids),
                    )
                )
            ).all()
        )
    found = {}
    for alert in alerts:
        if alert.case_id is not None and alert.case_id not in openable:
            continue
        if alert.need_id in proposals and alert.kind not in DATE_KINDS:
            found[alert.id] = Action(
                "Change the plan", f"/plans/{run.id}/proposals/{proposals[alert.need_id]}/override"
            )
        elif alert.kind == "vetting":
            found[alert.id] = Action("Update their vetting", f"/staff/{alert.staff_member_id}/edit")
        elif alert.kind in ("mappa_review", "erg_review"):
            found[alert.id] = Action("Record the next review", f"/cases/{alert.case_id}/edit")
        elif alert.staff_member_id and not alert.case_id:
            found[alert.id] = Action("See their cases", f"/staff/{alert.staff_member_id}")
        elif alert.case_id:
            found[alert.id] = Action("See the case", f"/cases/{alert.case_id}")
    return found
