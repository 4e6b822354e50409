"""The PuLP model of one part: variables on eligible pairs only, each constraint a named function.

Variable x{k} counts the needs of class q planned to person j, for the k-th eligible (q, j)
pair (see parts.py; a class of one need makes it the usual binary). Variables are named
x0, x1, ... and never with ids, since PuLP rewrites `-+[] ->/` to `_` and names could
collide. Expressions are built from (variable, coefficient) pairs, much faster than lpSum.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterator

import pulp

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


def hour_limit(part: Part, j: int) -> float:
    """Rule 3 with rule 5: the hours a person may be planned, or what their pins force."""
    return max(part.load_limit[j], part.pinned_load[j][0])


def case_limit(part: Part, j: int) -> float:
    """Rule 4 with rule 5: the cases a person may be planned, or what their pins force."""
    limit = part.case_limit[j]
    return math.inf if limit is None else max(limit, part.pinned_load[j][1])


def need_filled_at_most_once(part: Part, pairs: Pairs, x: list) -> Iterator[Constraint]:
    """Rule 1: each need is filled by at most one eligible person (per class: at most its size)."""
    ks: dict[int, list[int]] = defaultdict(list)
    for k, (q, _) in enumerate(pairs):
        ks[q].append(k)
    for q, found in ks.items():
        if len(found) > 1:
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


def load_within_limit(part: Part, pairs: Pairs, x: list) -> Iterator[Constraint]:
    """Rule 3 with rule 5: load within the hard capacity, except what kept pins force."""
    for j, found in sorted(by_staff(pairs).items()):
        hours = [(x[k], part.classes[pairs[k][0]].hours) for k in found]
        most = sum(h * x[k].upBound for k, (_, h) in zip(found, hours, strict=True))
        if most > hour_limit(part, j) + EPSILON:
            yield f"load{j}", _sum(hours) <= hour_limit(part, j)


def cases_within_limit(part: Part, pairs: Pairs, x: list) -> Iterator[Constraint]:
    """Rule 4 with rule 5: cases within the person's limit, except what kept pins force."""
    # By rule 2 each need planned to a person is another case, so cases are the needs summed.
    for j, found in sorted(by_staff(pairs).items()):
        if sum(x[k].upBound for k in found) > case_limit(part, j):
            yield f"cases{j}", _sum([(x[k], 1.0) for k in found]) <= case_limit(part, j)


def pins_kept(part: Part, pairs: Pairs, x: list) -> Iterator[Constraint]:
    """Rule 5: a need pinned to an eligible person is filled by that person."""
    for k, (q, _) in enumerate(pairs):
        if part.classes[q].pinned:
            yield f"pin{k}", _sum([(x[k], 1.0)]) >= 1


CONSTRAINTS = (
    need_filled_at_most_once,
    one_need_of_a_case_each,
    shared_cases_once_each,
    load_within_limit,
    cases_within_limit,
    pins_kept,
)


def upper_bound(part: Part, q: int, j: int) -> int:
    """The most needs of class q person j could take: its size, their hours, their cases."""
    cls = part.classes[q]
    most = len(cls.members)
    if cls.hours > 0:
        most = min(most, math.floor(hour_limit(part, j) / cls.hours + EPSILON))
    return int(min(most, case_limit(part, j)))


class AllocationModel:
    """An LpProblem for one part (or some of its people), to which the tiers add objectives."""

    def __init__(self, part: Part) -> None:
        """Variables for the part's pairs and the five constraints of docs/PLAN-FORMAT.md."""
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

    def coverage(self) -> pulp.LpAffineExpression:
        """Tier 1: the risk weight of every filled need."""
        return _sum(
            [(self.x[k], self.part.classes[q].weight) for k, (q, _) in enumerate(self.pairs)]
        )

    def continuity(self) -> pulp.LpAffineExpression:
        """Tier 2: needs filled by their current holder."""
        # y{k} <= x{k} and <= how many of the class's needs person j holds now (which needs of a
        # class go where is free).
        terms = []
        for k, (q, j) in enumerate(self.pairs):
            held = sum(1 for i in self.part.classes[q].members if self.part.current[i] == j)
            if held:
                kept = self.problem.add_variable(
                    f"y{k}", lowBound=0, upBound=held, cat=pulp.LpContinuous
                )
                self.problem.addConstraint(kept <= self.x[k], f"kept{k}")
                terms.append((kept, 1.0))
        return _sum(terms)

    def load(self, j: int, ks: list[int]) -> pulp.LpAffineExpression:
        """Hours planned to person j."""
        return _sum([(self.x[k], self.part.classes[self.pairs[k][0]].hours) for k in ks])

    def overload(self) -> pulp.LpAffineExpression:
        """Tier 3: hours above the soft capacity, summed over people (o{j} each)."""
        terms = []
        for j, ks in sorted(by_staff(self.pairs).items()):
            most = sum(self.part.classes[self.pairs[k][0]].hours * self.x[k].upBound for k in ks)
            if most <= self.part.soft_room[j]:
                continue
            excess = self.problem.add_variable(
                f"o{j}", lowBound=0, upBound=None, cat=pulp.LpContinuous
            )
            self.problem.addConstraint(
                excess >= self.load(j, ks) - self.part.soft_room[j], f"over{j}"
            )
            terms.append((excess, 1.0))
        return _sum(terms)

    def highest_workload(self) -> pulp.LpAffineExpression:
        """Tier 4 (balance): the highest Workload % among the part's people, as variable z."""
        z = self.problem.add_variable("z", lowBound=0, upBound=None, cat=pulp.LpContinuous)
        for j, ks in sorted(by_staff(self.pairs).items()):
            share = (self.load(j, ks) + self.part.committed[j]) * (1 / self.part.available[j])
            self.problem.addConstraint(z >= share, f"bal{j}")
        return _sum([(z, 1.0)])
