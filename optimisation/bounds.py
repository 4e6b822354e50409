"""Coverage bounds that hold whatever a solver's tolerances did: weak duality, checked here.

For max c.x over rows a_r.x <= b_r (>= b_r, = b_r) and l <= x <= u, any multipliers y with
y_r >= 0 on <= rows, y_r <= 0 on >= rows and any sign on = rows give

    c.x <= sum_r y_r b_r + sum_k max((c - A'y)_k l_k, (c - A'y)_k u_k)

for every feasible x, integral or not. A solver's LP duals are only approximately optimal,
but they need not be optimal to be valid: clipped to those signs and summed here (with a
margin for rounding), they bound the model's optimum, so the bound a plan reports is never
below a plan that exists, whatever the weights.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pulp

from optimisation.ledger import EPSILON
from optimisation.parts import Part

# Relative margin for the rounding of the sums below (each term is exact to about 1e-16).
ROUNDING = 1e-10


def lagrangian_bound(lp: pulp.LpProblem, multipliers: Sequence[float]) -> float:
    """An upper bound on the maximum of lp's objective, from any multipliers of its rows."""
    reduced = {v.name: coefficient for v, coefficient in lp.objective.items()}
    magnitude = {v.name: abs(coefficient) for v, coefficient in lp.objective.items()}
    terms = []
    for y, constraint in zip(multipliers, lp.constraints(), strict=True):
        if constraint.sense == pulp.LpConstraintLE:
            y = max(y, 0.0)
        elif constraint.sense == pulp.LpConstraintGE:
            y = min(y, 0.0)
        if y == 0.0:
            continue
        terms.append(-y * constraint.constant)
        for v, a in constraint.items():
            reduced[v.name] = reduced.get(v.name, 0.0) - y * a
            magnitude[v.name] = magnitude.get(v.name, 0.0) + abs(y * a)
    error = [abs(t) for t in terms]
    for v in lp.variables():
        d = reduced.get(v.name, 0.0)
        if d == 0.0:
            continue
        end = v.upBound if d > 0 else v.lowBound
        if end is None:
            return math.inf
        terms.append(d * end)
        # The reduced cost carries the rounding of every product that went into it.
        error.append(magnitude[v.name] * abs(end))
    return math.fsum(terms) + ROUNDING * (math.fsum(error) + 1.0)


def hours_bound(part: Part) -> float:
    """A valid bound on a part's coverage, at once: its needs, best coverage an hour first,
    fitted fractionally into the hours left to all its people together (every plan keeps
    that sum, so no plan covers more). For a part whose solve did not come back."""
    room = math.fsum(max(room, 0.0) + EPSILON for room in part.hard_room)
    found = []
    for i in sorted(
        range(len(part.needs)),
        key=lambda i: -part.weight[i] / part.hours[i] if part.hours[i] > 0 else -math.inf,
    ):
        share = 1.0 if part.hours[i] <= room else max(room, 0.0) / part.hours[i]
        found.append(part.weight[i] * share)
        room -= part.hours[i] * share
        if room <= 0:
            break
    return min(math.fsum(found) * (1 + ROUNDING) + ROUNDING, math.fsum(part.weight))
