"""Solve one part's model in strict lexicographic order, each tier fixed before the next.

1. coverage (maximise), 2. continuity (maximise), 3. overload hours (minimise),
4. balance: minimise the highest Workload % among the part's people.

Every tier starts from the plan of the one before (the first from the plan it is given),
and a plan a solver returns is checked here against the rules before it replaces the one
in hand: no tier can lose what an earlier tier, or the starting plan, had.

With whole-number risk weights, tiers 1 and 2 can be solved as one objective (see
solve_tiers): the only way found to keep holders on large parts, where neither tier is
proven and a continuity tier with coverage pinned at a good but unproven value found no
better plan at all (on the London demo's largest part it kept 36 holders of 276 that way,
238 combined, at the same coverage).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import pulp

from optimisation.ledger import EPSILON, Values
from optimisation.model import AllocationModel, by_staff, case_limit, hour_limit
from optimisation.parts import Part
from optimisation.solvers import Limits, Outcome, run

# Branch-and-bound nodes per tier, a deterministic limit (so that the same problem gives the
# same plan; wall-clock time is only the safety net): small models, whose nodes are cheap, get
# many, so that they are proven; large ones 50, past which nodes were seen to gain little.
NODE_BUDGET = 200_000
NODE_RANGE = (50, 20_000)
MAX, MIN = pulp.LpMaximize, pulp.LpMinimize
# Overload and balance, solved with coverage and continuity pinned down, get a fifth of the
# nodes and no sub-MIP heuristics: on the demo problems' parts that kept every value found
# and cut the time of those tiers by two thirds.
LATER_TIERS_SHARE = 5


def node_limit(variables: int) -> int:
    """The node limit for a model with this many variables."""
    return max(NODE_RANGE[0], min(NODE_RANGE[1], NODE_BUDGET // max(variables, 1)))


@dataclass(frozen=True)
class TierResult:
    """The best plan's counts, a valid bound on the part's coverage, and whether all proven."""

    counts: tuple[int, ...]
    bound: float
    settled: bool


def better(found: Values, held: Values) -> bool:
    """Whether one plan beats another lexicographically (with a tolerance for rounding)."""
    for new, old in zip(found.key(), held.key(), strict=True):
        if new > old + 1e-9:
            return True
        if new < old - 1e-9:
            return False
    return False


def measure(part: Part, counts: list[int]) -> Values:
    """The four tier values of a plan of a classed part, given as counts per pair."""
    coverage = 0.0
    continuity = 0
    hours = [0.0] * len(part.staff)
    for k, (q, j) in enumerate(part.pairs):
        if counts[k]:
            cls = part.classes[q]
            coverage += cls.weight * counts[k]
            continuity += min(counts[k], sum(1 for i in cls.members if part.current[i] == j))
            hours[j] += cls.hours * counts[k]
    people = by_staff(part.pairs)
    overload = sum(max(0.0, hours[j] - part.soft_room[j]) for j in people)
    highest = max(((hours[j] + part.committed[j]) / part.available[j] for j in people), default=0.0)
    return Values(coverage, continuity, overload, highest)


def is_feasible(part: Part, counts: list[int]) -> bool:
    """Whether counts keep the five rules in the part's model (recomputed, not trusted)."""
    per_class: dict[int, int] = {}
    per_case: dict[tuple[int, int], int] = {}
    hours = [0.0] * len(part.staff)
    cases = [0] * len(part.staff)
    for k, (q, j) in enumerate(part.pairs):
        cls = part.classes[q]
        if counts[k] < 0 or (cls.pinned and counts[k] != 1):
            return False
        per_class[q] = per_class.get(q, 0) + counts[k]
        if cls.case is not None:
            per_case[cls.case, j] = per_case.get((cls.case, j), 0) + counts[k]
        hours[j] += cls.hours * counts[k]
        cases[j] += counts[k]
    return (
        all(total <= len(part.classes[q].members) for q, total in per_class.items())
        and all(count <= 1 for count in per_case.values())
        and all(hours[j] <= hour_limit(part, j) + EPSILON for j in range(len(part.staff)))
        and all(cases[j] <= case_limit(part, j) for j in range(len(part.staff)))
    )


def _read(outcome: Outcome, model: AllocationModel) -> list[int] | None:
    """The solver's counts, if every one is integral and within its bounds."""
    counts = []
    for v in model.x:
        value = outcome.values.get(v.name)
        if value is None or abs(value - round(value)) > 1e-6:
            return None
        counts.append(round(value))
        if not v.lowBound <= counts[-1] <= v.upBound:
            return None
    return counts


def _start(model: AllocationModel, counts: list[int]) -> dict[str, float]:
    """A value for every variable of the model from a plan, so the solver starts from it."""
    part, pairs = model.part, model.pairs
    start = {f"x{k}": float(c) for k, c in enumerate(counts)}
    loads = {
        j: sum(part.classes[pairs[k][0]].hours * counts[k] for k in ks)
        for j, ks in by_staff(pairs).items()
    }
    for v in model.problem.variables():
        if v.name.startswith("y"):
            start[v.name] = float(min(counts[int(v.name[1:])], v.upBound))
        elif v.name.startswith("o"):
            j = int(v.name[1:])
            start[v.name] = max(0.0, loads[j] - part.soft_room[j])
        elif v.name == "z":
            start[v.name] = max((loads[j] + part.committed[j]) / part.available[j] for j in loads)
    return start


