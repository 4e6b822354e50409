"""Reviewing a run: each proposal against who holds the need now, and everyone's workload."""

from __future__ import annotations

import functools
import json
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from optimisation import Problem, problem_from_dict, reasons_against
from planner.domain.reach import Reach
from planner.domain.rules import away_words, horizon_hours, workload
from planner.domain.weeks import IsoWeek
from planner.models import Case, Need, PlanRun, ProposedAssignment, Site, StaffMember
from planner.models.policy import load_policy
from planner.models.reach import case_within, staff_within

# How each proposal stands against the current holder.
NEW, MOVE, UNCHANGED, DROPPED, UNCOVERED = "new", "move", "unchanged", "dropped", "uncovered"
KINDS = (UNCOVERED, DROPPED, MOVE, NEW, UNCHANGED)


@dataclass(frozen=True)
class Proposal:
    """One proposal, what kind of change it is, and why the holder changes."""

    proposal: ProposedAssignment
    case: Case
    need: Need
    kind: str
    why: str | None


@dataclass(frozen=True)
class Load:
    """A person's Workload % before the run (current holders) and under the proposal."""

    staff: StaffMember
    available: float
    before: float | None
    after: float | None
    # The very high and high risk cases planned to them: what an overload past the safe
    # workload is the price of.
    high_risk: tuple[str, ...] = ()


def stored_problem(run: PlanRun) -> Problem:
    """A finished run's problem, read once per process."""
    return _read_stored(run.id, run.problem_json or "")


# A finished run's problem never changes, and a national one takes half a second to read.
@functools.lru_cache(maxsize=4)
def _read_stored(run_id: int, problem_json: str) -> Problem:
    """A run's problem, read from its JSON."""
    return problem_from_dict(json.loads(problem_json or "{}"))


@dataclass
class RunProblem:
    """A run's stored problem, read once, with the lookups the review needs."""

    run: PlanRun
    problem: Problem = field(init=False)

    def __post_init__(self) -> None:
        self.problem = stored_problem(self.run)

    @cached_property
    def hours_before(self) -> dict[str, float]:
        """Hours each person held when the run read the caseload (committed work included)."""
        hours = {member.id: member.committed_hours for member in self.problem.staff}
        for case in self.problem.cases:
            for need in case.needs:
                if need.current in hours:
                    hours[need.current] += need.hours
        return hours

    def why_moved(self, reference: str, index: int, holder: str, away: str | None) -> str:
        """Why the current holder does not keep a need, in the manager's words."""
        member = self.problem.staff_by_id.get(holder)
        if member is None:
            return "the holder has left or is no longer active"
        if away is not None:
            return f"the holder is {away}"
        case = self.problem.case_by_id[reference]
        reasons = reasons_against(self.problem.policy, case, case.needs[index], member)
        if reasons:
            return "the holder cannot keep it: " + "; ".join(reasons)
        before = self.hours_before[holder]
        if before > self.problem.policy.hard_capacity * member.available_hours:
            share = before / member.available_hours
            return f"the holder is over capacity ({share:.0%} of their hours)"
        return "moved to cover higher-risk work or to share the load"


def review(session: Session, run: PlanRun, reach: Reach) -> tuple[list[Proposal], list[Load]]:
    """The run's proposals for the user's regions with kind and reason, and workload changes."""
    stored = RunProblem(run)
    rows = session.execute(
        select(ProposedAssignment, Need, Case)
        .join(Need, ProposedAssignment.need_id == Need.id)
        .join(Case, Need.case_id == Case.id)
        .where(ProposedAssignment.run_id == run.id, case_within(reach))
        .options(
            joinedload(ProposedAssignment.staff_member),
            joinedload(ProposedAssignment.current_staff_member),
            joinedload(Case.site).joinedload(Site.region),
        )
        .order_by(Case.rosh_rank.desc(), Case.reference, ProposedAssignment.need_index)
    ).all()
    away = _away(session, run, [proposal for proposal, _, _ in rows])
    proposals = [
        Proposal(proposal, case, need, *_kind(stored, proposal, away))
        for proposal, need, case in rows
    ]
    return proposals, _loads(session, stored, [p.proposal for p in proposals], reach)


def _away(session: Session, run: PlanRun, proposals: list[ProposedAssignment]) -> dict[int, str]:
    """Why each holder who loses a need is away over the run's horizon, if they are."""
    losing = {
        p.current_staff_member_id
        for p in proposals
        if p.current_staff_member_id and p.current_staff_member_id != p.staff_member_id
    }
    week, policy = IsoWeek.parse(run.week), load_policy(session)
    people = session.scalars(
        select(StaffMember)
        .where(StaffMember.id.in_(losing))
        .options(selectinload(StaffMember.absences))
    )
    # Absence is the cause when it takes a whole week of the horizon, not a day here and there.
    found = {
        person.id: away_words(person, week, policy)
        for person in people
        if 0 in horizon_hours(person, week, policy).weekly
    }
    return {person_id: words for person_id, words in found.items() if words}


def _kind(
    stored: RunProblem, proposal: ProposedAssignment, away: dict[int, str]
) -> tuple[str, str | None]:
    """New, moved, unchanged, dropped or uncovered, and why the holder changed."""
    holder = proposal.current_staff_member
    if proposal.overridden:
        why = f"overridden: {proposal.override_reason}"
    elif holder is not None and holder.id != proposal.staff_member_id:
        why = stored.why_moved(
            proposal.case_reference, proposal.need_index, holder.staff_ref, away.get(holder.id)
        )
    else:
        why = None
    if proposal.staff_member_id is None:
        return (DROPPED if holder is not None else UNCOVERED), why
    if holder is None:
        return NEW, why
    return (UNCHANGED if holder.id == proposal.staff_member_id else MOVE), why


def _loads(
    session: Session, stored: RunProblem, proposals: list[ProposedAssignment], reach: Reach
) -> list[Load]:
    """Workload % before and after for everyone of the user's regions in the run's problem."""
    after: dict[int, float] = defaultdict(float)
    high_risk: dict[int, set[str]] = defaultdict(set)
    risks = {case.id: case.risk for case in stored.problem.cases}
    beyond = set(stored.problem.policy.beyond_safe_risks)
    for proposal in proposals:
        if proposal.staff_member_id is not None:
            after[proposal.staff_member_id] += proposal.hours
            if risks.get(proposal.case_reference) in beyond:
                high_risk[proposal.staff_member_id].add(proposal.case_reference)
    before = stored.hours_before
    people = {
        person.staff_ref: person
        for person in session.scalars(
            select(StaffMember)
            .where(StaffMember.staff_ref.in_(list(stored.problem.staff_by_id)), staff_within(reach))
            .options(joinedload(StaffMember.site))
        )
    }
    loads = []
    for member in stored.problem.staff:
        person = people.get(member.id)
        if person is None:
            continue
        loads.append(
            Load(
                staff=person,
                available=member.available_hours,
                before=workload(before[member.id], member.available_hours),
                after=workload(member.committed_hours + after[person.id], member.available_hours),
                high_risk=tuple(sorted(high_risk[person.id])),
            )
        )
    return loads
