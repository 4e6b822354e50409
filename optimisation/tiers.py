"""Solve one part's model in strict lexicographic order, each tier held before the next.

1. coverage, band by band (bands.py), each band in whole units; 2. continuity (maximise);
3. overload hours (minimise); 4. balance: the highest Workload % among the part's people.

Each solve starts from the best plan so far (the first from the plan it is given), and what
it returns is read, checked against the rules and measured here before it replaces that plan:
no tier loses what an earlier tier, or the starting plan, had. A tier is held at the kept
plan's value before the next: a band or continuity, being whole numbers, above the value less
1/2, which no tolerance blurs; overload within 1e-6 hours.

What proven means, in code (Tiers.attempt): the plan kept is the very plan that solve
returned (a plan the solver returns is kept on a tie, so that its proof is of the plan in
hand), its value of the tier, measured here from its counts, meets the solver's dual bound
(for whole numbers: the bound is below the next whole number up; for overload: within 1e-6
hours), and, for a band, the band's whole numbers are few enough for the solver's word to be
believed (bands.SAFE_SPAN). A plan a solver returns whose measured value falls short of what
the solver says it is (HiGHS has done so with a start its presolve changed) is solved again
without the start. The part's coverage bound comes only from proofs: the plan's coverage once
every band is proven, else the proven bands, the dual bound of the first band not proven, and
every need of each band below.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import pulp

from optimisation.assign import is_feasible, measure
from optimisation.bands import Band, bands
from optimisation.model import AllocationModel, by_staff
from optimisation.parts import Part
from optimisation.solvers import Limits, Outcome, run

MAX, MIN = pulp.LpMaximize, pulp.LpMinimize
# Overload is held within this many hours of its optimum (it is a sum of decimals).
OVERLOAD_TOLERANCE = 1e-6
# Balance is best effort: a few nodes give the plans seen, and CBC took 23 s to prove one.
BALANCE_NODES = 500


@dataclass(frozen=True)
class TierResult:
    """The plan kept, as counts, a valid bound on the part's coverage, and what is proven."""

    counts: tuple[int, ...]
    bound: float
    proven: bool  # coverage, continuity and overload all proven


def band_values(part: Part, counts: list[int], found: list[Band]) -> list[int]:
    """A plan's coverage of each band, in the band's whole units."""
    values = [0] * len(found)
    for k, (q, _) in enumerate(part.pairs):
        weight = part.classes[q].weight
        for b, band in enumerate(found):
            if weight in band.multiples:
                values[b] += band.multiples[weight] * counts[k]
    return values


def part_bands(part: Part) -> list[Band]:
    """The coverage bands of a classed part's needs."""
    return bands([cls.weight for cls in part.classes for _ in cls.members])


def read_counts(values: dict[str, float], model: AllocationModel) -> list[int] | None:
    """The solver's counts, if every one is integral and within its bounds."""
    counts = []
    for v in model.x:
        value = values.get(v.name)
        if value is None or abs(value - round(value)) > 1e-6:
            return None
        counts.append(round(value))
        if not v.lowBound <= counts[-1] <= v.upBound:
            return None
    return counts


def starting_values(model: AllocationModel, counts: list[int]) -> dict[str, float]:
    """A value for every variable of the model from a plan, so the solver starts from it."""
    part, pairs = model.part, model.pairs
    start = {f"x{k}": float(c) for k, c in enumerate(counts)}
    loads = {
        j: math.fsum(part.classes[pairs[k][0]].hours * counts[k] for k in ks)
        for j, ks in by_staff(pairs).items()
    }
    for v in model.problem.variables():
        if v.name.startswith("y"):
            start[v.name] = float(min(counts[int(v.name[1:])], v.upBound))
        elif v.name.startswith("o"):
            j = int(v.name[1:])
            start[v.name] = max(0.0, loads[j] - part.soft_room[j])
        elif v.name == "z":
            start[v.name] = max((loads[j] + part.held[j]) / part.available[j] for j in loads)
    return start