def _all_covered(part: Part) -> float:
    """Coverage if every need of a classed part were filled: a valid bound, the loosest."""
    return sum(cls.weight * len(cls.members) for cls in part.classes)


def relaxation_bound(part: Part, solver: str, deadline: float) -> float:
    """The coverage of a classed part's LP relaxation: a valid bound, if a loose one."""
    model = AllocationModel(part)
    model.problem.setObjective(model.coverage())
    return _relaxed_bound(model, solver, deadline)


def _relaxed_bound(model: AllocationModel, solver: str, deadline: float) -> float:
    """The LP relaxation's coverage (valid, if looser) when the solver gave no dual bound."""
    limits = Limits(seconds=max(deadline - time.time(), 0.0), nodes=0, gap=0.0)
    outcome = run(solver, model.problem, {}, limits, relax=True)
    if outcome.proven and outcome.bound is not None:
        return outcome.bound
    return _all_covered(model.part)


def solve_tiers(
    part: Part,
    start: list[int],
    solver: str,
    deadline: float,
    gap: float,
    tiers: int = 4,
    combined: bool = False,
    most_nodes: int = NODE_RANGE[1],
    hold_coverage: bool = False,
) -> TierResult:
    """Solve a classed part's model for its first `tiers` tiers from a feasible `start`."""
    # The start is kept unless beaten; each tier starts from the best plan so far (the first too: on
    # the demo parts that covered as much or more, in about the same time).
    #
    # `combined` solves tiers 1 and 2 as one objective, coverage x (most continuity + 1) +
    # continuity, which is exactly lexicographic when risk weights are whole numbers: searching for
    # coverage alone finds plans indifferent to who holds what, from which a continuity tier with
    # coverage pinned down was measured to find no better plan, while the combined search keeps
    # holders as it covers. If it stops unproven and all four tiers are asked for (a small part),
    # coverage and then continuity are also solved apart, each easier to prove.
    #
    # `hold_coverage` keeps the start's coverage instead of solving tier 1 (the bound is then the
    # trivial one): proving that no more can be covered is what costs most on a piece of a part
    # whose coverage a larger model has settled. `most_nodes` caps each tier's nodes.
    model = AllocationModel(part)
    best, values = list(start), measure(part, start)
    integral = all(float(cls.weight).is_integer() for cls in part.classes)
    proven: dict[int, bool] = {}

    def attempt(
        objective: pulp.LpAffineExpression, sense: int, tier: int, scale: float = 1.0
    ) -> None:
        """Solve for one tier's objective from the best plan so far; keep a better plan."""
        nonlocal best, values
        model.problem.sense = sense
        model.problem.setObjective(objective)
        # Whole-number coverage and continuity: an absolute gap below 1 proves the optimum;
        # combined, only that gap makes continuity count.
        exact = 0.999 if tier == 1 or (tier == 0 and integral) else 0.0
        relative = 0.0 if scale > 1.0 else gap if tier == 0 else 1e-6
        nodes = min(node_limit(len(model.x)), most_nodes)
        limits = Limits(
            seconds=max(deadline - time.time(), 0.0),
            nodes=nodes if tier < 2 else max(1, nodes // LATER_TIERS_SHARE),
            gap=relative,
            absolute_gap=exact,
            sub_mips=tier < 2,
        )
        outcome = run(solver, model.problem, _start(model, best), limits)
        proven[tier] = outcome.proven
        counts = _read(outcome, model)
        if counts is not None and is_feasible(part, counts):
            found = measure(part, counts)
            if better(found, values):
                best, values = counts, found
        if tier == 0:
            raw = (
                _relaxed_bound(model, solver, deadline) if outcome.bound is None else outcome.bound
            )
            # Continuity is at least 0, so combined, coverage is at most raw / scale.
            bounds.append(raw / scale)

    bounds = [_all_covered(part)]
    coverage = model.coverage()
    continuity = None
    if not hold_coverage and combined and integral:
        continuity = model.continuity()
        scale = 1.0 + sum(v.upBound for v in continuity)
        attempt(coverage * scale + continuity, MAX, 0, scale)
        proven[1] = proven[0]
        if not proven[0] and tiers > 2:
            attempt(coverage, MAX, 0)
    elif not hold_coverage:
        attempt(coverage, MAX, 0)
    bound = min(bounds)
    bound = max(math.floor(bound + 1e-6) if integral else bound, values.coverage)
    if tiers > 1:
        model.problem.addConstraint(coverage >= values.coverage - 1e-6, "tier1")
        if continuity is None or (not proven[1] and tiers > 2):
            continuity = model.continuity() if continuity is None else continuity
            attempt(continuity, MAX, 1)
    if tiers > 2:
        model.problem.addConstraint(continuity >= values.continuity - 1e-6, "tier2")
        overload = model.overload()
        attempt(overload, MIN, 2)
    if tiers > 3:
        model.problem.addConstraint(overload <= values.overload + 1e-6, "tier3")
        attempt(model.highest_workload(), MIN, 3)
    return TierResult(tuple(best), bound, all(proven.values()))
