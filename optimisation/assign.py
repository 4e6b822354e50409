"""Plans of a part need by need: assignment[i] is the person j filling need i, or -1.

The model counts needs per (class, person); these functions turn counts into named needs
(current holders first) and back, and measure and check a plan need by need, so nothing a
solver returns is trusted before it is checked.
"""

from __future__ import annotations

from collections import defaultdict

from optimisation.ledger import EPSILON, Values
from optimisation.model import case_limit, hour_limit
from optimisation.parts import Part

PartPlan = list[int]


def to_counts(part: Part, assignment: PartPlan) -> list[int]:
    """How many needs of each class each person fills, per (class, person) pair."""
    position = {pair: k for k, pair in enumerate(part.pairs)}
    class_of = {i: q for q, cls in enumerate(part.classes) for i in cls.members}
    counts = [0] * len(position)
    for i, j in enumerate(assignment):
        if j >= 0:
            counts[position[class_of[i], j]] += 1
    return counts


def from_counts(part: Part, counts: list[int]) -> PartPlan:
    """Name the needs behind counts: current holders keep theirs first."""
    # Nobody is given two needs of one case (with rule 2 relaxed in the model, a count may go
    # unmet).
    assignment = [-1] * len(part.needs)
    holds: dict[int, set[int]] = defaultdict(set)
    wanted: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for k, (q, j) in enumerate(part.pairs):
        if counts[k]:
            wanted[q].append((j, counts[k]))
    for q, people in sorted(wanted.items()):
        members = part.classes[q].members
        left = dict(people)
        for keep_current in (True, False):
            for j, _ in people:
                for i in members:
                    if left[j] == 0:
                        break
                    if (
                        assignment[i] < 0
                        and part.case[i] not in holds[j]
                        and (not keep_current or part.current[i] == j)
                    ):
                        assignment[i] = j
                        holds[j].add(part.case[i])
                        left[j] -= 1
    return assignment


def unplaced(part: Part, counts: list[int], assignment: PartPlan) -> list[int]:
    """Unfilled needs of classes whose counts could not all be named, weightiest first."""
    # What a plan made from a relaxed model lost to rule 2, and where to win it back.
    wanted: dict[int, int] = defaultdict(int)
    for k, (q, _) in enumerate(part.pairs):
        wanted[q] += counts[k]
    lost = []
    for q, total in wanted.items():
        members = part.classes[q].members
        if sum(1 for i in members if assignment[i] >= 0) < total:
            lost += [i for i in members if assignment[i] < 0]
    return sorted(lost, key=lambda i: (-part.weight[i], i))


def values_of(part: Part, assignment: PartPlan) -> Values:
    """The four tier values of a plan of the part, need by need."""
    hours = [0.0] * len(part.staff)
    coverage = 0.0
    continuity = 0
    for i, j in enumerate(assignment):
        if j >= 0:
            coverage += part.weight[i]
            continuity += part.current[i] == j
            hours[j] += part.hours[i]
    people = {j for people in part.eligible for j in people}
    overload = sum(max(0.0, hours[j] - part.soft_room[j]) for j in people)
    highest = max(((hours[j] + part.committed[j]) / part.available[j] for j in people), default=0.0)
    return Values(coverage, continuity, overload, highest)


def is_valid(part: Part, assignment: PartPlan) -> bool:
    """Whether a plan of the part keeps the five rules, need by need."""
    hours = [0.0] * len(part.staff)
    cases: list[set[int]] = [set() for _ in part.staff]
    for i, j in enumerate(assignment):
        if i in part.pinned and j != part.eligible[i][0]:
            return False
        if j < 0:
            continue
        if j not in part.eligible[i] or part.case[i] in cases[j]:
            return False
        hours[j] += part.hours[i]
        cases[j].add(part.case[i])
    return all(
        hours[j] <= hour_limit(part, j) + EPSILON and len(cases[j]) <= case_limit(part, j)
        for j in range(len(part.staff))
    )
