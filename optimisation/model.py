"""The PuLP model of one part: variables on eligible pairs only, each constraint a named function.

Variable x{k} counts the needs of class q planned to person j, for the k-th eligible (q, j)
pair (see parts.py; a class of one need makes it the usual binary). Kept pins are not in the
model: they are in each person's rooms. Variables are named x0, x1, ... and never with ids,
since PuLP rewrites `-+[] ->/` to `_` and names could collide. Expressions are built from
(variable, coefficient) pairs, much faster than lpSum.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterator

import pulp

from optimisation.bands import Band
from optimisation.ledger import EPSILON
from optimisation.parts import Part

Constraint = tuple[str, pulp.LpConstraint]
Pairs = list[tuple[int, int]]


def _sum(terms: list[tuple[pulp.LpVariable, float]]) -> pulp.LpAffineExpression:
    """A linear expression from (variable, coefficient) pairs."""
    return pulp.LpAffineExpression(terms)


def by_staff(pairs: Pairs) -> dict[int, list[int]]:
    """The pair positions of each person."""
    found: dict[int, list[int]] = defaultdict(list)
    for k, (_, j) in enumerate(pairs):
        found[j].append(k)
    return found


def _most(part: Part, pairs: Pairs, x: list, ks: list[int]) -> float:
    """The most hours some pairs could add up to, at their upper bounds."""
    return sum(part.classes[pairs[k][0]].hours * x[k].upBound for k in ks)


def class_filled_at_most_its_size(part: Part, pairs: Pairs, x: list) -> Iterator[Constraint]:
    """Rule 1: each need is filled by at most one eligible person (per class: at most its size)."""
    ks: dict[int, list[int]] = defaultdict(list)
    for k, (q, _) in enumerate(pairs):
        ks[q].append(k)
    for q, found in ks.items():
        if sum(x[k].upBound for k in found) > len(part.classes[q].members):
            yield f"need{q}", _sum([(x[k], 1.0) for k in found]) <= len(part.classes[q].members)


def one_need_of_a_case_each(part: Part, pairs: Pairs, x: list) -> Iterator[Constraint]:
    """Rule 2: one person fills at most one need of a case (a co-worker is someone else)."""
    ks: dict[tuple[int, int], list[int]] = defaultdict(list)
    for k, (q, j) in enumerate(pairs):
        if part.classes[q].case is not None:
            ks[part.classes[q].case, j].append(k)
    for (c, j), found in sorted(ks.items()):
        if len(found) > 1:
            yield f"case{c}_{j}", _sum([(x[k], 1.0) for k in found]) <= 1


def shared_cases_once_each(part: Part, pairs: Pairs, x: list) -> Iterator[Constraint]:
    """Rule 2 for classes (a relaxed model): a person fills at most one need per shared case."""
    # Exact when the classes are single needs.
    position = {pair: k for k, pair in enumerate(pairs)}
    for qa, qb, limit in part.ties:
        for j in sorted(set(part.classes[qa].staff) & set(part.classes[qb].staff)):
            ks = sorted({position[qa, j], position[qb, j]})
            if sum(x[k].upBound for k in ks) > limit:
                yield f"tie{qa}_{qb}_{j}", _sum([(x[k], 1.0) for k in ks]) <= limit


def load_within_hard_capacity(part: Part, pairs: Pairs, x: list) -> Iterator[Constraint]:
    """Rule 3: hours within what the hard capacity leaves after committed hours and pins."""
    for j, found in sorted(by_staff(pairs).items()):
        if _most(part, pairs, x, found) > part.hard_room[j] + EPSILON:
            hours = [(x[k], part.classes[pairs[k][0]].hours) for k in found]
            yield f"load{j}", _sum(hours) <= part.hard_room[j] + EPSILON


def safe_load_within_safe_capacity(part: Part, pairs: Pairs, x: list) -> Iterator[Constraint]:
    """Rule 3: hours of needs within safe within what the safe workload leaves."""
    for j, found in sorted(by_staff(pairs).items()):
        within = [k for k in found if part.classes[pairs[k][0]].within_safe]
        if within and _most(part, pairs, x, within) > part.safe_room[j] + EPSILON:
            hours = [(x[k], part.classes[pairs[k][0]].hours) for k in within]
            yield f"safe{j}", _sum(hours) <= part.safe_room[j] + EPSILON


def cases_within_limit(part: Part, pairs: Pairs, x: list) -> Iterator[Constraint]:
    """Rule 4: cases within what the person's limit leaves after pins."""
    # By rule 2 each need planned to a person is another case, so cases are the needs summed.
    for j, found in sorted(by_staff(pairs).items()):
        room = part.case_room[j]
        if room is not None and sum(x[k].upBound for k in found) > room:
            yield f"cases{j}", _sum([(x[k], 1.0) for k in found]) <= room


