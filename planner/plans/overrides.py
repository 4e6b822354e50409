"""A manager's override of a proposal: another eligible person, or nobody, with a reason."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from optimisation import staff_verdicts
from planner.domain.rules import workload
from planner.models import PlanRun, ProposedAssignment, StaffMember, User
from planner.models.types import utcnow
from planner.plans.review import RunProblem


class OverrideRefused(Exception):
    """An override that breaks a rule, with the reason in words."""


@dataclass(frozen=True)
class Candidate:
    """Someone who might hold the need: eligible or not (and why not), and their load after."""

    staff: StaffMember
    eligible: bool
    reasons: tuple[str, ...]
    workload_after: float | None


def candidates(session: Session, run: PlanRun, proposal: ProposedAssignment) -> list[Candidate]:
    """The people of the need's role and region: eligible ones first, least loaded first."""
    stored = RunProblem(run)
    case = stored.problem.case_by_id[proposal.case_reference]
    need = case.needs[proposal.need_index]
    members = {
        m.id: m for m in stored.problem.staff if m.role == need.role and m.region == case.region
    }
    people = {
        person.staff_ref: person
        for person in session.scalars(
            select(StaffMember).where(StaffMember.staff_ref.in_(list(members)))
        )
    }
    planned = _planned_hours(session, run)
    # One person holds at most one need of a case: those on another need of it cannot take this.
    elsewhere = set(
        session.scalars(
            select(ProposedAssignment.staff_member_id).where(
                ProposedAssignment.run_id == run.id,
                ProposedAssignment.case_reference == proposal.case_reference,
                ProposedAssignment.id != proposal.id,
                ProposedAssignment.staff_member_id.is_not(None),
            )
        )
    )
    result = []
    for verdict in staff_verdicts(stored.problem, case.id, proposal.need_index):
        member = members.get(verdict.staff)
        if member is None or verdict.staff not in people:
            continue
        person = people[verdict.staff]
        extra = 0.0 if person.id == proposal.staff_member_id else need.hours
        load = member.committed_hours + planned[person.id] + extra
        reasons = () if verdict.eligible else verdict.reasons
        if person.id in elsewhere:
            reasons = (*reasons, "already planned for another need of this case")
        share = workload(load, member.available_hours)
        result.append(Candidate(person, not reasons, reasons, share))
    return sorted(result, key=lambda c: (not c.eligible, c.workload_after or 0.0, c.staff.name))


def _planned_hours(session: Session, run: PlanRun) -> dict[int, float]:
    """Hours each person holds under the run's proposals as they now stand."""
    hours: dict[int, float] = defaultdict(float)
    rows = session.execute(
        select(ProposedAssignment.staff_member_id, ProposedAssignment.hours).where(
            ProposedAssignment.run_id == run.id, ProposedAssignment.staff_member_id.is_not(None)
        )
    )
    for staff_id, need_hours in rows:
        hours[staff_id] += need_hours
    return hours


def override(
    session: Session,
    run: PlanRun,
    proposal: ProposedAssignment,
    person: StaffMember | None,
    reason: str,
    pin: bool,
    user: User,
) -> None:
    """Put another eligible person (or nobody) on the need, for a reason that is recorded."""
    if run.approved_at is not None or not run.finished:
        raise OverrideRefused("this run can no longer be changed")
    if person is not None:
        verdict = next(
            (
                v
                for v in staff_verdicts(
                    RunProblem(run).problem, proposal.case_reference, proposal.need_index
                )
                if v.staff == person.staff_ref
            ),
            None,
        )
        if verdict is None or not verdict.eligible:
            why = "; ".join(verdict.reasons) if verdict else "they are not in this run's staff"
            raise OverrideRefused(f"{person.name} cannot hold this need: {why}")
        clash = session.scalar(
            select(ProposedAssignment.id).where(
                ProposedAssignment.run_id == run.id,
                ProposedAssignment.case_reference == proposal.case_reference,
                ProposedAssignment.staff_member_id == person.id,
                ProposedAssignment.id != proposal.id,
            )
        )
        if clash:
            raise OverrideRefused(f"{person.name} is already planned for another need of this case")
    proposal.staff_member_id = person.id if person else None
    proposal.continuity = person is not None and person.id == proposal.current_staff_member_id
    proposal.pinned = pin and person is not None
    proposal.overridden = True
    proposal.override_reason = reason.strip()[:300]
    proposal.overridden_by_id = user.id
    proposal.overridden_at = utcnow()
    if person is not None:
        proposal.uncovered_reason = proposal.detail = proposal.remedy_text = None
        proposal.remedy = None
    else:
        proposal.uncovered_reason = "overridden"
        proposal.detail = f"Left without a holder by {user.username}: {proposal.override_reason}"
