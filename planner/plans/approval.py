"""Approving a run, whole or one region's part: its proposals, with the managers' overrides,
become the current allocations, once however many managers press the button at once."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, selectinload

from planner.domain.vocabulary import JobStatus
from planner.domain.weeks import IsoWeek
from planner.models import (
    Allocation,
    Case,
    Need,
    PlanApproval,
    PlanRun,
    ProposedAssignment,
    Region,
    Site,
    User,
)
from planner.models.types import utcnow
from planner.web.templating import govuk_datetime


class ApprovalRefused(Exception):
    """A run that may not be approved, with the reason in words."""


@dataclass(frozen=True)
class RegionPart:
    """One region's part of a run: its needs and, once approved, who approved it and when."""

    region_id: int
    name: str
    needs: int
    approved_by: str | None
    approved_at: datetime | None


def region_parts(session: Session, run: PlanRun) -> list[RegionPart]:
    """The regions of the run's cases, by name, each with its approval if it has one."""
    counted = session.execute(
        select(Region.id, Region.name, func.count())
        .select_from(ProposedAssignment)
        .join(Need, ProposedAssignment.need_id == Need.id)
        .join(Case, Need.case_id == Case.id)
        .join(Site, Case.site_id == Site.id)
        .join(Region, Site.region_id == Region.id)
        .where(ProposedAssignment.run_id == run.id)
        .group_by(Region.id, Region.name)
        .order_by(Region.name)
    ).all()
    approved = {
        region_id: (name, at)
        for region_id, name, at in session.execute(
            select(
                PlanApproval.region_id, PlanApproval.approved_by_name, PlanApproval.approved_at
            ).where(PlanApproval.run_id == run.id)
        )
    }
    return [
        RegionPart(region_id, name, needs, *approved.get(region_id, (None, None)))
        for region_id, name, needs in counted
    ]


def approval_words(run: PlanRun, parts: list[RegionPart]) -> str:
    """Where the run's approval stands, in words: proposed, partly approved, or approved."""
    if run.approved_at is not None:
        return "Approved"
    done = [part.name for part in parts if part.approved_at is not None]
    if done:
        return f"Partly approved ({', '.join(done)})"
    return "Proposed"


def approval_problem(session: Session, run: PlanRun, region_id: int | None = None) -> str | None:
    """Why this run (or this region's part of it) cannot be approved now, or None if it can."""
    if not run.finished:
        return f"only a finished plan can be approved; this run is {run.status.value}"
    if run.approved_at is not None:
        return _already(session, run)
    if region_id is not None:
        done = session.scalar(
            select(PlanApproval).where(
                PlanApproval.run_id == run.id, PlanApproval.region_id == region_id
            )
        )
        if done is not None:
            return _already_part(done)
    newer = session.scalar(
        select(PlanRun.id).where(
            PlanRun.week == run.week, PlanRun.id > run.id, PlanRun.status == JobStatus.FINISHED
        )
    )
    if newer:
        return f"run {newer} for the same week is newer: review and approve that one"
    return None


def _already(session: Session, run: PlanRun) -> str:
    """Who approved the whole run, and when, read afresh (another request may have just done it)."""
    approved_at, username = session.execute(
        select(PlanRun.approved_at, User.username)
        .outerjoin(User, PlanRun.approved_by_id == User.id)
        .where(PlanRun.id == run.id)
    ).one()
    who = username or "the weekly batch"
    return f"this plan was already approved by {who} on {govuk_datetime(approved_at)}"


def _already_part(done: PlanApproval) -> str:
    """Who approved one region's part, and when."""
    return (
        f"this plan's part for {done.region.name} was already approved by "
        f"{done.approved_by_name} on {govuk_datetime(done.approved_at)}"
    )


@dataclass
class Moves:
    """Whose cases an approval changed: the references each person gains and loses."""

    gained: defaultdict[int, set[str]] = field(default_factory=lambda: defaultdict(set))
    lost: defaultdict[int, set[str]] = field(default_factory=lambda: defaultdict(set))