class Tiers:
    """One part's model and the best plan found so far, solved tier after tier.

    Plans are ranked by their rank: each band's coverage in units, then continuity, overload
    and the highest Workload % (the last two negated), compared exactly but for rounding of
    the last two. Tier t (from 0) is position t of the rank.
    """

    def __init__(self, part: Part, start: list[int], solver: str, deadline: float) -> None:
        """The model of a classed part, starting from a feasible plan of it."""
        self.part = part
        self.bands = part_bands(part)
        self.model = AllocationModel(part)
        self.solver = solver
        self.deadline = deadline
        self.start = list(start)
        self.best = self.start
        self.tolerances = (*([0.0] * len(self.bands)), 0.0, 1e-9, 1e-9)

    def rank(self, counts: list[int]) -> tuple[float, ...]:
        """The plan's tiers as one tuple, larger better: bands, then continuity and below."""
        values = measure(self.part, counts)
        return (
            *band_values(self.part, counts, self.bands),
            values.continuity,
            -values.overload,
            -values.highest_workload,
        )

    def compare(self, found: list[int], held: list[int], tiers: int) -> int:
        """1, 0 or -1 as one plan beats, ties or loses to another on the first tiers."""
        ranks = self.rank(found), self.rank(held)
        pairs = zip(ranks[0][:tiers], ranks[1][:tiers], self.tolerances[:tiers], strict=True)
        for new, old, tolerance in pairs:
            if new > old + tolerance:
                return 1
            if new < old - tolerance:
                return -1
        return 0

    def attempt(
        self, objective: pulp.LpAffineExpression, sense: int, limits: Limits, tier: int
    ) -> tuple[bool, float | None]:
        """Solve tier `tier` from the best plan; keep the solver's plan unless worse on it.

        Returns whether the tier is proven (the plan kept is the solver's, and its value, as
        measured here, meets the solver's dual bound) and that dual bound.
        """
        # A solve for one tier is blind to those below, so it may swap the start for a plan as
        # good there and worse below; the start, while it keeps the tiers held so far, is still
        # the better place for the next tier to start from.
        if (
            self.compare(self.start, self.best, tier) == 0
            and self.compare(self.start, self.best, tier + 1) > 0
        ):
            self.best = self.start
        self.model.aim(objective, sense)
        limits = Limits(
            seconds=max(self.deadline - time.time(), 0.0),
            nodes=limits.nodes,
            gap=limits.gap,
            absolute_gap=limits.absolute_gap,
            sub_mips=limits.sub_mips,
        )
        start = starting_values(self.model, self.best)
        outcome = run(self.solver, self.model.problem, start, limits)
        counts = read_counts(outcome.values, self.model)
        if counts is not None and not self._as_said(outcome, counts, tier, sense):
            # Seen with HiGHS: a start its presolve changed came back as the plan, under the
            # objective of a better one. Solved again without a start, the plan is the plan.
            outcome = run(self.solver, self.model.problem, {}, limits)
            counts = read_counts(outcome.values, self.model)
        kept = False
        # Not worse on this tier (the earlier ones are held): the solver's plan is kept even on
        # a tie, so that its proof is a proof of the plan in hand.
        if (
            counts is not None
            and is_feasible(self.part, counts)
            and self.compare(counts, self.best, tier + 1) >= 0
        ):
            self.best, kept = counts, True
        return kept and self._meets(outcome.bound, tier, sense), outcome.bound

    def _value(self, counts: list[int], tier: int, sense: int) -> float:
        """A plan's value of one tier, in the sense it is solved."""
        return self.rank(counts)[tier] * (1 if sense == MAX else -1)

    def _slack(self, tier: int) -> float:
        """How far a tier's value may be from the solver's figure: under a whole number for
        bands and continuity, a rounding error for overload and balance."""
        return 0.5 if tier <= len(self.bands) else OVERLOAD_TOLERANCE

    def _as_said(self, outcome: Outcome, counts: list[int], tier: int, sense: int) -> bool:
        """Whether the plan the solver returned has the value it says it has."""
        if outcome.objective is None:
            return False
        gap = (self._value(counts, tier, sense) - outcome.objective) * (1 if sense == MAX else -1)
        return gap >= -self._slack(tier)

    def _meets(self, bound: float | None, tier: int, sense: int) -> bool:
        """Whether the best plan's value of a tier meets a dual bound: no plan is better."""
        if bound is None:
            return False
        value = self._value(self.best, tier, sense)
        if tier <= len(self.bands):
            # Whole numbers: no better plan when the bound is below the next one up.
            return math.floor(bound + 1e-6) <= value if sense == MAX else False
        return sense == MIN and value - bound <= OVERLOAD_TOLERANCE

    def hold(self, expression: pulp.LpAffineExpression, at_least: float, label: str) -> None:
        """Keep a whole-number tier at its value from now on."""
        self.model.problem.addConstraint(expression >= at_least - 0.5, label)


