"""Approving a run: its proposals, with the managers' overrides, become the current allocations."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from planner.domain.reach import Reach
from planner.domain.vocabulary import JobStatus
from planner.domain.weeks import IsoWeek
from planner.models import Allocation, Case, Need, PlanRun, ProposedAssignment, User
from planner.models.reach import case_within
from planner.models.types import utcnow


class ApprovalRefused(Exception):
    """A run that may not be approved, with the reason in words."""


def approval_problem(session: Session, run: PlanRun) -> str | None:
    """Why this run cannot be approved now, or None if it can."""
    if not run.finished:
        return f"only a finished plan can be approved; this run is {run.status.value}"
    if run.approved_at is not None:
        return "this run is already approved"
    newer = session.scalar(
        select(PlanRun.id).where(
            PlanRun.week == run.week, PlanRun.id > run.id, PlanRun.status == JobStatus.FINISHED
        )
    )
    if newer:
        return f"run {newer} for the same week is newer: review and approve that one"
    return None


def approve(
    session: Session,
    run: PlanRun,
    user: User | None,
    actor: str,
    reach: Reach | None = None,
) -> int:
    """Make the run's proposals the allocations from its week's Monday: all of them, or a
    regional manager's regions' part; return the changes."""
    reach = reach or Reach.everything()
    problem = approval_problem(session, run)
    if problem:
        raise ApprovalRefused(problem)
    monday = IsoWeek.parse(run.week).monday
    proposals = session.scalars(
        select(ProposedAssignment)
        .join(Need, ProposedAssignment.need_id == Need.id)
        .join(Case, Need.case_id == Case.id)
        .where(ProposedAssignment.run_id == run.id, case_within(reach))
        .options(selectinload(ProposedAssignment.need).selectinload(Need.allocations))
    ).all()
    changes = 0
    planned_needs = set()
    for proposal in proposals:
        planned_needs.add(proposal.need_id)
        changes += _apply(session, proposal, run, monday, user, actor)
    changes += _end_retired(session, planned_needs, monday, reach)
    # A region's part approved leaves the run open for the rest; approving it all again later
    # changes nothing already in force.
    if reach.national:
        run.approved_at = utcnow()
        run.approved_by_id = user.id if user else None
    return changes


def _end(session: Session, allocation: Allocation, monday: date) -> None:
    """End an allocation the day before the Monday (one that would start then never starts)."""
    if allocation.start_date >= monday:
        session.delete(allocation)
    else:
        allocation.end_date = monday - timedelta(days=1)


def _apply(
    session: Session,
    proposal: ProposedAssignment,
    run: PlanRun,
    monday: date,
    user: User | None,
    actor: str,
) -> int:
    """Bring one need's allocation in line with its proposal; 1 if that changed anything."""
    holder = proposal.need.allocation_on(monday)
    if holder is not None and holder.staff_member_id == proposal.staff_member_id:
        if holder.pinned != proposal.pinned:
            holder.pinned = proposal.pinned
            return 1
        return 0
    if holder is None and proposal.staff_member_id is None:
        return 0
    if holder is not None:
        _end(session, holder, monday)
    if proposal.staff_member_id is not None:
        reason = (
            f"Overridden by {actor}: {proposal.override_reason}"
            if proposal.overridden
            else f"Plan run {run.id} for {run.week}, approved by {actor}"
        )
        proposal.need.allocations.append(
            Allocation(
                staff_member_id=proposal.staff_member_id,
                start_date=monday,
                pinned=proposal.pinned,
                reason=reason[:300],
                created_by_id=user.id if user else None,
                plan_run_id=run.id,
            )
        )
    return 1


def _end_retired(session: Session, planned: set[int], monday: date, reach: Reach) -> int:
    """End the allocations of the region's needs the plan no longer holds (the rules retired)."""
    allocations = session.scalars(
        select(Allocation)
        .join(Need)
        .join(Case, Need.case_id == Case.id)
        .where(
            Allocation.held_on(monday),
            ~Need.active,
            Allocation.need_id.not_in(planned),
            case_within(reach),
        )
    ).all()
    for allocation in allocations:
        _end(session, allocation, monday)
    return len(allocations)
