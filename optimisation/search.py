"""Parts too large to prove: a plan found by a short search, and a bound proven apart from it.

A part too large even for the search starts from its LP relaxation's counts rounded down
(within every limit, since every limit is a <= of counts), named, with what still fits added
as greedy adds it (fill); the LP's bound is its bound.

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
counted in full. relaxation() gives the LP relaxation's bound, made valid by weak duality
from the LP's multipliers whatever the solver's tolerances (bounds.py): looser than the root's
after cuts, but proven here, and what is left when the search has no dual bound to give or
the part is too large to search.
"""

from __future__ import annotations

import math
import time

from optimisation.assign import PartPlan, is_feasible, measure
from optimisation.bounds import lagrangian_bound
from optimisation.ledger import EPSILON, better
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


def relaxation(part: Part, deadline: float) -> tuple[float, list[float] | None]:
    """A valid bound on a classed part's coverage, its LP relaxation's by weak duality, and
    the LP's counts (None if the LP was not solved)."""
    # HiGHS, whichever solver plans: it alone gives the multipliers the bound is made from.
    model = AllocationModel(part)
    model.aim(model.coverage(), MAX)
    limits = Limits(seconds=max(deadline - time.time(), 0.0), nodes=0, gap=0.0)
    outcome = run("highs", model.problem, {}, limits, relax=True)
    everything = math.fsum(cls.weight * len(cls.members) for cls in part.classes)
    if not outcome.duals:
        return everything, None
    counts = [outcome.values.get(v.name, 0.0) for v in model.x]
    return min(everything, lagrangian_bound(model.problem, outcome.duals)), counts


def rounded(part: Part, fractional: list[float]) -> list[int]:
    """An LP's counts rounded down: within every limit, since every limit is a <= of counts."""
    return [math.floor(value + 1e-6) for value in fractional]


def fill(part: Part, assignment: PartPlan) -> PartPlan:
    """The plan with unfilled needs added where they fit, as greedy adds them: highest risk
    (then fewest hours) first, each to its holder if they have room, else the least loaded."""
    filled = list(assignment)
    hours = [0.0] * len(part.staff)
    safe = [0.0] * len(part.staff)
    cases: list[set[int]] = [set() for _ in part.staff]
    for i, j in enumerate(filled):
        if j >= 0:
            hours[j] += part.hours[i]
            safe[j] += part.hours[i] if part.within_safe[i] else 0.0
            cases[j].add(part.case[i])

    def room(i: int, j: int) -> bool:
        """Whether need i fits person j now (rules 2-4, in their rooms)."""
        limit = part.case_room[j]
        return (
            part.case[i] not in cases[j]
            and hours[j] + part.hours[i] <= part.hard_room[j] + EPSILON
            and (not part.within_safe[i] or safe[j] + part.hours[i] <= part.safe_room[j] + EPSILON)
            and (limit is None or len(cases[j]) < limit)
        )

    def workload(j: int) -> float:
        """A person's Workload % now."""
        return (part.held[j] + hours[j]) / part.available[j]

    open_needs = sorted(
        (i for i, j in enumerate(filled) if j < 0),
        key=lambda i: (-part.weight[i], part.hours[i], i),
    )
    for i in open_needs:
        fits = [j for j in part.eligible[i] if room(i, j)]
        if not fits:
            continue
        j = (
            part.current[i]
            if part.current[i] in fits
            else min(fits, key=lambda j: (workload(j), j))
        )
        filled[i] = j
        hours[j] += part.hours[i]
        safe[j] += part.hours[i] if part.within_safe[i] else 0.0
        cases[j].add(part.case[i])
    return filled
