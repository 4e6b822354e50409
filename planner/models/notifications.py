"""Emails the planner sends: to whom, what they say, and whether they went."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from planner.extensions import db
from planner.models.types import UTCDateTime, utcnow

QUEUED, SENT, FAILED = "queued", "sent", "failed"


class Notification(db.Model):
    """One email to one person, kept as the record that it was sent (or why it was not)."""

    __tablename__ = "notification"

    id: Mapped[int] = mapped_column(primary_key=True)
    # What it is about, so that it is sent once however often it is asked for:
    # "approval:run-3:staff-12", "handover:case-7:2027-01-04:8-weeks:com".
    key: Mapped[str] = mapped_column(String(160), unique=True)
    kind: Mapped[str] = mapped_column(String(30))
    staff_member_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default=QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Why the last attempt failed, in words (never the server's whole reply).
    error: Mapped[str | None] = mapped_column(String(300))

    def __repr__(self) -> str:
        return f"<Notification {self.key} {self.status}>"
