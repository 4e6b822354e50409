"""An uploaded spreadsheet kept between its preview and the manager's confirmation."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from planner.extensions import db
from planner.models.types import UTCDateTime, utcnow


class PendingImport(db.Model):
    """A file a manager has previewed: kept here, never in the cookie, until it is confirmed."""

    __tablename__ = "pending_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    filename: Mapped[str] = mapped_column(String(200))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    # The plan the manager was shown, and its fingerprint: a confirmation whose plan comes out
    # differently (the records changed since) is refused and shown again.
    plan: Mapped[dict[str, Any]] = mapped_column(JSON)
    fingerprint: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set once, by the confirmation that imports it: a second click finds it set.
    imported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<PendingImport {self.id} {self.kind}>"
