"""A save refused because someone saved first: who, when, and their values beside the manager's."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session
from wtforms import BooleanField, Field, Form, HiddenField, SelectFieldBase, SubmitField
from wtforms.fields.choices import SelectMultipleField

from planner.models import AuditEvent
from planner.models.access import SIGN_IN, VIEW
from planner.web.forms import GovDateField, HoursField
from planner.web.templating import govuk_date, hours, sentence, time_on_date

NOTHING = "None"


@dataclass(frozen=True)
class Difference:
    """One question of the form answered one way in the record now, another in the form."""

    question: str
    theirs: str
    yours: str


@dataclass(frozen=True)
class Conflict:
    """Who changed the record since the form was opened, and where their values differ."""

    message: str
    differences: tuple[Difference, ...]
    # Whether a form's answers were compared (a confirmation has none to compare).
    compared: bool


def conflict(
    change: AuditEvent | None,
    what: str,
    theirs: Form | None = None,
    yours: Form | None = None,
    skip: Collection[str] = (),
) -> Conflict:
    """The conflict over a record changed by `change` (its latest line in the audit log)."""
    if change is None:
        message = f"Someone changed {what} since you opened it"
    else:
        # A person is named by their username; a command or a run by what it is.
        who = change.actor if change.user_id is not None else sentence(change.actor)
        message = f"{who} changed {what} at {time_on_date(change.at)} since you opened it"
    compared = theirs is not None and yours is not None
    found = differences(theirs, yours, skip) if theirs is not None and yours is not None else []
    return Conflict(message, tuple(found), compared)


def last_change(session: Session, entity: str, entity_id: int) -> AuditEvent | None:
    """The latest change to a record in the audit log (not a view of it)."""
    return _latest(session, AuditEvent.entity == entity, AuditEvent.entity_id == str(entity_id))


def last_change_to_needs(session: Session, case_id: int) -> AuditEvent | None:
    """The latest change to any need of a case in the audit log."""
    return _latest(session, AuditEvent.entity == "need", AuditEvent.case_id == case_id)


def _latest(session: Session, *criteria: ColumnElement[bool]) -> AuditEvent | None:
    """The latest line of the audit log that is a change (not a view or a sign-in) and matches."""
    return session.scalar(
        select(AuditEvent)
        .where(*criteria, AuditEvent.action.not_in([VIEW, SIGN_IN]))
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )


def differences(theirs: Form, yours: Form, skip: Collection[str] = ()) -> list[Difference]:
    """Each question whose answer in the record now differs from the form's, in the form's order."""
    found = []
    for field in yours:
        if field.name in skip or isinstance(field, HiddenField | SubmitField):
            continue
        mine, now = answer(field), answer(theirs[field.name])
        if mine != now:
            found.append(Difference(str(field.label.text), now, mine))
    return found


def answer(field: Field) -> str:
    """What a field says, in the words the form shows (a choice's label, a date in words)."""
    data: Any = field.data
    if isinstance(field, BooleanField):
        return "Yes" if data else "No"
    if isinstance(field, SelectMultipleField):
        chosen = {str(value) for value in data or ()}
        labels = [label for value, label, *_ in field.iter_choices() if str(value) in chosen]
        return ", ".join(labels) or NOTHING
    if isinstance(field, SelectFieldBase):
        value = "" if data is None else str(data)
        return next(
            (str(label) for option, label, *_ in field.iter_choices() if str(option) == value),
            value or NOTHING,
        )
    if isinstance(field, GovDateField) or isinstance(data, date):
        return govuk_date(data) or NOTHING
    if isinstance(field, HoursField):
        return hours(data) if isinstance(data, float | int) else (data or NOTHING)
    return str(data).strip() if data not in (None, "") else NOTHING
