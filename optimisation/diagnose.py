"""Why each uncovered need is uncovered, and a person whose addition would cover it."""

from __future__ import annotations

import math
from collections import Counter

from optimisation.check import uncovered_reason
from optimisation.eligibility import (
    RULES,
    EligibilityIndex,
    excluded_but_eligible,
    required_grade,
)
from optimisation.ledger import EPSILON, Ledger, hard_limit, need_ids, safe_limit
from optimisation.problem import AddStaff, Case, Need, Problem, Remedy, Staff, Uncovered

# The rules that narrow down the people who could fill a need, in the order a manager checks.
_NARROWING = ("grade", "vetting", "skills", "available", "accepting")
_SHOWN = 5


def _where(case: Case, need: Need) -> str:
    """Where the people who could fill a need work."""
    return f"at {case.site}" if need.same_site else f"in {case.region}"


def _passes(
    problem: Problem, case: Case, need: Need, member: Staff, rules: tuple[str, ...]
) -> bool:
    """Whether a person passes the named rules for a need."""
    return all(
        rule.holds(problem.policy, case, need, member) for rule in RULES if rule.name in rules
    )


def _phrase(problem: Problem, rule: str, need: Need) -> str:
    """What passing a narrowing rule means, in words."""
    return {
        "grade": f"graded {required_grade(problem.policy, need)} or above",
        "vetting": f"vetted {need.vetting} or above",
        "skills": "with skill " + ", ".join(need.skills),
        "available": "with hours available this week",
        "accepting": "taking new needs",
    }[rule]


def _nobody_detail(problem: Problem, index: EligibilityIndex, case: Case, need: Need) -> str:
    """Name the rule that rules everybody out, narrowing the people of the right role and place."""
    base = ("role", "region", "site")
    people = [
        problem.staff[s]
        for s in index.by_role_region.get((need.role, case.region), [])
        if _passes(problem, case, need, problem.staff[s], base)
    ]
    text = f"{len(people)} {need.role} staff {_where(case, need)}"
    if not people:
        return f"no {need.role} staff {_where(case, need)}"
    applied = base
    for rule in _NARROWING:
        applied = (*applied, rule)
        remaining = [m for m in people if _passes(problem, case, need, m, applied)]
        if len(remaining) == len(people):
            continue
        if not remaining:
            return f"{text}; none {_phrase(problem, rule, need)}"
        text += f"; {len(remaining)} {_phrase(problem, rule, need)}"
        people = remaining
    return text


def _excluded_detail(problem: Problem, case: Case, need: Need) -> str:
    """Name the excluded people who alone would be eligible."""
    people = list(excluded_but_eligible(problem, case, need))
    return f"only {', '.join(people)} would be eligible, and excluded from {case.id}"


def _capacity_detail(
    problem: Problem, ledger: Ledger, c: int, need: Need, eligible: tuple[int, ...]
) -> str:
    """Say, for the eligible people, what took their room (the first few, and how many more)."""
    notes = []
    within_safe = problem.within_safe(problem.cases[c])
    for s in eligible[:_SHOWN]:
        member = problem.staff[s]
        left = hard_limit(problem, s) - ledger.load(s)
        safe_left = safe_limit(problem, s) - ledger.safe_load(s)
        if c in ledger.cases[s]:
            notes.append(f"{member.id} already holds another need of this case")
        elif member.max_cases is not None and len(ledger.cases[s]) >= member.max_cases:
            notes.append(f"{member.id} is at the case limit of {member.max_cases}")
        elif left + EPSILON < need.hours:
            notes.append(
                f"{member.id} has {max(left, 0.0):.1f} of {hard_limit(problem, s):.1f} h left"
            )
        elif within_safe and safe_left + EPSILON < need.hours:
            notes.append(
                f"{member.id} has {max(safe_left, 0.0):.1f} of {safe_limit(problem, s):.1f} h "
                f"left within the safe workload, which a {problem.cases[c].risk} risk need "
                "may not pass"
            )
        else:
            notes.append(f"{member.id} could take it only by dropping higher-ranked work")
    more = f"; and {len(eligible) - _SHOWN} more" if len(eligible) > _SHOWN else ""
    return (
        f"{len(eligible)} eligible staff, none with room for {need.hours:g} h after "
        f"higher-ranked work: {'; '.join(notes)}{more}"
    )


def _site_for(problem: Problem, index: EligibilityIndex, case: Case, need: Need) -> str:
    """Where a new person for the need would work: the case's site, or the role's usual one."""
    if need.same_site:
        return case.site
    sites = index.sites.get((need.role, case.region), Counter())
    if not sites or case.site in sites:
        return case.site
    return min(sites, key=lambda site: (-sites[site], site))


def remedy_for(problem: Problem, index: EligibilityIndex, case: Case, need: Need) -> Remedy:
    """A person who, added with no other work, could fill this need and nothing less."""
    grade = required_grade(problem.policy, need)
    # A person with no available hours is not eligible, even for a need of no hours; and
    # under a capacity below 100 % (hard, or safe for a need within safe) they need more
    # available hours than the need.
    hours = need.hours if need.hours > 0 else 0.5
    capacity = problem.policy.hard_capacity
    if problem.within_safe(case):
        capacity = min(capacity, problem.policy.safe_capacity)
    if 0 < capacity < 1:
        hours = math.ceil(hours / capacity * 2) / 2
    person = AddStaff(
        role=need.role,
        grade=grade,
        site=_site_for(problem, index, case, need),
        region=case.region,
        vetting=need.vetting,
        skills=tuple(need.skills),
        available_hours=hours,
    )
    words = [f"{hours:g} hours a week of a {need.role} {grade} or above {_where(case, need)}"]
    if need.vetting != problem.policy.vetting[0]:
        words.append(f"vetted {need.vetting}")
    words.extend(need.skills)
    return Remedy(text=", ".join(words), add_staff=person)


def explain_uncovered(
    problem: Problem, index: EligibilityIndex, filled: dict[tuple[int, int], int]
) -> list[Uncovered]:
    """Every unfilled need, highest risk first, with its reason, detail and remedy."""
    ledger = Ledger.of(problem, filled)
    found = []
    for c, n in need_ids(problem):
        if (c, n) in filled:
            continue
        case = problem.cases[c]
        need = case.needs[n]
        reason = uncovered_reason(problem, index, c, n)
        if reason == "capacity":
            detail = _capacity_detail(problem, ledger, c, need, index.of(c, n))
        elif reason == "excluded":
            detail = _excluded_detail(problem, case, need)
        else:
            detail = _nobody_detail(problem, index, case, need)
        found.append(
            Uncovered(
                case=case.id,
                need=n,
                risk=case.risk,
                reason=reason,
                detail=detail,
                remedy=remedy_for(problem, index, case, need),
            )
        )
    weights = problem.policy.risk_weights
    return sorted(found, key=lambda u: -weights[u.risk])
