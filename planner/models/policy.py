"""The editable policy: one stored value per setting, over the defaults of the rules."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from planner.domain.policy import DEFAULT_POLICY, POLICY_KEYS, Policy
from planner.extensions import db
from planner.models.types import UTCDateTime, utcnow


class PolicySetting(db.Model):
    """One setting of the policy (a risk weight table, the CT multiplier, ...) as stored."""

    __tablename__ = "policy_setting"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by: Mapped[str] = mapped_column(String(80))

    def __repr__(self) -> str:
        return f"<PolicySetting {self.key}>"


def load_policy(session: Session) -> Policy:
    """The defaults, overridden by what is stored."""
    stored = {
        row.key: row.value
        for row in session.scalars(select(PolicySetting))
        if row.key in POLICY_KEYS
    }
    return dataclasses.replace(DEFAULT_POLICY, **stored)


def policy_value(session: Session, key: str) -> Any:
    """One setting in force, without reading the rest (the idle time-out, on every request)."""
    row = session.get(PolicySetting, key)
    return getattr(DEFAULT_POLICY, key) if row is None else row.value


def save_policy(session: Session, policy: Policy, actor: str) -> list[str]:
    """Store every setting of the policy; return the names whose value changed."""
    rows = {row.key: row for row in session.scalars(select(PolicySetting))}
    defaults = DEFAULT_POLICY.to_dict()
    changed = []
    for key, value in policy.to_dict().items():
        row = rows.get(key)
        if row is None:
            session.add(PolicySetting(key=key, value=value, updated_by=actor))
            if value != defaults[key]:
                changed.append(key)
        elif row.value != value:
            row.value = value
            row.updated_by = actor
            changed.append(key)
    return changed


def seed_policy(session: Session, actor: str) -> None:
    """Store the defaults where nothing is stored, so the whole policy is visible and editable."""
    save_policy(session, load_policy(session), actor)
