"""A consistent snapshot of the database for one week, as a problem (docs/PLAN-FORMAT.md)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from optimisation import Case as ProblemCase
from optimisation import Need as ProblemNeed
from optimisation import Problem, ProblemPolicy
from optimisation import Staff as ProblemStaff
from planner.domain.policy import Policy
from planner.domain.rules import (
    CaseFacts,
    HorizonHours,
    NeedSpec,
    committed_hours,
    default_needs,
    horizon_hours,
)
from planner.domain.vocabulary import Grade, NeedSource, Vetting
from planner.domain.weeks import IsoWeek
from planner.models import Case, Need, StaffMember


@dataclass(frozen=True)
class PlannedNeed:
    """A need as it stands in the planned week: from the rules, or as a manager set it."""

    key: str
    spec: NeedSpec
    stored: Need | None


@dataclass(frozen=True)
class NeedRef:
    """Where need `index` of a problem case came from."""

    case_id: int
    key: str


@dataclass(frozen=True)
class Snapshot:
    """The problem for a week, and the way back from its ids to the database's rows."""

    week: IsoWeek
    problem: Problem
    needs: dict[tuple[str, int], NeedRef]
    staff_ids: dict[str, int]
    case_ids: dict[str, int]


def planned_needs(
    case: CaseFacts, needs: Sequence[Need], policy: Policy, on: date
) -> list[PlannedNeed]:
    """A case's needs on a date, written nowhere: the rules', except where a manager set one."""
    stored = {need.key: need for need in needs}
    planned = []
    for spec in default_needs(case, policy, on):
        need = stored.get(spec.key)
        if need is not None and need.source == NeedSource.MANAGER:
            continue
        planned.append(
            PlannedNeed(spec.key, spec, need if need is not None and need.active else None)
        )
    for need in needs:
        if need.source == NeedSource.MANAGER and need.active:
            planned.append(PlannedNeed(need.key, _spec_of(need), need))
    return planned


def _spec_of(need: Need) -> NeedSpec:
    """A stored need read as a derived one."""
    return NeedSpec(
        key=need.key,
        role=need.role,
        min_grade=need.min_grade,
        hours=need.hours,
        vetting=need.vetting,
        skills=tuple(need.skills),
        same_site=need.same_site,
        rule=need.rule,
    )


def build_snapshot(
    cases: Sequence[Case], staff: Sequence[StaffMember], week: IsoWeek, policy: Policy
) -> Snapshot:
    """The problem for a week: who has how many hours, and what each case needs."""
    on = week.monday
    by_id = {person.id: person for person in staff}
    problem_cases = []
    refs: dict[tuple[str, int], NeedRef] = {}
    for case in cases:
        needs = []
        for index, planned in enumerate(planned_needs(case, case.needs, policy, on)):
            holder = planned.stored.allocation_on(on) if planned.stored else None
            current = by_id.get(holder.staff_member_id) if holder else None
            held_by = current.staff_ref if current else None
            needs.append(
                need_entry(planned.spec, held_by, held_by if holder and holder.pinned else None)
            )
            refs[(case.reference, index)] = NeedRef(case.id, planned.key)
        excluded = sorted(
            e.staff_member.staff_ref for e in case.exclusions if e.staff_member_id in by_id
        )
        problem_cases.append(
            ProblemCase(
                id=case.reference,
                risk=case.rosh.value,
                site=case.site.code,
                region=case.site.region.name,
                needs=tuple(needs),
                excluded_staff=tuple(excluded),
            )
        )
    problem = Problem(
        week=str(week),
        policy=problem_policy(policy),
        staff=tuple(_staff_entry(person, week, policy) for person in staff),
        cases=tuple(problem_cases),
    )
    return Snapshot(
        week=week,
        problem=problem,
        needs=refs,
        staff_ids={person.staff_ref: person.id for person in staff},
        case_ids={case.reference: case.id for case in cases},
    )


def effective_vetting(person: StaffMember, on: date) -> Vetting:
    """Vetting that has lapsed counts for nothing above the baseline check (BPSS)."""
    lapsed = person.vetting_expiry is not None and person.vetting_expiry < on
    if lapsed and list(Vetting).index(person.vetting) > list(Vetting).index(Vetting.BPSS):
        return Vetting.BPSS
    return person.vetting


def _staff_entry(person: StaffMember, week: IsoWeek, policy: Policy) -> ProblemStaff:
    """One practitioner as the optimiser reads them: their hours over the planning horizon."""
    return staff_entry(person, week, policy, horizon_hours(person, week, policy))


def staff_entry(
    person: StaffMember, week: IsoWeek, policy: Policy, hours: HorizonHours
) -> ProblemStaff:
    """One practitioner with these hours: an allocation lasts, so the horizon's average counts,
    and someone away for half of it takes no need they do not hold now."""
    available = hours.average
    return ProblemStaff(
        id=person.staff_ref,
        role=person.role.value,
        grade=person.grade.value,
        site=person.site.code,
        region=person.site.region.name,
        available_hours=available,
        committed_hours=committed_hours(person, available),
        vetting=effective_vetting(person, week.monday).value,
        skills=tuple(sorted(person.skills)),
        max_cases=person.max_cases,
        accepts_new_needs=hours.takes_new_needs,
    )


def need_entry(spec: NeedSpec, current: str | None, pinned: str | None) -> ProblemNeed:
    """One need as the optimiser reads it, with the staff ids of its holder and its pin."""
    return ProblemNeed(
        role=spec.role.value,
        hours=spec.hours,
        min_grade=Grade(spec.min_grade).value,
        vetting=Vetting(spec.vetting).value,
        skills=tuple(sorted(spec.skills)),
        same_site=spec.same_site,
        current=current,
        pinned=pinned,
    )


def problem_policy(policy: Policy) -> ProblemPolicy:
    """The policy part of the problem."""
    return ProblemPolicy(
        risk_weights={risk: float(weight) for risk, weight in policy.risk_weights.items()},
        grades=tuple(grade.value for grade in Grade),
        vetting=tuple(level.value for level in Vetting),
        soft_capacity=policy.soft_capacity,
        safe_capacity=policy.safe_workload,
        hard_capacity=policy.hard_capacity,
        beyond_safe_risks=tuple(policy.beyond_safe_risks),
        time_limit_seconds=policy.time_limit_seconds,
        relative_gap=policy.relative_gap,
    )
