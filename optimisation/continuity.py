"""Name the needs behind a plan's places: most coverage, then as many current holders as fit.

A place is room for one need of a given risk weight and hours with a given person. Whichever
needs fill a person's places, their load, cases, overload and Workload % stay as they are, and
coverage is what the filled places carry. So, given the places (from a class model's counts or
from a plan), choosing which need fills which place is an assignment problem with rule 2 as
side constraints, solved for the whole part at once: fill the places (coverage first), then
give as many needs as possible to their current holder. Needs of equal weight and hours swap
places even across classes, which is how a need goes back to its holder when a model's counts
put it elsewhere, and how the counts of a relaxed model (rule 2 kept only in aggregate) are
named without losing a need wherever that can be done. The assignment's objective weighs
places, holders and ties in one sum, which a floating-point solver resolves only roughly when
risk weights lie far apart: so its plan is used only when, measured here, it is better.
"""

from __future__ import annotations

import time
from collections import defaultdict

import pulp

from optimisation.assign import PartPlan, from_counts, is_valid, values_of
from optimisation.ledger import better
from optimisation.parts import Part
from optimisation.solvers import Limits, run

NODES = 50
Places = dict[tuple[float, float, bool, int], int]


def _place(part: Part, i: int, j: int) -> tuple[float, float, bool, int]:
    """The kind of place need i would fill with person j."""
    return part.weight[i], part.hours[i], part.within_safe[i], j


def places_of_counts(classed: Part, counts: list[int]) -> Places:
    """The places a class model's counts make, by kind, and how many of each."""
    places: Places = defaultdict(int)
    for k, (q, j) in enumerate(classed.pairs):
        cls = classed.classes[q]
        if counts[k]:
            places[cls.weight, cls.hours, cls.within_safe, j] += counts[k]
    return places


def places_of(part: Part, assignment: PartPlan) -> Places:
    """The places a plan fills."""
    places: Places = defaultdict(int)
    for i, j in enumerate(assignment):
        if j >= 0:
            places[_place(part, i, j)] += 1
    return places


def _fill(
    part: Part, places: Places, prefer: PartPlan, solver: str, deadline: float
) -> PartPlan | None:
    """Needs into places, most coverage then most holders kept; None if nothing usable."""
    # `prefer`'s choice breaks ties (and is the solver's start).
    pairs = [
        (i, j)
        for i in range(len(part.needs))
        for j in part.eligible[i]
        if places.get(_place(part, i, j))
    ]
    lp = pulp.LpProblem("names", pulp.LpMaximize)
    x = [
        lp.add_variable(f"x{k}", lowBound=0, upBound=1, cat=pulp.LpBinary)
        for k in range(len(pairs))
    ]
    by_need: dict[int, list] = defaultdict(list)
    by_place: dict[tuple[float, float, bool, int], list] = defaultdict(list)
    by_case: dict[tuple[int, int], list] = defaultdict(list)
    for k, (i, j) in enumerate(pairs):
        by_need[i].append((x[k], 1.0))
        by_place[_place(part, i, j)].append((x[k], 1.0))
        by_case[part.case[i], j].append((x[k], 1.0))
    for i, terms in sorted(by_need.items()):
        if len(terms) > 1:
            lp.addConstraint(pulp.LpAffineExpression(terms) <= 1, f"need{i}")
    for number, (place, terms) in enumerate(sorted(by_place.items())):
        if len(terms) > places[place]:
            lp.addConstraint(pulp.LpAffineExpression(terms) <= places[place], f"place{number}")
    for number, terms in enumerate(terms for _, terms in sorted(by_case.items())):
        if len(terms) > 1:
            lp.addConstraint(pulp.LpAffineExpression(terms) <= 1, f"case{number}")
    # A place left empty loses at least the smallest positive weight, and all the holders
    # together are worth less than that; each tie-break is worth less than one holder in all.
    positive = [w for w in part.weight if w > 0]
    holders = 1 + sum(1 for j in part.current if j >= 0)
    scale = holders / min(positive, default=1.0)
    tie = 1.0 / (len(part.needs) + 1)
    lp.setObjective(
        pulp.LpAffineExpression(
            [
                (x[k], part.weight[i] * scale + (part.current[i] == j) + tie * (prefer[i] == j))
                for k, (i, j) in enumerate(pairs)
            ]
        )
    )
    start = {f"x{k}": float(prefer[i] == j) for k, (i, j) in enumerate(pairs)}
    outcome = run(solver, lp, start, Limits(max(deadline - time.time(), 0.0), NODES, 0.0))
    if not outcome.values:
        return None
    named = [-1] * len(prefer)
    for k, (i, j) in enumerate(pairs):
        if outcome.values.get(f"x{k}", 0.0) > 0.5:
            named[i] = j
    return named


def name_counts(
    part: Part, classed: Part, counts: list[int], solver: str, deadline: float
) -> PartPlan:
    """The needs behind a class model's counts, coverage then continuity first."""
    # `classed` is `part` in classes; never worse than naming them class by class.
    plain = from_counts(classed, counts)
    return _best(
        part, plain, _fill(part, places_of_counts(classed, counts), plain, solver, deadline)
    )


def realign(part: Part, assignment: PartPlan, solver: str, deadline: float) -> PartPlan:
    """The plan with needs swapped back to their current holders where the places allow."""
    return _best(
        part, assignment, _fill(part, places_of(part, assignment), assignment, solver, deadline)
    )


def _best(part: Part, held: PartPlan, found: PartPlan | None) -> PartPlan:
    """`found` if it is a valid plan better than `held`, else `held`."""
    if found is None or not is_valid(part, found):
        return held
    return found if better(values_of(part, found), values_of(part, held)) else held


def swap_back(part: Part, assignment: PartPlan) -> PartPlan:
    """The plan with needs given back to their holders by swaps of like for like, without a
    model: the need the holder has instead, of the same weight, hours and place under the safe
    workload, goes where theirs was (or unfilled, if it was), so nobody's load changes."""
    # For parts too large for realign's assignment model; one pass, each swap one holder more.
    swapped = list(assignment)
    cases: list[set[int]] = [set() for _ in part.staff]
    instead: dict[tuple[float, float, bool, int], list[int]] = defaultdict(list)
    for i, j in enumerate(swapped):
        if j >= 0:
            cases[j].add(part.case[i])
            if part.current[i] != j:
                instead[_place(part, i, j)].append(i)
    for i, holder in enumerate(part.current):
        j = swapped[i]
        if holder < 0 or j == holder or holder not in part.eligible[i]:
            continue
        for k in instead.get(_place(part, i, holder), ()):
            if swapped[k] != holder or part.case[i] in cases[holder] - {part.case[k]}:
                continue
            if j >= 0 and (j not in part.eligible[k] or part.case[k] in cases[j] - {part.case[i]}):
                continue
            instead[_place(part, i, holder)].remove(k)
            cases[holder] = cases[holder] - {part.case[k]} | {part.case[i]}
            if j >= 0:
                cases[j] = cases[j] - {part.case[i]} | {part.case[k]}
                if part.current[k] != j:
                    instead[_place(part, k, j)].append(k)
            swapped[i], swapped[k] = holder, j
            break
    return _best(part, assignment, swapped)
