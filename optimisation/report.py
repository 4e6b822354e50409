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
    """Whether coverage is within the relative gap of a valid bound."""
    return bound - coverage <= relative_gap * max(abs(bound), 1.0) + 1e-6


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
    warnings: tuple[str, ...],
    started: float,
) -> Plan:
    """The plan for needs filled; `optimal` exactly when coverage is proven within the gap."""
    values = objective_values(problem, filled)
    proven = is_proven(values.coverage, bound, problem.policy.relative_gap)
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
    return Plan(
        week=problem.week,
        status="optimal" if proven else "feasible",
        solver=solver,
        seconds=round(time.perf_counter() - started, 3),
        objective=Objective(values.coverage, values.continuity, values.overload),
        # docs/PLAN-FORMAT.md: when optimal (proven within relative_gap) the bound equals coverage.
        bound=Bound(values.coverage if proven else round(max(bound, values.coverage), 6)),
        assignments=tuple(assignments),
        uncovered=tuple(explain_uncovered(problem, index, filled)),
        staff_load=_staff_load(problem, filled),
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
