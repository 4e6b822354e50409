"""What every piece of long work records of its life: queued, running (with a heartbeat), ended."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from planner.domain.vocabulary import ACTIVE, JobStatus
from planner.models.types import UTCDateTime, enum_type, utcnow
from planner.models.users import User


class JobMixin:
    """The life cycle columns of a job: a plan run, a look-ahead, a what-if, a staffing ask."""

    # Each kind of job names itself, so the job system can find its work and its rows.
    job_kind: str

    status: Mapped[JobStatus] = mapped_column(
        enum_type(JobStatus, "job_status"), default=JobStatus.QUEUED
    )
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Written every few seconds while it runs: a job whose heartbeat stops has lost its worker.
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_by_name: Mapped[str] = mapped_column(String(80))
    # Which worker process runs it ("host:pid"), for the log.
    worker: Mapped[str | None] = mapped_column(String(120))
    # What it is doing now; why it failed or was cancelled.
    progress: Mapped[str | None] = mapped_column(String(200))
    message: Mapped[str | None] = mapped_column(Text)

    @declared_attr
    def started_by_id(cls) -> Mapped[int | None]:
        """The user who asked for it (none for a command or the schedule)."""
        return mapped_column(ForeignKey("app_user.id"))

    @declared_attr
    def started_by(cls) -> Mapped[User | None]:
        """The user who asked for it."""
        return relationship(foreign_keys=f"{cls.__name__}.started_by_id")

    @property
    def active(self) -> bool:
        """Still waiting for a worker or being worked on."""
        return self.status in ACTIVE
