"""Writes every create, change and delete of the recorded data to the append-only audit log."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from flask import Flask, has_request_context
from flask_login import current_user
from sqlalchemy import event, insert, inspect, select
from sqlalchemy.orm import Session, UOWTransaction

from planner.models import (
    Absence,
    Alert,
    Allocation,
    AuditEvent,
    Case,
    CaseAccess,
    Exclusion,
    Need,
    PlanRun,
    PolicySetting,
    ProposedAssignment,
    Region,
    RegionAccess,
    Site,
    StaffMember,
    User,
)

ALL = frozenset({"create", "update", "delete"})

# What each audited model is called in the log, which attribute names a row for people, and
# which actions are audited: a run's proposals and alerts are written by the batch in bulk and
# kept with the run, so only people's changes to them (overrides, acknowledgements) are logged.
AUDITED: dict[type, tuple[str, str, frozenset[str]]] = {
    Case: ("case", "reference", ALL),
    Need: ("need", "key", ALL),
    Exclusion: ("exclusion", "id", ALL),
    Allocation: ("allocation", "id", ALL),
    StaffMember: ("staff member", "staff_ref", ALL),
    Absence: ("absence", "id", ALL),
    User: ("user", "username", ALL),
    RegionAccess: ("region access", "user_id", ALL),
    CaseAccess: ("case access", "user_id", ALL),
    PolicySetting: ("policy setting", "key", ALL),
    Region: ("region", "name", ALL),
    Site: ("site", "code", ALL),
    PlanRun: ("plan run", "id", ALL),
    ProposedAssignment: ("proposed assignment", "id", frozenset({"update"})),
    Alert: ("alert", "key", frozenset({"update"})),
}
SECRET_COLUMNS = frozenset({"password_hash"})
# Sign-in bookkeeping: the sign-in lines of the log say what happened, and the session token
# is a secret that changes at every sign-out. A version changes with every change it counts.
UNTRACKED_COLUMNS = frozenset(
    {"updated_at", "last_sign_in_at", "session_token", "failed_sign_ins", "locked_until", "version"}
)


class AuditLogIsAppendOnly(RuntimeError):
    """Someone tried to change or delete a line of the audit log."""


def init_app(app: Flask) -> None:
    """Listen to every session's flushes (once, however many apps are made)."""
    if not event.contains(Session, "before_flush", refuse_audit_changes):
        event.listen(Session, "before_flush", refuse_audit_changes)
        event.listen(Session, "after_flush", record_changes)
        for model in AUDITED:
            for column in inspect(model).column_attrs:
                # Load the old value before a change, even of an expired attribute, so that
                # the log can say what it was.
                event.listen(getattr(model, column.key), "set", _keep_old, active_history=True)


def _keep_old(_target: Any, value: Any, _old: Any, _initiator: Any) -> Any:
    """Nothing to do: listening with active history is what loads the old value."""
    return value


def set_actor(session: Session, actor: str) -> None:
    """Name who is changing data outside a request (a command, the weekly batch)."""
    session.info["actor"] = actor


def refuse_audit_changes(session: Session, _context: UOWTransaction, _instances: Any) -> None:
    """The log is append-only: no line may be changed or deleted."""
    if any(isinstance(obj, AuditEvent) for obj in (*session.dirty, *session.deleted)):
        raise AuditLogIsAppendOnly("the audit log cannot be changed or deleted")


def record_changes(session: Session, _context: UOWTransaction) -> None:
    """Write one audit line per created, changed or deleted row of an audited model."""
    actor, user_id = _actor(session)
    changes = [
        (action, obj)
        for action, objects in (
            ("create", session.new),
            ("update", session.dirty),
            ("delete", session.deleted),
        )
        for obj in objects
        if type(obj) in AUDITED and action in AUDITED[type(obj)][2]
    ]
    # The case of each allocation or proposal, in one query: approving a national plan
    # changes thousands of them.
    held = (Allocation, ProposedAssignment)
    need_ids = {obj.need_id for _, obj in changes if isinstance(obj, held)}
    case_of_need = (
        dict(session.execute(select(Need.id, Need.case_id).where(Need.id.in_(need_ids))).all())
        if need_ids
        else {}
    )
    lines = []
    for action, obj in changes:
        before, after = _values(obj, action)
        # A secret reads "(changed)" on both sides, yet its change must be logged.
        if action == "update" and before == after and not SECRET_COLUMNS & set(after or {}):
            continue
        lines.append(_line(obj, action, before, after, actor, user_id, case_of_need))
    if lines:
        session.execute(insert(AuditEvent), lines)


def actor_name(session: Session) -> str:
    """Who is changing data now, as the audit log names them."""
    return _actor(session)[0]


def _actor(session: Session) -> tuple[str, int | None]:
    """The signed-in user, else whoever the command named."""
    if has_request_context() and current_user.is_authenticated:
        return current_user.username, current_user.id
    return session.info.get("actor", "system"), None


def _values(obj: Any, action: str) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The column values before and after the change (only the changed ones for an update)."""
    state = inspect(obj)
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for column in state.mapper.column_attrs:
        name = column.key
        if name in UNTRACKED_COLUMNS:
            continue
        if action == "create":
            # A new row's values are simply its own: working out each one's history costs more
            # than the rest of the line (an import creates thousands of rows in one flush).
            after[name] = _plain(name, getattr(obj, name))
            continue
        history = state.attrs[name].history
        if action == "update":
            if not history.has_changes():
                continue
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            before[name], after[name] = _plain(name, old), _plain(name, new)
        else:
            before[name] = _plain(name, _loaded(history))
    if action == "create":
        return None, after
    if action == "delete":
        return before, None
    return before, after


def _loaded(history: Any) -> Any:
    """The value a deleted row held."""
    values = [*history.unchanged, *history.deleted]
    return values[0] if values else None


def _plain(name: str, value: Any) -> Any:
    """A value as JSON can hold it, with secrets never written."""
    if name in SECRET_COLUMNS:
        return "(changed)"
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return list(value)
    return value


def _line(
    obj: Any,
    action: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    actor: str,
    user_id: int | None,
    case_of_need: dict[int, int],
) -> dict[str, Any]:
    """One row of the audit log."""
    entity, label_attribute, _ = AUDITED[type(obj)]
    label = getattr(obj, label_attribute)
    verb = {"create": "Created", "update": "Changed", "delete": "Deleted"}[action]
    summary = f"{verb} {entity} {label}"
    if action == "update" and after:
        summary += ": " + ", ".join(sorted(after))
    return {
        "actor": actor,
        "user_id": user_id,
        "action": action,
        "entity": entity,
        "entity_id": str(obj.id if hasattr(obj, "id") else getattr(obj, label_attribute)),
        "case_id": _case_of(obj, case_of_need),
        "staff_member_id": _staff_member_of(obj),
        "summary": summary[:300],
        "before": before,
        "after": after,
    }


def _case_of(obj: Any, case_of_need: dict[int, int]) -> int | None:
    """The case a change belongs to, so that a case's history can be read from the log."""
    if isinstance(obj, Case):
        return obj.id
    if isinstance(obj, Need | Exclusion | Alert | CaseAccess):
        return obj.case_id
    if isinstance(obj, Allocation | ProposedAssignment):
        return case_of_need.get(obj.need_id)
    return None


def _staff_member_of(obj: Any) -> int | None:
    """The person a change belongs to, so that a person's history can be read from the log."""
    if isinstance(obj, StaffMember):
        return obj.id
    return getattr(obj, "staff_member_id", None)
