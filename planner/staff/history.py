"""A person's history, read from the audit log and written as sentences."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from planner.cases.history import HistoryLine, history_lines
from planner.models import AuditEvent

HISTORY_LIMIT = 100


@dataclass(frozen=True)
class History:
    """The latest changes to a person, as sentences, and how many changes there are in all."""

    entries: list[HistoryLine]
    total: int


def person_history(session: Session, staff_id: int) -> History:
    """The latest changes to a person, their absences and what they were allocated."""
    where = AuditEvent.staff_member_id == staff_id
    total = session.scalar(select(func.count()).select_from(AuditEvent).where(where)) or 0
    events = session.scalars(
        select(AuditEvent)
        .where(where)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(HISTORY_LIMIT)
    ).all()
    return History(history_lines(session, events, with_case=True), total)
