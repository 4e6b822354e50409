"""The alerts as a report: the dates checked again, then every open alert, worst first."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.alerting.conditions import (
    CASE_DATE_KINDS,
    DATE_KINDS,
    Week,
    date_conditions,
    refresh,
)
from planner.alerting.queries import alert_query, latest_run
from planner.domain.clock import today
from planner.domain.policy import Policy
from planner.domain.vocabulary import ALERT_KIND_NAMES
from planner.domain.weeks import IsoWeek
from planner.models import Alert, Allocation, Case, StaffMember
from planner.models.caseload import allocations_on, load_caseload

COLUMNS = ("severity", "kind", "case", "person", "reason", "detail", "remedy", "since")


def check_dates(session: Session, week: IsoWeek, policy: Policy) -> tuple[int, int, int]:
    """Open, keep or close the alerts the dates raise, against who holds each need that week."""
    cases, staff = load_caseload(session)
    found = date_conditions(Week(week, policy, cases, staff, _holders(session, week)))
    return refresh(session, found, DATE_KINDS, week, None)


def check_case_dates(session: Session, case: Case, week: IsoWeek, policy: Policy) -> None:
    """Open or close a case's date alerts as soon as it is saved (a review held, a COM due)."""
    session.flush()  # a new case and its needs get their ids
    holders = _holders(session, week, [need.id for need in case.needs])
    found = date_conditions(Week(week, policy, [case] if case.active else [], [], holders))
    refresh(session, found, CASE_DATE_KINDS, week, None, case_id=case.id)


def check_person_dates(
    session: Session, person: StaffMember, week: IsoWeek, policy: Policy
) -> None:
    """Open or close a person's vetting alert as soon as their details are saved."""
    held = select(Allocation.need_id).where(
        Allocation.staff_member_id == person.id, Allocation.held_on(week.monday)
    )
    holders: dict[int, int | None] = {need_id: person.id for need_id in session.scalars(held)}
    found = date_conditions(Week(week, policy, [], [person] if person.active else [], holders))
    refresh(session, found, DATE_KINDS - CASE_DATE_KINDS, week, None, staff_member_id=person.id)


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


def open_alerts(session: Session) -> list[Alert]:
    """Every open alert: the worst first, then the highest risk, then the oldest."""
    return list(session.scalars(alert_query({"status": "open"})).unique())


def as_rows(alerts: list[Alert]) -> list[dict[str, Any]]:
    """Each alert as plain values."""
    return [
        {
            "severity": alert.severity.value,
            "kind": ALERT_KIND_NAMES[alert.kind],
            "case": alert.case.reference if alert.case else "",
            "person": alert.staff_member.staff_ref if alert.staff_member else "",
            "reason": alert.reason,
            "detail": alert.detail or "",
            "remedy": alert.remedy or "",
            "since": alert.opened_at.date().isoformat(),
        }
        for alert in alerts
    ]


def render(alerts: list[Alert], form: str) -> str:
    """The report as a table to read, CSV for a spreadsheet, or JSON for another tool."""
    rows = as_rows(alerts)
    if form == "json":
        return json.dumps(rows, indent=2)
    if form == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return out.getvalue().rstrip("\n")
    shown = ("severity", "kind", "case", "person", "reason", "remedy")
    widths = {c: max([len(c), *(len(str(r[c])) for r in rows)]) for c in shown}
    lines = ["  ".join(c.upper().ljust(widths[c]) for c in shown)]
    lines += ["  ".join(str(r[c]).ljust(widths[c]) for c in shown) for r in rows]
    lines.append(f"{len(rows)} open alerts")
    return "\n".join(line.rstrip() for line in lines)
