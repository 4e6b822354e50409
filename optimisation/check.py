"""Recompute from scratch every rule a plan breaks against its problem, and its objective values."""

from __future__ import annotations

import math

from optimisation.eligibility import EligibilityIndex, excluded_but_eligible, reasons_against
from optimisation.ledger import (
    EPSILON,
    Ledger,
    Values,
    hard_limit,
    need_ids,
    resolve_pins,
    safe_limit,
    soft_limit,
)
from optimisation.problem import RISKS, Plan, Problem

Filled = dict[tuple[int, int], int]


def objective_values(problem: Problem, filled: Filled) -> Values:
    """The objective values of needs filled as need -> staff position."""
    # fsum: the correctly rounded sum, whatever the order, so equal plans measure equal.
    planned: list[list[float]] = [[] for _ in problem.staff]
    weights = []
    continuity = 0
    for (c, n), s in filled.items():
        case = problem.cases[c]
        weights.append(problem.weight(case))
        continuity += case.needs[n].current == problem.staff[s].id
        planned[s].append(case.needs[n].hours)
    overloads = []
    highest = 0.0
    for s, member in enumerate(problem.staff):
        load = math.fsum([member.committed_hours, *planned[s]])
        overloads.append(max(0.0, load - soft_limit(problem, s)))
        if member.available_hours > 0:
            highest = max(highest, load / member.available_hours)
    return Values(math.fsum(weights), continuity, round(math.fsum(overloads), 6), highest)


def uncovered_reason(problem: Problem, index: EligibilityIndex, c: int, n: int) -> str:
    """Why a need could be unfilled, judged by eligibility alone (see docs/PLAN-FORMAT.md)."""
    if index.of(c, n):
        return "capacity"
    case = problem.cases[c]
    # The first such person settles it: the others need not be looked at.
    only_excluded = next(excluded_but_eligible(problem, case, case.needs[n]), None) is not None
    return "excluded" if only_excluded else "no_eligible_staff"


def _read_assignments(problem: Problem, plan: Plan, broken: list[str]) -> Filled:
    """Map the plan's assignments to positions, reporting those that name nothing real."""
    cases = problem.case_index
    staff = problem.staff_index
    filled: Filled = {}
    for a in plan.assignments:
        label = f"assignment {a.case} need {a.need} to {a.staff}"
        c = cases.get(a.case)
        if c is None or not 0 <= a.need < len(problem.cases[c].needs) or a.staff not in staff:
            broken.append(f"{label}: no such case, need or staff member")
            continue
        need = problem.cases[c].needs[a.need]
        if (c, a.need) in filled:
            broken.append(f"{label}: the need is already filled (rule 1: at most one person)")
            continue
        s = staff[a.staff]
        filled[c, a.need] = s
        reasons = reasons_against(problem.policy, problem.cases[c], need, problem.staff[s])
        if reasons:
            broken.append(f"{label}: not eligible (rule 1): {'; '.join(reasons)}")
        if abs(a.hours - need.hours) > EPSILON:
            broken.append(f"{label}: hours {a.hours:g}, but the need is {need.hours:g}")
        if a.continuity != (need.current == a.staff):
            broken.append(f"{label}: continuity flag should be {need.current == a.staff}")
        if a.pinned != (need.pinned == a.staff):
            broken.append(f"{label}: pinned flag should be {need.pinned == a.staff}")
    return filled


def _check_limits(
    problem: Problem, filled: Filled, pinned: set[tuple[int, int]], broken: list[str]
) -> None:
    """Rules 2-5: one need of a case each, the load, safe load and case limits, pins apart."""
    hours: list[list[float]] = [[] for _ in problem.staff]
    safe_hours: list[list[float]] = [[] for _ in problem.staff]
    cases: list[dict[int, int]] = [{} for _ in problem.staff]
    unpinned = [0] * len(problem.staff)
    unpinned_safe = [0] * len(problem.staff)
    for (c, n), s in sorted(filled.items()):
        need_hours = problem.cases[c].needs[n].hours
        within_safe = problem.within_safe(problem.cases[c])
        hours[s].append(need_hours)
        unpinned[s] += (c, n) not in pinned
        if within_safe:
            safe_hours[s].append(need_hours)
            unpinned_safe[s] += (c, n) not in pinned
        if c in cases[s]:
            broken.append(
                f"{problem.staff[s].id} fills needs {cases[s][c]} and {n} of "
                f"{problem.cases[c].id} (rule 2: one need of a case each)"
            )
        cases[s].setdefault(c, n)
    for s, member in enumerate(problem.staff):
        # Kept pins may exceed the limits (rule 5), but a limit they (or committed hours)
        # exceed admits nothing more: any other need it counts breaks it.
        load = math.fsum([member.committed_hours, *hours[s]])
        if unpinned[s] and load > hard_limit(problem, s) + EPSILON:
            broken.append(
                f"{member.id}: load {load:g} h is above the limit "
                f"{hard_limit(problem, s):g} h (rule 3)"
            )
        safe_load = math.fsum([member.committed_hours, *safe_hours[s]])
        if unpinned_safe[s] and safe_load > safe_limit(problem, s) + EPSILON:
            risks = ", ".join(r for r in RISKS if r not in problem.policy.beyond_safe_risks)
            broken.append(
                f"{member.id}: safe load {safe_load:g} h (committed, and needs of risk "
                f"{risks}) is above the safe limit {safe_limit(problem, s):g} h (rule 3)"
            )
        if unpinned[s] and member.max_cases is not None and len(cases[s]) > member.max_cases:
            broken.append(
                f"{member.id}: {len(cases[s])} cases, above the limit {member.max_cases} (rule 4)"
            )


