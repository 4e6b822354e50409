"""Practitioners and the absences and reductions that take their hours away."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.domain.vocabulary import AbsenceKind, Grade, Role, Vetting
from planner.extensions import db
from planner.models.places import Site
from planner.models.types import UTCDateTime, enum_type, utcnow
from planner.models.versions import Versioned


class StaffMember(Versioned, db.Model):
    """A probation or prison offender manager who can hold cases."""

    __tablename__ = "staff_member"
    __table_args__ = (
        CheckConstraint(
            "contracted_hours >= 0 AND contracted_hours <= 60", name="contracted_hours"
        ),
        CheckConstraint("max_cases IS NULL OR max_cases >= 0", name="max_cases"),
        CheckConstraint("other_work_hours >= 0", name="other_work_hours"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_ref: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[Role] = mapped_column(enum_type(Role, "role"))
    grade: Mapped[Grade] = mapped_column(enum_type(Grade, "grade"))
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    contracted_hours: Mapped[float]
    # Hours a week of work held outside the planner (a general caseload, other duties).
    other_work_hours: Mapped[float] = mapped_column(default=0.0)
    vetting: Mapped[Vetting] = mapped_column(enum_type(Vetting, "vetting"))
    vetting_expiry: Mapped[date | None]
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    max_cases: Mapped[int | None]
    # Trainee officers (PQiP) carry reductions that fall over their first 18 months.
    training_start: Mapped[date | None]
    active: Mapped[bool] = mapped_column(default=True)
    # Where the planner's emails go (cases gained and lost, handovers), unless they asked not.
    email: Mapped[str | None] = mapped_column(String(254))
    emailed: Mapped[bool] = mapped_column(default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    site: Mapped[Site] = relationship()
    absences: Mapped[list[Absence]] = relationship(
        back_populates="staff_member", cascade="all, delete-orphan", order_by="Absence.start_date"
    )

    def __repr__(self) -> str:
        return f"<StaffMember {self.staff_ref}>"


class Absence(Versioned, db.Model):
    """Leave, sickness or a standing reduction: all hours or some a week, over a date range."""

    __tablename__ = "absence"
    __table_args__ = (
        CheckConstraint("end_date >= start_date", name="dates_in_order"),
        CheckConstraint("hours_per_week IS NULL OR hours_per_week > 0", name="hours_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_member_id: Mapped[int] = mapped_column(
        ForeignKey("staff_member.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[AbsenceKind] = mapped_column(enum_type(AbsenceKind, "absence_kind"))
    start_date: Mapped[date]
    end_date: Mapped[date]
    # None means the whole working time; otherwise the hours a week taken away.
    hours_per_week: Mapped[float | None]
    note: Mapped[str | None] = mapped_column(String(200))

    staff_member: Mapped[StaffMember] = relationship(back_populates="absences")

    def __repr__(self) -> str:
        return f"<Absence {self.kind} {self.start_date}..{self.end_date}>"