def approve(
    session: Session,
    run: PlanRun,
    user: User | None,
    actor: str,
    region_ids: Collection[int] | None = None,
    moves: Moves | None = None,
) -> int:
    """Make the proposals of the run (or of some regions' parts) the allocations from the start
    of its week, once; return how many allocations change (and note who gains and loses what
    in `moves`)."""
    problem = approval_problem(session, run)
    if problem:
        raise ApprovalRefused(problem)
    # The claim: a conditional write on the run's row. It takes the row's lock on PostgreSQL and
    # the database's write lock on SQLite, so a second approval waits here until the first has
    # committed, then finds the run approved (no row) or reads the regions it approved.
    claimed = session.execute(
        update(PlanRun)
        .where(PlanRun.id == run.id, PlanRun.approved_at.is_(None))
        .values(approved_by_id=PlanRun.approved_by_id),
        execution_options={"synchronize_session": False},
    )
    if claimed.rowcount != 1:
        raise ApprovalRefused(_already(session, run))
    parts = region_parts(session, run)
    asked = {part.region_id for part in parts} if region_ids is None else set(region_ids)
    waiting = [p for p in parts if p.region_id in asked and p.approved_at is None]
    whole = region_ids is None and len(waiting) == len(parts)
    if not waiting and not whole:
        done = session.scalar(
            select(PlanApproval)
            .where(PlanApproval.run_id == run.id, PlanApproval.region_id.in_(asked))
            .order_by(PlanApproval.id)
        )
        raise ApprovalRefused(_already_part(done) if done else "this run has no such region")
    monday = IsoWeek.parse(run.week).monday
    # The whole run at once also ends what the rules retired in regions it plans nothing for.
    regions = None if whole else {p.region_id for p in waiting}
    changes = _apply_regions(session, run, regions, monday, user, actor, moves or Moves())
    for part in waiting:
        session.add(
            PlanApproval(
                run_id=run.id,
                region_id=part.region_id,
                approved_by_id=user.id if user else None,
                approved_by_name=actor[:80],
                changes=changes[part.region_id],
            )
        )
    if whole or all(p.approved_at is not None or p in waiting for p in parts):
        run.approved_at = utcnow()
        run.approved_by_id = user.id if user else None
    return sum(changes.values())


def _apply_regions(
    session: Session,
    run: PlanRun,
    regions: set[int] | None,
    monday: date,
    user: User | None,
    actor: str,
    moves: Moves,
) -> Counter[int]:
    """Bring the needs of these regions' cases (None: every region) in line with the run; the
    changes, by region."""
    query = (
        select(ProposedAssignment, Site.region_id)
        .join(Need, ProposedAssignment.need_id == Need.id)
        .join(Case, Need.case_id == Case.id)
        .join(Site, Case.site_id == Site.id)
        .where(ProposedAssignment.run_id == run.id)
        .options(selectinload(ProposedAssignment.need).selectinload(Need.allocations))
    )
    if regions is not None:
        query = query.where(Site.region_id.in_(regions))
    rows = session.execute(query).all()
    changes: Counter[int] = Counter()
    planned_needs = set()
    for proposal, region_id in rows:
        planned_needs.add(proposal.need_id)
        changes[region_id] += _apply(session, proposal, run, monday, user, actor, moves)
    for region_id, ended in _end_retired(session, planned_needs, regions, monday, moves).items():
        changes[region_id] += ended
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
    moves: Moves,
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
        moves.lost[holder.staff_member_id].add(proposal.case_reference)
    if proposal.staff_member_id is not None:
        moves.gained[proposal.staff_member_id].add(proposal.case_reference)
        reason = (
            f"Overridden by {actor}: {proposal.override_words}"
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


def _end_retired(
    session: Session, planned: set[int], regions: set[int] | None, monday: date, moves: Moves
) -> Counter[int]:
    """End the allocations of these regions' needs (None: every region's) the plan no longer
    holds (the rules retired them); how many, by region."""
    query = (
        select(Allocation, Site.region_id, Case.reference)
        .join(Need, Allocation.need_id == Need.id)
        .join(Case, Need.case_id == Case.id)
        .join(Site, Case.site_id == Site.id)
        .where(Allocation.held_on(monday), ~Need.active, Allocation.need_id.not_in(planned))
    )
    if regions is not None:
        query = query.where(Site.region_id.in_(regions))
    rows = session.execute(query).all()
    ended: Counter[int] = Counter()
    for allocation, region_id, reference in rows:
        _end(session, allocation, monday)
        moves.lost[allocation.staff_member_id].add(reference)
        ended[region_id] += 1
    return ended
