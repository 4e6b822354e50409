"""Weekly plan runs, the assignments they propose, and the shortfall alerts they raise."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Select, String, Text, UniqueConstraint, select, text
from sqlalchemy.orm import Mapped, defer, mapped_column, relationship

from planner.domain.vocabulary import AlertSeverity, JobStatus, OverrideReason, label
from planner.extensions import db
from planner.models.jobs import JobMixin
from planner.models.people import Case, Need
from planner.models.places import Region
from planner.models.staff import StaffMember
from planner.models.types import UTCDateTime, enum_type, utcnow
from planner.models.users import User


class PlanRun(JobMixin, db.Model):
    """One run of the weekly allocation: its snapshot, its plan, and who started and approved it."""

    __tablename__ = "plan_run"
    __table_args__ = (
        Index("ix_plan_run_week_status", "week", "status"),
        # The database itself refuses a second run of a week while one is queued or running.
        Index(
            "ix_plan_run_one_active_per_week",
            "week",
            unique=True,
            sqlite_where=text("status IN ('queued', 'running')"),
            postgresql_where=text("status IN ('queued', 'running')"),
        ),
    )
    job_kind = "plan-run"

    id: Mapped[int] = mapped_column(primary_key=True)
    week: Mapped[str] = mapped_column(String(8))
    solver: Mapped[str] = mapped_column(String(10))
    time_limit: Mapped[float]
    problem_json: Mapped[str | None] = mapped_column(Text)
    plan_json: Mapped[str | None] = mapped_column(Text)
    # Whether the optimiser proved its plan the best possible (within the policy's gap).
    optimal: Mapped[bool | None]
    coverage: Mapped[float | None]
    bound: Mapped[float | None]
    solve_seconds: Mapped[float | None]
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))

    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    proposals: Mapped[list[ProposedAssignment]] = relationship(
        back_populates="run", cascade="all, delete-orphan"
    )
    # One a region: a national run is approved region by region, or all at once.
    approvals: Mapped[list[PlanApproval]] = relationship(
        back_populates="run", cascade="all, delete-orphan", order_by="PlanApproval.id"
    )

    @classmethod
    def listed(cls) -> Select[tuple[PlanRun]]:
        """Runs without their problem and plan, which are megabytes each at national scale."""
        return select(cls).options(defer(cls.problem_json), defer(cls.plan_json))

    @property
    def finished(self) -> bool:
        """Whether the run made a plan (to review, change and approve)."""
        return self.status == JobStatus.FINISHED

    def __repr__(self) -> str:
        return f"<PlanRun {self.id} {self.week} {self.status}>"


class PlanApproval(db.Model):
    """One region's part of a run approved: by whom, when, and how many allocations it changed."""

    __tablename__ = "plan_approval"
    # The database refuses a region's part approved twice, whatever the pages let through.
    __table_args__ = (UniqueConstraint("run_id", "region_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("plan_run.id", ondelete="CASCADE"))
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"))
    approved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    approved_by_name: Mapped[str] = mapped_column(String(80))
    changes: Mapped[int] = mapped_column(default=0)

    run: Mapped[PlanRun] = relationship(back_populates="approvals")
    region: Mapped[Region] = relationship()

    def __repr__(self) -> str:
        return f"<PlanApproval run={self.run_id} region={self.region_id}>"


class ProposedAssignment(db.Model):
    """What a run proposes for one need: a person, or nobody with the reason and the remedy."""

    __tablename__ = "proposed_assignment"
    __table_args__ = (Index("ix_proposed_assignment_run_need", "run_id", "need_id", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("plan_run.id", ondelete="CASCADE"))
    need_id: Mapped[int] = mapped_column(ForeignKey("need.id", ondelete="CASCADE"), index=True)
    # Where the need sits in the run's problem: case reference and index among its needs.
    case_reference: Mapped[str] = mapped_column(String(20))
    need_index: Mapped[int]
    staff_member_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"), index=True)
    # The holder when the run read the caseload, to compare the proposal against.
    current_staff_member_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))
    hours: Mapped[float]
    continuity: Mapped[bool] = mapped_column(default=False)
    pinned: Mapped[bool] = mapped_column(default=False)
    # Set when the need is left uncovered: why, in detail, and what would cover it.
    uncovered_reason: Mapped[str | None] = mapped_column(String(30))
    detail: Mapped[str | None] = mapped_column(Text)
    remedy_text: Mapped[str | None] = mapped_column(Text)
    remedy: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # A manager's override of what the optimiser proposed.
    overridden: Mapped[bool] = mapped_column(default=False)
    override_reason: Mapped[str | None] = mapped_column(String(300))
    overridden_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    overridden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    run: Mapped[PlanRun] = relationship(back_populates="proposals")
    need: Mapped[Need] = relationship()
    staff_member: Mapped[StaffMember | None] = relationship(foreign_keys=[staff_member_id])
    current_staff_member: Mapped[StaffMember | None] = relationship(
        foreign_keys=[current_staff_member_id]
    )
    categories: Mapped[list[OverrideCategory]] = relationship(
        back_populates="proposal", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def override_categories(self) -> list[OverrideReason]:
        """The kinds of reason the manager ticked, in the order the form lists them."""
        ticked = {category.category for category in self.categories}
        return [reason for reason in OverrideReason if reason in ticked]

    @property
    def override_words(self) -> str:
        """The manager's reasons in words: the kinds ticked, then the detail exactly as typed."""
        kinds = "; ".join(label(reason) for reason in self.override_categories)
        detail = self.override_reason or ""
        return f"{kinds}: {detail}" if kinds and detail else kinds or detail


class OverrideCategory(db.Model):
    """One kind of reason a manager gave for changing a proposal (a proposal may have several)."""

    __tablename__ = "override_category"
    __table_args__ = (
        Index("ix_override_category_proposal", "proposal_id", "category", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposed_assignment.id", ondelete="CASCADE")
    )
    category: Mapped[OverrideReason] = mapped_column(enum_type(OverrideReason, "override_reason"))

    proposal: Mapped[ProposedAssignment] = relationship(back_populates="categories")


class Alert(db.Model):
    """A case or a person that cannot be covered safely, open until its condition clears."""

    __tablename__ = "alert"
    __table_args__ = (Index("ix_alert_key_open", "key", "closed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The condition and its subject ("uncovered:need:42"), so that a run finds the alert it
    # raised before and keeps it open instead of raising it again.
    key: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(40))
    severity: Mapped[AlertSeverity] = mapped_column(enum_type(AlertSeverity, "alert_severity"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_record.id", ondelete="CASCADE"))
    staff_member_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))
    need_id: Mapped[int | None] = mapped_column(ForeignKey("need.id", ondelete="CASCADE"))
    week: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str] = mapped_column(String(300))
    detail: Mapped[str | None] = mapped_column(Text)
    remedy: Mapped[str | None] = mapped_column(Text)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    opened_run_id: Mapped[int | None] = mapped_column(ForeignKey("plan_run.id"))
    last_run_id: Mapped[int | None] = mapped_column(ForeignKey("plan_run.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What raised and what cleared it, in words: "run 3", "a save of the case by a.manager".
    opened_by: Mapped[str | None] = mapped_column(String(120))
    closed_by: Mapped[str | None] = mapped_column(String(120))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    acknowledgement_note: Mapped[str | None] = mapped_column(String(500))

    case: Mapped[Case | None] = relationship()
    staff_member: Mapped[StaffMember | None] = relationship()
    need: Mapped[Need | None] = relationship()
    acknowledged_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<Alert {self.key}>"


class Forecast(JobMixin, db.Model):
    """A look-ahead: the coming weeks planned in turn, nothing approved, to see where gaps fall."""

    __tablename__ = "forecast"
    job_kind = "look-ahead"

    id: Mapped[int] = mapped_column(primary_key=True)
    first_week: Mapped[str] = mapped_column(String(8))
    weeks: Mapped[int]
    solver: Mapped[str] = mapped_column(String(10))
    # Seconds for each week's solve.
    time_limit: Mapped[float]
    # One entry a week: coverage, gaps by risk, and the high-risk needs left uncovered.
    results: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)

    def __repr__(self) -> str:
        return f"<Forecast {self.id} from {self.first_week}>"


class WhatIf(JobMixin, db.Model):
    """A change tried on a run's week without saving it, and what the plan would then be."""

    __tablename__ = "what_if"
    __table_args__ = (Index("ix_what_if_run_change", "run_id", "change_key"),)
    job_kind = "what-if"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("plan_run.id", ondelete="CASCADE"))
    # The change as its form gave it, and a key for it, so the same question is answered once.
    change: Mapped[dict[str, Any]] = mapped_column(JSON)
    change_key: Mapped[str] = mapped_column(String(300))
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    run: Mapped[PlanRun] = relationship()


class StaffingAsk(JobMixin, db.Model):
    """The fewest extra people who would cover a run's high-risk gaps, checked by solving again."""

    __tablename__ = "staffing_ask"
    job_kind = "staffing-ask"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("plan_run.id", ondelete="CASCADE"), index=True)
    # One entry a place: the people asked for there and the gaps they cover.
    result: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)

    run: Mapped[PlanRun] = relationship()
