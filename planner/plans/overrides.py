"""A manager's override of a proposal: another eligible person, or nobody, with a reason."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from optimisation import Need as ProblemNeed
from optimisation import Problem, broken_rules, staff_verdicts
from optimisation import Staff as ProblemStaff
from planner.domain.ineligibility import NeedTerms, PersonTerms, why_not
from planner.domain.needs import need_name
from planner.domain.rules import away_words, workload
from planner.domain.vocabulary import OverrideReason, Rosh
from planner.domain.weeks import IsoWeek
from planner.models import (
    Allocation,
    Case,
    Exclusion,
    Need,
    OverrideCategory,
    PlanApproval,
    PlanRun,
    ProposedAssignment,
    Site,
    StaffMember,
    User,
)
from planner.models.policy import load_policy
from planner.models.types import utcnow
from planner.plans.review import RunProblem


class OverrideRefused(Exception):
    """An override that breaks a rule, with the reason in words."""


@dataclass(frozen=True)
class Candidate:
    """Someone who might hold the need: eligible or not (and why not, in words), and their load
    under the plan without this need and with it."""

    staff: StaffMember
    eligible: bool
    reasons: tuple[str, ...]
    workload_now: float | None
    workload_after: float | None
    spare_hours: float
    # "Holds the COM now", "Held the POM until 3 March 2026", or None: never held the case.
    held_before: str | None
    very_high_cases: int


@dataclass(frozen=True)
class _Plan:
    """What the run's proposals, as they stand, give each person."""

    hours: dict[int, float]
    very_high: dict[int, set[str]]
    # People on another need of this case: one person holds at most one need of a case.
    elsewhere: dict[int, str]


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
            select(StaffMember)
            .where(StaffMember.staff_ref.in_(list(members)))
            .options(joinedload(StaffMember.site), selectinload(StaffMember.absences))
        )
    }
    planned = _planned(session, run, proposal)
    history = _held_before(session, proposal)
    ruled_out = _ruled_out(session, stored.problem, run, proposal, people.values())
    result = []
    for member in members.values():
        person = people.get(member.id)
        if person is None:
            continue
        reasons = ruled_out.get(person.id, ())
        if person.id in planned.elsewhere:
            reasons = (
                *reasons,
                f"Already planned for the {planned.elsewhere[person.id]} of this case",
            )
        base = member.committed_hours + planned.hours[person.id]
        result.append(
            Candidate(
                staff=person,
                eligible=not reasons,
                reasons=reasons,
                workload_now=workload(base, member.available_hours),
                workload_after=workload(base + need.hours, member.available_hours),
                spare_hours=round(member.available_hours - base, 2),
                held_before=history.get(person.id),
                very_high_cases=len(planned.very_high[person.id] - {case.id}),
            )
        )
    return sorted(result, key=lambda c: (not c.eligible, c.workload_after or 0.0, c.staff.name))


def _planned(session: Session, run: PlanRun, proposal: ProposedAssignment) -> _Plan:
    """Hours and very high risk cases each person holds under the run's other proposals."""
    hours: dict[int, float] = defaultdict(float)
    very_high: dict[int, set[str]] = defaultdict(set)
    elsewhere: dict[int, str] = {}
    rows = session.execute(
        select(ProposedAssignment, Case.rosh, Need)
        .join(Need, ProposedAssignment.need_id == Need.id)
        .join(Case, Need.case_id == Case.id)
        .where(
            ProposedAssignment.run_id == run.id,
            ProposedAssignment.staff_member_id.is_not(None),
            ProposedAssignment.id != proposal.id,
        )
    )
    for other, rosh, need in rows:
        hours[other.staff_member_id] += other.hours
        if rosh == Rosh.VERY_HIGH:
            very_high[other.staff_member_id].add(other.case_reference)
        if other.case_reference == proposal.case_reference:
            elsewhere[other.staff_member_id] = need_name(need)
    return _Plan(hours, very_high, elsewhere)


def _held_before(session: Session, proposal: ProposedAssignment) -> dict[int, str]:
    """Who has held any need of the case, in words: holding it now, or until when."""
    rows = session.execute(
        select(Allocation, Need)
        .join(Need, Allocation.need_id == Need.id)
        .where(Need.case_id == proposal.need.case_id)
        .order_by(Allocation.start_date)
    )
    found: dict[int, str] = {}
    for allocation, need in rows:
        if allocation.end_date is None:
            found[allocation.staff_member_id] = f"Holds the {need_name(need)} now"
        elif not found.get(allocation.staff_member_id, "").startswith("Holds"):
            until = allocation.end_date
            found[allocation.staff_member_id] = (
                f"Held the {need_name(need)} until {until.day} {until:%B %Y}"
            )
    return found


