"""Audit lines for access rather than change: sign-ins, their failures and lock-outs, and views."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from planner.models.audit import AuditEvent

SIGN_IN = "sign-in"
VIEW = "view"


def record_sign_in(
    session: Session,
    username: str,
    user_id: int | None,
    action: str,
    summary: str,
    address: str | None,
) -> None:
    """One line about signing in or out, named by the username as typed (known or not)."""
    session.add(
        AuditEvent(
            actor=username[:80],
            user_id=user_id,
            action=action,
            entity=SIGN_IN,
            entity_id=username[:40],
            summary=summary[:300],
            # Where it came from: what an investigation of guessing needs first.
            after={"address": address},
        )
    )


def record_view(
    session: Session,
    actor: str,
    user_id: int | None,
    entity: str,
    entity_id: Any,
    summary: str,
    details: dict[str, Any] | None = None,
) -> None:
    """One line saying who opened a case, a person or an export (with what of it, if told)."""
    # No case_id or staff_member_id: a record's history lists its changes, not who read it.
    session.add(
        AuditEvent(
            actor=actor[:80],
            user_id=user_id,
            action=VIEW,
            entity=entity,
            entity_id=str(entity_id)[:40],
            summary=summary[:300],
            after=details,
        )
    )
