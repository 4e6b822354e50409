"""The alerts as a report: every open alert, worst first, as a table, CSV or JSON; and the
alerts list's rows as a spreadsheet."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from sqlalchemy.orm import Session

from planner.alerting.queries import alert_query
from planner.domain.reach import Reach
from planner.domain.vocabulary import ALERT_KIND_NAMES, label
from planner.models import Alert

RESTRICTED = "A restricted case"  # how a case the user may not open is named to them

COLUMNS = ("severity", "kind", "case", "person", "reason", "detail", "remedy", "since")


def open_alerts(session: Session) -> list[Alert]:
    """Every open alert: the worst first, then the highest risk, then the oldest."""
    return list(session.scalars(alert_query({"status": "open"}, Reach.everything())).unique())


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


ALERT_HEADERS = (
    "Severity",
    "Kind",
    "Case",
    "Case name",
    "RoSH",
    "Person",
    "Staff ID",
    "Where",
    "Region",
    "What is wrong",
    "Detail",
    "What would fix it",
    "Since",
    "Acknowledged",
    "Acknowledged by",
    "Note",
    "Closed",
)


def alert_rows(alerts: list[Alert], openable: set[int]) -> list[list[object]]:
    """The alerts as the list shows them: a case the user may not open is "A restricted case",
    with its risk but without its reference or name."""
    rows: list[list[object]] = []
    for alert in alerts:
        case, person = alert.case, alert.staff_member
        site = case.site if case else person.site if person else None
        hidden = case is not None and case.id not in openable
        rows.append(
            [
                label(alert.severity),
                ALERT_KIND_NAMES.get(alert.kind, alert.kind),
                (RESTRICTED if hidden else case.reference) if case else "",
                case.name if case and not hidden else "",
                label(case.rosh) if case else "",
                person.name if person else "",
                person.staff_ref if person else "",
                site.name if site else "",
                site.region.name if site else "",
                alert.reason,
                alert.detail or "",
                alert.remedy or "",
                alert.opened_at,
                alert.acknowledged_at,
                alert.acknowledged_by.username if alert.acknowledged_by else "",
                alert.acknowledgement_note or "",
                alert.closed_at,
            ]
        )
    return rows
