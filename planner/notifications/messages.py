"""What each email says: case references and dates only, never names or offence details."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from planner.web.spreadsheets import MARKING
from planner.web.templating import govuk_date

# First and last in every body, as on every page and file the planner makes.
HANDLING = f"{MARKING}. Do not forward this email outside the people who manage these cases."
OPEN_THE_PLANNER = "Open the caseload planner to see the details."


@dataclass(frozen=True)
class Message:
    """An email's subject and plain-text body."""

    subject: str
    body: str


def _body(*paragraphs: str) -> str:
    """Paragraphs between the handling marking, top and bottom."""
    return "\n\n".join((HANDLING, *paragraphs, OPEN_THE_PLANNER, HANDLING)) + "\n"


def _listed(references: Sequence[str]) -> str:
    """References one a line."""
    return "\n".join(f"- {reference}" for reference in references)


def cases_changed(week: str, monday: date, gained: Sequence[str], lost: Sequence[str]) -> Message:
    """To a practitioner: the cases a plan just approved gives them and takes from them."""
    parts = [f"A plan for week {week} was approved. From {govuk_date(monday)}:"]
    if gained:
        parts.append(f"You now hold work on these cases:\n{_listed(gained)}")
    if lost:
        parts.append(f"You no longer hold work on these cases:\n{_listed(lost)}")
    counts = []
    if gained:
        counts.append(f"{len(gained)} gained")
    if lost:
        counts.append(f"{len(lost)} lost")
    return Message(
        f"{MARKING}: your cases from {govuk_date(monday)} ({', '.join(counts)})", _body(*parts)
    )


@dataclass(frozen=True)
class DigestLine:
    """One open alert in a digest: its severity, its kind and what it is about."""

    severity: str
    kind: str
    about: str


def alert_digest(week: str, lines: Sequence[DigestLine], total: int) -> Message:
    """To a manager: the open critical and warning alerts of their regions this week."""
    critical = sum(line.severity == "Critical" for line in lines)
    shown = "\n".join(f"- {line.severity}: {line.kind}, {line.about}" for line in lines)
    more = f"\n\nAnd {total - len(lines)} more." if total > len(lines) else ""
    summary = (
        f"{total} open critical and warning alert{'s' if total != 1 else ''} in your regions "
        f"for week {week}."
    )
    return Message(
        f"{MARKING}: {total} open alerts, {critical} critical (week {week})"
        if total
        else f"{MARKING}: no open critical or warning alerts (week {week})",
        _body(summary, shown + more) if lines else _body(summary),
    )


def run_failed(run_id: int, week: str, why: str) -> Message:
    """To the manager who started it: a plan run that failed, and why."""
    return Message(
        f"{MARKING}: plan run {run_id} for week {week} failed",
        _body(
            f"Plan run {run_id} for week {week}, which you started, failed.",
            f"Why: {why}",
            "Nothing of it was saved. The week is free to be planned again.",
        ),
    )


def handover_due(reference: str, day: date, role: str, today: date) -> Message:
    """To a POM or COM: the day the COM takes over responsibility for a case, or that it is now."""
    when = "today" if day == today else f"on {govuk_date(day)}"
    return Message(
        f"{MARKING}: handover of {reference} {when}",
        _body(
            f"The community offender manager (COM) takes over responsibility for case "
            f"{reference} {when}.",
            f"You hold its {role}.",
        ),
    )
