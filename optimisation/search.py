"""Parts too large to prove: a plan found by a short search, and a bound proven apart from it.

The search solves coverage band by band (bands.py) at a small node limit, each band held at
the value found; in the last band it maximises coverage and holders together, as one
objective: the band's whole units times (one more than the most holders that could be kept),
plus holders kept. In exact arithmetic that is lexicographic; to a floating-point solver it is
only a direction to search in, and that is all it is used for. Searching for coverage alone
finds plans indifferent to who holds what, from which a continuity tier with coverage pinned
down was measured to find no better plan, while the joint search keeps holders as it covers
(on the London demo's largest part, 238 holders of 276 against 36). What it returns is
measured here, and nothing it finds is claimed optimal.

Bounds: the relaxed model is a relaxation of the part (parts.py), so its dual bound holds. The
first band's dual bound, after the root's cuts, is what the search reports: divided by the
scale when holders share its objective (they add at most one scale's worth less one), with a
margin of a millionth for the solver's tolerances, and with every need of any band below
counted in full. relaxation_bound is the LP relaxation's bound, made valid by weak duality
from the LP's multipliers whatever the solver's tolerances (bounds.py): looser than the root's
after cuts, but proven here, and what is left when the search has no dual bound to give.
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

# The solver's dual bounds are trusted to a millionth of their size (its tolerances are 1e-7).
MARGIN = 1e-6


def search(
    part: Part, start: list[int], solver: str, deadline: float, nodes: int
) -> tuple[list[int], float | None]:
    """A plan of a classed part at least as good as `start`, from a node-limited search, and
    the coverage bound the search proved (None if it proved none)."""
    model = AllocationModel(part)
    best, values = list(start), measure(part, start)
    found = part_bands(part)
    bound = None
    for b, band in enumerate(found):
        objective = model.band(band)
        scale = 1.0
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
        if b == 0 and outcome.bound is not None:
            units = math.floor((outcome.bound + MARGIN * abs(outcome.bound)) / scale + 1e-9)
            below = [found[lower].value(found[lower].span) for lower in range(1, len(found))]
            bound = math.fsum([band.value(min(units, band.span)), *below])
        model.problem.addConstraint(
            model.band(band) >= band_values(part, best, found)[b] - 0.5, f"band{b}"
        )
    return best, bound


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
