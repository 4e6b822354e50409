"""A person's history, read from the audit log: who changed what, when, from what to what."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from planner.domain.vocabulary import label
from planner.models import AuditEvent, Case, Need, Site
from planner.staff.services import skill_label
from planner.web.templating import govuk_date, hours

HISTORY_LIMIT = 100
# Columns that say nothing to a reader: keys, and times the log records anyway.
HIDDEN = frozenset({"id", "staff_member_id", "created_at", "updated_at", "created_by_id"})
FIELD_NAMES = {
    "staff_ref": "Staff ID",
    "name": "Full name",
    "site_id": "Site",
    "need_id": "Need",
    "case_id": "Case",
    "contracted_hours": "Contracted hours",
    "other_work_hours": "Other work hours",
    "vetting": "Vetting level",
    "vetting_expiry": "Vetting expiry date",
    "max_cases": "Maximum cases",
    "training_start": "Training start date",
    "kind": "Kind",
    "start_date": "Start date",
    "end_date": "End date",
    "hours_per_week": "Hours a week",
    "plan_run_id": "Plan run",
}
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
VERBS = {"create": "Added", "update": "Changed", "delete": "Deleted"}


@dataclass(frozen=True)
class FieldChange:
    """One value of a change: what it was and what it became."""

    field: str
    before: str | None
    after: str | None


@dataclass(frozen=True)
class HistoryEntry:
    """One line of the log, in words."""

    event: AuditEvent
    title: str
    changes: list[FieldChange]


@dataclass(frozen=True)
class History:
    """The latest changes to a person, and how many there are in all."""

    entries: list[HistoryEntry]
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
    names = _names(session, events)
    entries = [
        HistoryEntry(
            event=event,
            title=f"{VERBS.get(event.action, event.action.capitalize())} {event.entity}",
            changes=_changes(event, names),
        )
        for event in events
    ]
    return History(entries, total)


def _names(session: Session, events: Sequence[AuditEvent]) -> dict[tuple[str, int], str]:
    """What the sites, needs and cases that the events refer to by number are called."""
    ids: dict[str, set[int]] = {"site_id": set(), "need_id": set(), "case_id": set()}
    for event in events:
        for values in (event.before or {}, event.after or {}):
            for field, found in ids.items():
                if isinstance(values.get(field), int):
                    found.add(values[field])
    names: dict[tuple[str, int], str] = {}
    if ids["site_id"]:
        for site_id, name in session.execute(
            select(Site.id, Site.name).where(Site.id.in_(ids["site_id"]))
        ):
            names["site_id", site_id] = name
    if ids["need_id"]:
        for need_id, key, reference in session.execute(
            select(Need.id, Need.key, Case.reference)
            .join(Case, Need.case_id == Case.id)
            .where(Need.id.in_(ids["need_id"]))
        ):
            names["need_id", need_id] = f"{reference} {key.replace('_', ' ').upper()}"
    if ids["case_id"]:
        for case_id, reference in session.execute(
            select(Case.id, Case.reference).where(Case.id.in_(ids["case_id"]))
        ):
            names["case_id", case_id] = reference
    return names


def _changes(event: AuditEvent, names: dict[tuple[str, int], str]) -> list[FieldChange]:
    """The values an event set, changed or removed, in words."""
    before = event.before or {}
    after = event.after or {}
    values = {**before, **after}
    # A new or deleted row's empty values say nothing; a change to or from empty does.
    fields = [
        field
        for field, value in values.items()
        if field not in HIDDEN and (event.action == "update" or value not in (None, [], ""))
    ]
    return [
        FieldChange(
            field=FIELD_NAMES.get(field, label(field)),
            before=_shown(field, before[field], names) if field in before else None,
            after=_shown(field, after[field], names) if field in after else None,
        )
        for field in fields
    ]


def _shown(field: str, value: Any, names: dict[tuple[str, int], str]) -> str:
    """A logged value as a person reads it."""
    if value is None or value == []:
        return "none"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int) and (field, value) in names:
        return names[field, value]
    if isinstance(value, float):
        return hours(value)
    if isinstance(value, list):
        return ", ".join(skill_label(item) if field == "skills" else str(item) for item in value)
    if isinstance(value, str) and ISO_DATE.match(value):
        return govuk_date(date.fromisoformat(value))
    if isinstance(value, str) and field in ("role", "grade", "vetting", "kind"):
        return label(value)
    return str(value)
