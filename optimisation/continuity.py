"""Continuity on large parts: swap needs of equal weight and hours back to their holders.

Each person keeps exactly as many needs of each (risk weight, hours) as they have, so
coverage, every person's load and cases, overload and balance all stay as they are; within
that, as many needs as possible go to their current holder. The model is an assignment
problem (nearly always integral), solved at once for the whole part, rule 2 included.
"""

from __future__ import annotations

import time
from collections import defaultdict

import pulp

from optimisation.assign import Assignment, is_valid, values_of
from optimisation.parts import Part
from optimisation.solvers import Limits, run
from optimisation.tiers import better

NODES = 50


def realign(part: Part, assignment: Assignment, solver: str, deadline: float) -> Assignment:
    """The plan with needs swapped back to their current holders where loads allow."""
    slots: dict[tuple[float, float], dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for i, j in enumerate(assignment):
        if j >= 0 and i not in part.pinned:
            slots[part.weight[i], part.hours[i]][j] += 1
    lp = pulp.LpProblem("continuity", pulp.LpMaximize)
    pairs: list[tuple[int, int]] = []
    for i in range(len(part.needs)):
        if i in part.pinned:
            continue
        held = slots.get((part.weight[i], part.hours[i]), {})
        pairs += [(i, j) for j in part.eligible[i] if j in held]
    x = [
        lp.add_variable(f"x{k}", lowBound=0, upBound=1, cat=pulp.LpBinary)
        for k in range(len(pairs))
    ]
    by_need: dict[int, list] = defaultdict(list)
    by_slot: dict[tuple[float, float, int], list] = defaultdict(list)
    by_case: dict[tuple[int, int], list] = defaultdict(list)
    for k, (i, j) in enumerate(pairs):
        by_need[i].append((x[k], 1.0))
        by_slot[part.weight[i], part.hours[i], j].append((x[k], 1.0))
        by_case[part.case[i], j].append((x[k], 1.0))
    for i, terms in by_need.items():
        lp.addConstraint(pulp.LpAffineExpression(terms) <= 1, f"need{i}")
    for number, ((weight, hours, j), terms) in enumerate(sorted(by_slot.items())):
        lp.addConstraint(pulp.LpAffineExpression(terms) == slots[weight, hours][j], f"slot{number}")
    for number, terms in enumerate(terms for _, terms in sorted(by_case.items())):
        if len(terms) > 1:
            lp.addConstraint(pulp.LpAffineExpression(terms) <= 1, f"case{number}")
    # Keeping a need where it is breaks ties, so nothing moves without a gain.
    lp.setObjective(
        pulp.LpAffineExpression(
            [
                (x[k], (part.current[i] == j) + 0.001 * (assignment[i] == j))
                for k, (i, j) in enumerate(pairs)
            ]
        )
    )
    start = {f"x{k}": float(assignment[i] == j) for k, (i, j) in enumerate(pairs)}
    outcome = run(solver, lp, start, Limits(max(deadline - time.time(), 0.0), NODES, 1e-6))
    candidate = [j if i in part.pinned else -1 for i, j in enumerate(assignment)]
    for k, (i, j) in enumerate(pairs):
        if outcome.values.get(f"x{k}", 0.0) > 0.5:
            candidate[i] = j
    found = values_of(part, candidate)
    return (
        candidate
        if is_valid(part, candidate) and better(found, values_of(part, assignment))
        else assignment
    )
