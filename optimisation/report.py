"""Turn needs filled (need -> person) into a plan: values, loads, gaps explained, status."""

from __future__ import annotations

import time

from optimisation.check import objective_values
from optimisation.diagnose import explain_uncovered
from optimisation.eligibility import EligibilityIndex
from optimisation.ledger import Ledger, need_ids
from optimisation.problem import Assignment, Bound, Objective, Plan, Problem, StaffLoad

Filled = dict[tuple[int, int], int]


def trivial_bound(problem: Problem, index: EligibilityIndex) -> float:
    """Coverage if every need with an eligible person were filled: valid, if loose."""
    return sum(problem.weight(problem.cases[c]) for c, n in need_ids(problem) if index.of(c, n))


def is_proven(coverage: float, bound: float, relative_gap: float) -> bool:
    """Whether coverage is within the relative gap of a valid bound (as check_plan asks)."""
    return bound - coverage <= relative_gap * max(abs(bound), 1.0)


def _staff_load(problem: Problem, filled: Filled) -> tuple[StaffLoad, ...]:
    """Every person's planned and committed hours, Workload % and cases."""
    ledger = Ledger.of(problem, filled)
    hours, cases = ledger.hours, ledger.cases
    loads = []
    for s, member in enumerate(problem.staff):
        total = member.committed_hours + hours[s]
        workload = round(total / member.available_hours, 4) if member.available_hours > 0 else None
        loads.append(
            StaffLoad(
                staff=member.id,
                planned_hours=round(hours[s], 6),
                committed_hours=member.committed_hours,
                available_hours=member.available_hours,
                workload=workload,
                cases=len(cases[s]),
            )
        )
    return tuple(loads)


def build_plan(
    problem: Problem,
    index: EligibilityIndex,
    filled: Filled,
    *,
    solver: str,
    bound: float,
    optimal: bool,
    warnings: tuple[str, ...],
    started: float,
) -> Plan:
    """The plan for needs filled, `optimal` when it is proven so (see docs/PLAN-FORMAT.md)."""
    # `bound` is a valid bound on coverage; `optimal` says whether continuity and overload are
    # proven optimal given the tiers above, and coverage with them.
    values = objective_values(problem, filled)
    # A bound summed part by part may round a hair below the same coverage summed at once.
    bound = max(bound, values.coverage)
    proven = optimal and is_proven(values.coverage, bound, problem.policy.relative_gap)
    assignments = []
    for c, n in sorted(filled):
        case = problem.cases[c]
        need = case.needs[n]
        staff_id = problem.staff[filled[c, n]].id
        assignments.append(
            Assignment(
                case=case.id,
                need=n,
                staff=staff_id,
                hours=need.hours,
                continuity=need.current == staff_id,
                pinned=need.pinned == staff_id,
            )
        )
    uncovered = tuple(explain_uncovered(problem, index, filled))
    staff_load = _staff_load(problem, filled)
    return Plan(
        week=problem.week,
        status="optimal" if proven else "feasible",
        solver=solver,
        # Last, so that the seconds include explaining the gaps.
        seconds=round(time.perf_counter() - started, 3),
        objective=Objective(values.coverage, values.continuity, values.overload),
        bound=Bound(bound),
        assignments=tuple(assignments),
        uncovered=uncovered,
        staff_load=staff_load,
        warnings=warnings,
    )


def error_plan(problem: Problem, solver: str, message: str, started: float) -> Plan:
    """A plan that says the solve failed and why, with nothing assigned."""
    return Plan(
        week=problem.week,
        status="error",
        solver=solver,
        seconds=round(time.perf_counter() - started, 3),
        objective=Objective(0.0, 0, 0.0),
        bound=Bound(0.0),
        message=message,
    )
