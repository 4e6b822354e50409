"""Alerts kept in step with what runs and dates find (opened, kept, closed), and acknowledged."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.alerting.conditions import (
    CASE_DATE_KINDS,
    DATE_KINDS,
    Condition,
    Week,
    date_conditions,
)
from planner.alerting.queries import latest_run
from planner.domain.clock import today
from planner.domain.policy import Policy
from planner.domain.weeks import IsoWeek
from planner.models import Alert, Allocation, Case, PlanRun, StaffMember, User
from planner.models.auditing import actor_name
from planner.models.caseload import allocations_on, load_caseload
from planner.models.types import utcnow


def check_dates(session: Session, week: IsoWeek, policy: Policy) -> tuple[int, int, int]:
    """Open, keep or close the alerts the dates raise, against who holds each need that week."""
    cases, staff = load_caseload(session)
    found = date_conditions(Week(week, policy, cases, staff, _holders(session, week)))
    return refresh(session, found, DATE_KINDS, week, None, _by("a check of the dates", session))


def check_case_dates(session: Session, case: Case, week: IsoWeek, policy: Policy) -> None:
    """Open or close a case's date alerts as soon as it is saved (a review held, a COM due)."""
    session.flush()  # a new case and its needs get their ids
    holders = _holders(session, week, [need.id for need in case.needs])
    found = date_conditions(Week(week, policy, [case] if case.active else [], [], holders))
    cause = _by("a save of the case", session)
    refresh(session, found, CASE_DATE_KINDS, week, None, cause, case_id=case.id)


def check_person_dates(
    session: Session, person: StaffMember, week: IsoWeek, policy: Policy
) -> None:
    """Open or close a person's vetting alert as soon as their details are saved."""
    held = select(Allocation.need_id).where(
        Allocation.staff_member_id == person.id, Allocation.held_on(week.monday)
    )
    holders: dict[int, int | None] = {need_id: person.id for need_id in session.scalars(held)}
    found = date_conditions(Week(week, policy, [], [person] if person.active else [], holders))
    cause = _by("a save of the person's details", session)
    kinds = DATE_KINDS - CASE_DATE_KINDS
    refresh(session, found, kinds, week, None, cause, staff_member_id=person.id)


def _by(what: str, session: Session) -> str:
    """What changed the alerts, and who did it."""
    return f"{what} by {actor_name(session)}"


def dates_week(session: Session) -> IsoWeek:
    """The week the dates are checked for: the latest run's, unless it is past, else this one."""
    this = IsoWeek.containing(today())
    run = latest_run(session)
    # A run checks the dates of its own week: checking an earlier one would close what it opened.
    return max(this, IsoWeek.parse(run.week)) if run else this


def _holders(
    session: Session, week: IsoWeek, need_ids: list[int] | None = None
) -> dict[int, int | None]:
    """Who holds each need (of the given needs, or of all) on the week's Monday."""
    return {
        need_id: allocation.staff_member_id
        for need_id, allocation in allocations_on(session, week.monday, need_ids).items()
    }


def refresh(
    session: Session,
    found: Iterable[Condition],
    kinds: frozenset[str],
    week: IsoWeek,
    run: PlanRun | None,
    cause: str,
    *,
    case_id: int | None = None,
    staff_member_id: int | None = None,
) -> tuple[int, int, int]:
    """Open new alerts, keep those still true, close those of these kinds that no longer hold.

    `cause` says in words what found them ("run 3"), for each alert's history.
    """
    now = utcnow()
    conditions = {condition.key: condition for condition in found}
    # Given a case or a person, the conditions were looked for on them alone: only their
    # alerts may close.
    query = select(Alert).where(Alert.closed_at.is_(None), Alert.kind.in_(kinds))
    if case_id is not None:
        query = query.where(Alert.case_id == case_id)
    if staff_member_id is not None:
        query = query.where(Alert.staff_member_id == staff_member_id)
    open_alerts = {alert.key: alert for alert in session.scalars(query)}
    opened = kept = closed = 0
    for key, condition in conditions.items():
        alert = open_alerts.pop(key, None)
        if alert is None:
            alert = Alert(
                key=key, opened_at=now, opened_run_id=run.id if run else None, opened_by=cause
            )
            session.add(alert)
            opened += 1
        else:
            kept += 1
        alert.kind = condition.kind
        alert.severity = condition.severity
        alert.reason = condition.reason[:300]
        alert.detail = condition.detail
        alert.remedy = condition.remedy
        alert.case_id = condition.case_id
        alert.staff_member_id = condition.staff_member_id
        alert.need_id = condition.need_id
        alert.week = str(week)
        if run is not None:
            alert.last_run_id = run.id
    for alert in open_alerts.values():
        alert.closed_at = now
        alert.closed_by = cause
        closed += 1
    return opened, kept, closed


def acknowledge(alert: Alert, user: User, note: str) -> None:
    """Record that a manager has seen an alert, with a note; it stays open until it clears."""
    alert.acknowledged_at = utcnow()
    alert.acknowledged_by_id = user.id
    alert.acknowledgement_note = note
