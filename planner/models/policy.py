"""The editable policy: one stored value per setting, over the defaults of the rules."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

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
