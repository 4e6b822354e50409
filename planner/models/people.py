"""The people supervised (cases), what each needs, who may not hold them, and who holds them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ColumnElement,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    and_,
    false,
    or_,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.domain.vocabulary import (
    ROSH_RANK,
    Cohort,
    Grade,
    NeedSource,
    Role,
    Rosh,
    SentenceType,
    Setting,
    Vetting,
)
from planner.extensions import db
from planner.models.places import Site
from planner.models.staff import StaffMember
from planner.models.types import UTCDateTime, enum_type, ranked, utcnow
from planner.models.versions import Versioned


class Case(Versioned, db.Model):
    """A person convicted of, or assessed as at risk of, terrorism, under supervision."""

    __tablename__ = "case_record"
    __table_args__ = (
        CheckConstraint(
            "mappa_category IS NULL OR mappa_category BETWEEN 1 AND 4", name="mappa_cat"
        ),
        CheckConstraint("mappa_level IS NULL OR mappa_level BETWEEN 1 AND 3", name="mappa_level"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    cohort: Mapped[Cohort] = mapped_column(enum_type(Cohort, "cohort"))
    mappa_category: Mapped[int | None]
    mappa_level: Mapped[int | None]
    rosh: Mapped[Rosh] = mapped_column(enum_type(Rosh, "rosh"))
    tier: Mapped[str] = mapped_column(String(3))
    setting: Mapped[Setting] = mapped_column(enum_type(Setting, "setting"))
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    sentence_type: Mapped[SentenceType] = mapped_column(enum_type(SentenceType, "sentence_type"))
    sentence_date: Mapped[date | None]
    # Earliest release date: the conditional or automatic release date (CRD/ARD).
    release_date: Mapped[date | None]
    parole_eligibility_date: Mapped[date | None]
    tariff_expiry_date: Mapped[date | None]
    parole_hearing_date: Mapped[date | None]
    released_on: Mapped[date | None]
    licence_end_date: Mapped[date | None]
    next_mappa_review: Mapped[date | None]
    next_erg_review: Mapped[date | None]
    active: Mapped[bool] = mapped_column(default=True)
    # A "limited access" case: only the users named on it (and national admins) may open it.
    restricted: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    site: Mapped[Site] = relationship()
    needs: Mapped[list[Need]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="Need.position"
    )
    exclusions: Mapped[list[Exclusion]] = relationship(
        back_populates="case", cascade="all, delete-orphan"
    )

    @hybrid_property
    def rosh_rank(self) -> int:
        """The RoSH level's rank, lowest 0: in SQL too, to sort the highest risk first."""
        return ROSH_RANK[self.rosh]

    @rosh_rank.inplace.expression
    @classmethod
    def _rosh_rank_in_sql(cls) -> ColumnElement[int]:
        """The rank, as SQL."""
        return ranked(cls.rosh, ROSH_RANK)

    def active_need(self, key: str) -> Need | None:
        """The case's active need of a key (the "com", say), if it has one."""
        return next((need for need in self.needs if need.active and need.key == key), None)

    def __repr__(self) -> str:
        return f"<Case {self.reference}>"


class Exclusion(db.Model):
    """A named practitioner who must not hold a case (a conflict, a past relationship)."""

    __tablename__ = "exclusion"
    __table_args__ = (UniqueConstraint("case_id", "staff_member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("case_record.id", ondelete="CASCADE"), index=True
    )
    staff_member_id: Mapped[int] = mapped_column(ForeignKey("staff_member.id"), index=True)
    reason: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    case: Mapped[Case] = relationship(back_populates="exclusions")
    staff_member: Mapped[StaffMember] = relationship()


class Need(Versioned, db.Model):
    """One place on a case for one practitioner: a POM, a COM, or a co-worker."""

    __tablename__ = "need"
    __table_args__ = (
        UniqueConstraint("case_id", "key"),
        CheckConstraint("hours >= 0", name="hours"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("case_record.id", ondelete="CASCADE"), index=True
    )
    # A stable name within the case ("pom", "com", "com_coworker", "manager_1", ...),
    # so that who held the need stays attached to it when the rules derive it again.
    key: Mapped[str] = mapped_column(String(30))
    position: Mapped[int]
    role: Mapped[Role] = mapped_column(enum_type(Role, "role"))
    min_grade: Mapped[Grade] = mapped_column(enum_type(Grade, "grade"))
    hours: Mapped[float]
    vetting: Mapped[Vetting] = mapped_column(enum_type(Vetting, "vetting"))
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    same_site: Mapped[bool]
    source: Mapped[NeedSource] = mapped_column(enum_type(NeedSource, "need_source"))
    # The rule (or the manager's reason) that produced this need, in words.
    rule: Mapped[str] = mapped_column(String(300))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    case: Mapped[Case] = relationship(back_populates="needs")
    allocations: Mapped[list[Allocation]] = relationship(
        back_populates="need", cascade="all, delete-orphan", order_by="Allocation.start_date"
    )

    def allocation_on(self, day: date) -> Allocation | None:
        """The allocation in force on a day, if anyone holds the need then."""
        return next((a for a in self.allocations if a.in_force(day)), None)

    def __repr__(self) -> str:
        return f"<Need {self.case_id}:{self.key}>"


class Allocation(db.Model):
    """Who holds (or held) a need, from when to when, and who decided it."""

    __tablename__ = "allocation"
    __table_args__ = (
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="dates_in_order"),
        Index("ix_allocation_current", "need_id", "end_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("need.id", ondelete="CASCADE"))
    staff_member_id: Mapped[int] = mapped_column(ForeignKey("staff_member.id"), index=True)
    start_date: Mapped[date]
    # None while the allocation is current.
    end_date: Mapped[date | None]
    # A pinned allocation is kept by future runs for as long as the holder is eligible.
    pinned: Mapped[bool] = mapped_column(default=False)
    reason: Mapped[str] = mapped_column(String(300))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    plan_run_id: Mapped[int | None] = mapped_column(ForeignKey("plan_run.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    need: Mapped[Need] = relationship(back_populates="allocations")
    staff_member: Mapped[StaffMember] = relationship()

    @classmethod
    def held_on(cls, day: date) -> ColumnElement[bool]:
        """The condition, in SQL, for an allocation in force on a day."""
        return and_(cls.start_date <= day, or_(cls.end_date.is_(None), cls.end_date >= day))

    def in_force(self, day: date) -> bool:
        """Whether the allocation holds on a day."""
        return self.start_date <= day and (self.end_date is None or self.end_date >= day)

    def __repr__(self) -> str:
        return f"<Allocation need={self.need_id} staff={self.staff_member_id}>"