def _ruled_out(
    session: Session,
    problem: Problem,
    run: PlanRun,
    proposal: ProposedAssignment,
    people: Iterable[StaffMember],
) -> dict[int, tuple[str, ...]]:
    """Everyone the rules rule out of the need, each with the rules they break in words."""
    case = problem.case_by_id[proposal.case_reference]
    need = case.needs[proposal.need_index]
    week = IsoWeek.parse(run.week)
    policy = load_policy(session)
    exclusions = dict(
        session.execute(
            select(Exclusion.staff_member_id, Exclusion.reason).where(
                Exclusion.case_id == proposal.need.case_id
            )
        ).all()
    )
    site_names = dict(session.execute(select(Site.code, Site.name)).all())
    terms = _need_terms(need, site_names.get(case.site, case.site))
    found = {}
    for person in people:
        member = problem.staff_by_id[person.staff_ref]
        rules = broken_rules(problem.policy, case, need, member)
        if not rules:
            continue
        away = away_words(person, week, policy) if {"available", "accepting"} & set(rules) else None
        words = [
            sentence
            for rule in rules
            for sentence in why_not(
                rule, terms, _person_terms(person, member), week.monday,
                exclusions.get(person.id), away,
            )
        ]  # fmt: skip
        found[person.id] = tuple(words)
    return found


def _need_terms(need: ProblemNeed, site: str) -> NeedTerms:
    """What the need asks, for the words of why someone may not hold it."""
    grade = need.min_grade or "PSO"
    return NeedTerms(grade, need.vetting, tuple(need.skills), site)


def _person_terms(person: StaffMember, member: ProblemStaff) -> PersonTerms:
    """What the person brings, as recorded (the problem holds their vetting after a lapse)."""
    return PersonTerms(
        grade=member.grade,
        vetting=person.vetting.value,
        vetting_expiry=person.vetting_expiry,
        skills=tuple(member.skills),
        site=person.site.name,
    )


def override(
    session: Session,
    run: PlanRun,
    proposal: ProposedAssignment,
    person: StaffMember | None,
    reasons: list[OverrideReason],
    detail: str,
    pin: bool,
    user: User,
) -> None:
    """Put another eligible person (or nobody) on the need, for reasons that are recorded."""
    if run.approved_at is not None or not run.finished:
        raise OverrideRefused("this run can no longer be changed")
    approved = session.scalar(
        select(PlanApproval)
        .join(Site, Site.region_id == PlanApproval.region_id)
        .join(Case, Case.site_id == Site.id)
        .join(Need, Need.case_id == Case.id)
        .where(PlanApproval.run_id == run.id, Need.id == proposal.need_id)
    )
    if approved is not None:
        raise OverrideRefused(
            f"the plan for {approved.region.name} was approved by {approved.approved_by_name}, "
            "so its needs can no longer be changed"
        )
    if not reasons:
        raise OverrideRefused("give at least one reason for the change")
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
    # Kept exactly as the manager typed it: only the spaces around it go.
    proposal.override_reason = detail.strip() or None
    proposal.overridden_by_id = user.id
    proposal.overridden_at = utcnow()
    if person is not None:
        proposal.uncovered_reason = proposal.detail = proposal.remedy_text = None
        proposal.remedy = None
    else:
        proposal.uncovered_reason = "overridden"
    # Last: reading the kinds ticked before flushes the change above as one line of the log.
    _tick(proposal, set(reasons))
    if person is None:
        proposal.detail = f"Left without a holder by {user.username}: {proposal.override_words}"


def _tick(proposal: ProposedAssignment, reasons: set[OverrideReason]) -> None:
    """Keep the kinds of reason still ticked, add the new ones (a row is never deleted and
    added again in one flush: the pair is unique)."""
    for category in list(proposal.categories):
        if category.category not in reasons:
            proposal.categories.remove(category)
    kept = {category.category for category in proposal.categories}
    for reason in OverrideReason:
        if reason in reasons and reason not in kept:
            proposal.categories.append(OverrideCategory(category=reason))
