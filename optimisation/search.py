"""Parts too large to prove: a plan found by a short search, and a bound proven apart from it.

The search solves coverage band by band (bands.py) at a small node limit, each band held at
the value found; in the last band it maximises coverage and holders together, as one
objective: the band's whole units times (one more than the most holders that could be kept),
plus holders kept. In exact arithmetic that is lexicographic; to a floating-point solver it is
only a direction to search in, and that is all it is used for. Searching for coverage alone
finds plans indifferent to who holds what, from which a continuity tier with coverage pinned
down was measured to find no better plan, while the joint search keeps holders as it covers
(on the London demo's largest part, 238 holders of 276 against 36). What it returns is
measured here; neither its values nor its bounds are claimed.

The bound is the LP relaxation's of the part's relaxed model (a relaxation of the problem, see
parts.py), made valid by weak duality from the LP's multipliers (bounds.py).
"""

from __future__ import annotations

import math
import time

from optimisation.assign import is_feasible, measure
from optimisation.bounds import lagrangian_bound
from optimisation.ledger import better
from optimisation.model import AllocationModel
from optimisation.parts import Part
from optimisation.solvers import Limits, run
from optimisation.tiers import MAX, band_values, part_bands, read_counts, starting_values


def search(part: Part, start: list[int], solver: str, deadline: float, nodes: int) -> list[int]:
    """A plan of a classed part at least as good as `start`, from a node-limited search."""
    model = AllocationModel(part)
    best, values = list(start), measure(part, start)
    found = part_bands(part)
    for b, band in enumerate(found):
        objective = model.band(band)
        if b == len(found) - 1:
            continuity = model.continuity()
            scale = 1.0 + sum(v.upBound for v, _ in continuity.items())
            objective = objective * scale + continuity
        model.aim(objective, MAX)
        limits = Limits(max(deadline - time.time(), 0.0), nodes, 0.0, absolute_gap=0.999)
        outcome = run(solver, model.problem, starting_values(model, best), limits)
        counts = read_counts(outcome.values, model)
        if (
            counts is not None
            and is_feasible(part, counts)
            and better(measure(part, counts), values)
        ):
            best, values = counts, measure(part, counts)
        model.problem.addConstraint(
            model.band(band) >= band_values(part, best, found)[b] - 0.5, f"band{b}"
        )
    return best


def relaxation_bound(part: Part, deadline: float) -> float:
    """A valid bound on a classed part's coverage: its LP relaxation's, by weak duality."""
    # HiGHS, whichever solver plans: it alone gives the multipliers the bound is made from.
    model = AllocationModel(part)
    model.aim(model.coverage(), MAX)
    limits = Limits(seconds=max(deadline - time.time(), 0.0), nodes=0, gap=0.0)
    outcome = run("highs", model.problem, {}, limits, relax=True)
    everything = math.fsum(cls.weight * len(cls.members) for cls in part.classes)
    if not outcome.duals:
        return everything
    return min(everything, lagrangian_bound(model.problem, outcome.duals))
