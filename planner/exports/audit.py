"""The audit line of every export: who, when, which kind, with which options, how many rows."""

from __future__ import annotations

from sqlalchemy.orm import Session

from planner.models.access import record_view
from planner.web.spreadsheets import FileFormat, Sheet

EXPORT = "export"


def record_export(
    session: Session,
    actor: str,
    user_id: int | None,
    kind: str,
    sheet: Sheet,
    file_format: FileFormat,
    options: dict[str, str],
) -> None:
    """One line saying who exported which list, narrowed how, as what, and how many rows."""
    rows = len(sheet.rows)
    narrowed = "; ".join(f"{name} {value}" for name, value in sorted(options.items()))
    summary = f"Exported {sheet.title.lower()} as {file_format.upper()}, {rows} rows"
    if narrowed:
        summary += f" ({narrowed})"
    details = {"kind": kind, "format": str(file_format), "options": options, "rows": rows}
    record_view(session, actor, user_id, EXPORT, kind, summary, details)