def solve_tiers(
    part: Part,
    start: list[int],
    solver: str,
    deadline: float,
    *,
    nodes: int,
    tiers: int = 4,
    hold_coverage: bool = False,
    give_up: bool = False,
) -> TierResult:
    """Solve a classed part's first `tiers` tiers from a feasible `start`, exactly if it can."""
    # `give_up`: stop at the first tier not proven, below which nothing more could be proven
    # (what is left is local search's, which is cheaper).
    # `hold_coverage` keeps the start's coverage instead of solving tier 1 (the bound is then the
    # trivial one): what a piece of a part needs whose coverage a larger model has settled.
    work = Tiers(part, start, solver, deadline)
    bound = math.fsum(cls.weight * len(cls.members) for cls in part.classes)
    proven = not hold_coverage
    for b, band in enumerate(work.bands):
        objective = work.model.band(band)
        if not hold_coverage:
            limits = Limits(0.0, nodes, 0.0, absolute_gap=0.999)
            solved, dual = work.attempt(objective, MAX, limits, b)
            if proven and not (solved and band.trusted):
                bound = _bound(part, work.bands, b, work.best, dual)
                proven = False
        work.hold(objective, band_values(part, work.best, work.bands)[b], f"band{b}")
    values = measure(part, work.best)
    if proven:
        bound = values.coverage
    after = len(work.bands)
    if give_up and not proven:
        tiers = 1
    if tiers > 1:
        continuity = work.model.continuity()
        limits = Limits(0.0, nodes, 0.0, absolute_gap=0.999)
        solved, _ = work.attempt(continuity, MAX, limits, after)
        proven = proven and solved
        work.hold(continuity, measure(part, work.best).continuity, "continuity")
    if give_up and not proven:
        tiers = 2
    if tiers > 2:
        overload = work.model.overload()
        limits = Limits(0.0, nodes, 0.0, absolute_gap=OVERLOAD_TOLERANCE / 10)
        solved, _ = work.attempt(overload, MIN, limits, after + 1)
        proven = proven and solved
        work.model.problem.addConstraint(
            overload <= measure(part, work.best).overload + OVERLOAD_TOLERANCE, "overload"
        )
    if tiers > 3:
        limits = Limits(0.0, min(nodes, BALANCE_NODES), 1e-6)
        work.attempt(work.model.highest_workload(), MIN, limits, after + 2)
    coverage = measure(part, work.best).coverage
    return TierResult(tuple(work.best), max(bound, coverage), proven and tiers > 2)


def _bound(
    part: Part, found: list[Band], first: int, counts: list[int], dual: float | None
) -> float:
    """A valid coverage bound when band `first` is the first not proven."""
    # The bands above are at their proven optima; this one is at most its dual bound (given
    # those, which is all that matters: coverage is the bands lexicographically); every band
    # below at most all its needs.
    units = band_values(part, counts, found)
    band = found[first]
    most = band.span
    if dual is not None and band.trusted:
        most = min(most, math.floor(dual + 1e-6))
    return math.fsum(
        [
            *(found[b].value(units[b]) for b in range(first)),
            band.value(most),
            *(found[b].value(found[b].span) for b in range(first + 1, len(found))),
        ]
    )