CONSTRAINTS = (
    class_filled_at_most_its_size,
    one_need_of_a_case_each,
    shared_cases_once_each,
    load_within_hard_capacity,
    safe_load_within_safe_capacity,
    cases_within_limit,
)


def upper_bound(part: Part, q: int, j: int) -> int:
    """The most needs of class q person j could take: its size, their rooms, their cases."""
    cls = part.classes[q]
    most = len(cls.members)
    if cls.hours > 0:
        most = min(most, math.floor((part.hard_room[j] + EPSILON) / cls.hours))
        if cls.within_safe:
            most = min(most, math.floor((part.safe_room[j] + EPSILON) / cls.hours))
    room = part.case_room[j]
    return max(0, most if room is None else min(most, room))


def held_by(part: Part, q: int, j: int) -> int:
    """How many needs of class q person j holds now."""
    return sum(1 for i in part.classes[q].members if part.current[i] == j)


class AllocationModel:
    """An LpProblem for one part (or some of its people), to which the tiers add objectives."""

    def __init__(self, part: Part) -> None:
        """Variables for the part's pairs and the constraints of docs/PLAN-FORMAT.md."""
        self.part = part
        self.pairs = part.pairs
        self.problem = pulp.LpProblem("part", pulp.LpMaximize)
        self.x = [
            self.problem.add_variable(
                f"x{k}", lowBound=0, upBound=upper_bound(part, q, j), cat=pulp.LpInteger
            )
            for k, (q, j) in enumerate(self.pairs)
        ]
        for rule in CONSTRAINTS:
            for label, constraint in rule(part, self.pairs, self.x):
                self.problem.addConstraint(constraint, label)

    def aim(self, objective: pulp.LpAffineExpression, sense: int) -> None:
        """Make `objective` the model's, with every count in it (at 0 if need be)."""
        # PuLP 3 knows a problem's variables only from its objective and constraints: a count in
        # neither would not reach the solver, nor come back.
        missing = [(x, 0.0) for x in self.x if x not in objective]
        self.problem.sense = sense
        self.problem.setObjective(objective + _sum(missing) if missing else objective)

    def coverage(self) -> pulp.LpAffineExpression:
        """Tier 1 as one weighted sum (for bounds and searches, never for proofs)."""
        return _sum(
            [(self.x[k], self.part.classes[q].weight) for k, (q, _) in enumerate(self.pairs)]
        )

    def band(self, band: Band) -> pulp.LpAffineExpression:
        """Tier 1, one band of it, in whole units (see bands.py)."""
        return _sum(
            [
                (self.x[k], float(band.multiples[self.part.classes[q].weight]))
                for k, (q, _) in enumerate(self.pairs)
                if self.part.classes[q].weight in band.multiples
            ]
        )

    def continuity(self) -> pulp.LpAffineExpression:
        """Tier 2: needs filled by their current holder."""
        # y{k} <= x{k} and <= how many of the class's needs person j holds now (which needs of a
        # class go where is free).
        terms = []
        for k, (q, j) in enumerate(self.pairs):
            held = held_by(self.part, q, j)
            if held and self.x[k].upBound:
                kept = self.problem.add_variable(
                    f"y{k}", lowBound=0, upBound=min(held, self.x[k].upBound), cat=pulp.LpInteger
                )
                self.problem.addConstraint(kept <= self.x[k], f"kept{k}")
                terms.append((kept, 1.0))
        return _sum(terms)

    def load(self, ks: list[int]) -> pulp.LpAffineExpression:
        """Hours planned by some pairs."""
        return _sum([(self.x[k], self.part.classes[self.pairs[k][0]].hours) for k in ks])

    def overload(self) -> pulp.LpAffineExpression:
        """Tier 3: hours above the soft capacity, summed over people (o{j} each)."""
        # Above it already with committed hours and pins, a person's o{j} starts there.
        terms = []
        for j, ks in sorted(by_staff(self.pairs).items()):
            room = self.part.soft_room[j]
            if _most(self.part, self.pairs, self.x, ks) <= room:
                continue
            excess = self.problem.add_variable(
                f"o{j}", lowBound=max(0.0, -room), upBound=None, cat=pulp.LpContinuous
            )
            self.problem.addConstraint(excess >= self.load(ks) - room, f"over{j}")
            terms.append((excess, 1.0))
        return _sum(terms)

    def highest_workload(self) -> pulp.LpAffineExpression:
        """Tier 4 (balance): the highest Workload % among the part's people, as variable z."""
        z = self.problem.add_variable("z", lowBound=0, upBound=None, cat=pulp.LpContinuous)
        for j, ks in sorted(by_staff(self.pairs).items()):
            share = (self.load(ks) + self.part.held[j]) * (1 / self.part.available[j])
            self.problem.addConstraint(z >= share, f"bal{j}")
        return _sum([(z, 1.0)])