def _check_uncovered(
    problem: Problem, index: EligibilityIndex, plan: Plan, filled: Filled, broken: list[str]
) -> None:
    """Every unfilled need is listed as uncovered, with a reason eligibility bears out."""
    listed = {}
    for u in plan.uncovered:
        listed[u.case, u.need] = u
    for c, n in need_ids(problem):
        case = problem.cases[c]
        entry = listed.pop((case.id, n), None)
        if (c, n) in filled:
            if entry is not None:
                broken.append(f"{case.id} need {n}: listed as uncovered but filled")
        elif entry is None:
            broken.append(f"{case.id} need {n}: unfilled but not listed as uncovered")
        elif entry.reason != uncovered_reason(problem, index, c, n):
            broken.append(
                f"{case.id} need {n}: reason {entry.reason}, but eligibility says "
                f"{uncovered_reason(problem, index, c, n)}"
            )
    for case_id, n in listed:
        broken.append(f"uncovered {case_id} need {n}: no such need")


def check_plan(problem: Problem, plan: Plan) -> tuple[list[str], Values]:
    """Every rule the plan breaks (empty when none) and its objective values, from scratch."""
    broken: list[str] = []
    index = EligibilityIndex(problem)
    if plan.week != problem.week:
        broken.append(f"week: plan is for {plan.week}, problem for {problem.week}")
    filled = _read_assignments(problem, plan, broken)
    pins = resolve_pins(problem, index)
    for (c, n), s in pins.kept.items():
        if filled.get((c, n)) != s:
            broken.append(
                f"{problem.cases[c].id} need {n}: pinned to eligible "
                f"{problem.staff[s].id} but not kept (rule 5)"
            )
    for c, n in need_ids(problem):
        # Only a pin not kept needs a warning: test that before scanning every warning.
        if problem.cases[c].needs[n].pinned is None or (c, n) in pins.kept:
            continue
        label = f"{problem.cases[c].id} need {n}"
        if not any(warning.startswith(label + ":") for warning in plan.warnings):
            broken.append(f"{label}: pin cannot be kept but no warning says so (rule 5)")
    _check_limits(problem, filled, set(pins.kept), broken)
    _check_uncovered(problem, index, plan, filled, broken)
    values = objective_values(problem, filled)
    for name, found in (
        ("coverage", values.coverage),
        ("continuity", values.continuity),
        ("overload_hours", values.overload),
    ):
        said = getattr(plan.objective, name)
        if abs(said - found) > 1e-4:
            broken.append(f"objective.{name}: plan says {said:g}, recomputed {found:g}")
    _check_bound(problem, plan, values.coverage, broken)
    _check_staff_load(problem, plan, filled, broken)
    return broken, values


def _check_bound(problem: Problem, plan: Plan, coverage: float, broken: list[str]) -> None:
    """The bound is never below the coverage, and within the gap of it when optimal."""
    # A tolerance for rounding only: a few units in the last place of the values.
    slack = 1e-9 * max(abs(plan.bound.coverage), abs(coverage), 1.0)
    if plan.bound.coverage < coverage - slack:
        broken.append(
            f"bound.coverage {plan.bound.coverage:.10g} is below the coverage achieved "
            f"{coverage:.10g}"
        )
    allowed = problem.policy.relative_gap * max(abs(plan.bound.coverage), 1.0)
    if plan.status == "optimal" and plan.bound.coverage - coverage > allowed + slack:
        broken.append(
            f"status optimal, but bound.coverage {plan.bound.coverage:.10g} is more than the "
            f"relative gap {problem.policy.relative_gap:g} above the coverage {coverage:.10g}"
        )


def _check_staff_load(problem: Problem, plan: Plan, filled: Filled, broken: list[str]) -> None:
    """Each staff_load entry agrees with the assignments."""
    ledger = Ledger.of(problem, filled)
    hours, cases = ledger.hours, ledger.cases
    for load in plan.staff_load:
        s = problem.staff_index.get(load.staff)
        if s is None:
            broken.append(f"staff_load {load.staff}: no such staff member")
        elif abs(load.planned_hours - hours[s]) > 1e-4 or load.cases != len(cases[s]):
            broken.append(
                f"staff_load {load.staff}: says {load.planned_hours:g} h and "
                f"{load.cases} cases, recomputed {hours[s]:g} h and "
                f"{len(cases[s])} cases"
            )
