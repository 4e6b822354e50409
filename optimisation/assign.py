"""Plans of a part: need by need (assignment[i] is the person j filling need i, or -1) or as
counts per (class, person) pair, measured and checked here, so nothing a solver returns is
trusted before it is.
"""

from __future__ import annotations

import math
from collections import defaultdict

from optimisation.ledger import EPSILON, Values
from optimisation.model import by_staff, held_by
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
    # unmet; in exact classes it never does).
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


def _values(part: Part, weights: list[float], continuity: int, hours: list[list[float]]) -> Values:
    """Tier values from the weights filled, holders kept and each person's hours."""
    # fsum gives the correctly rounded sum of the exact values, in any order: the same plan
    # measures the same however it is counted, and two coverages compare exactly.
    loads = {j: math.fsum(hours[j]) for j in part.people}
    overload = math.fsum(max(0.0, loads[j] - part.soft_room[j]) for j in part.people)
    highest = max(((loads[j] + part.held[j]) / part.available[j] for j in part.people), default=0.0)
    return Values(math.fsum(weights), continuity, overload, highest)


def values_of(part: Part, assignment: PartPlan) -> Values:
    """The four tier values of a plan of the part, need by need."""
    hours: list[list[float]] = [[] for _ in part.staff]
    weights = []
    continuity = 0
    for i, j in enumerate(assignment):
        if j >= 0:
            weights.append(part.weight[i])
            continuity += part.current[i] == j
            hours[j].append(part.hours[i])
    return _values(part, weights, continuity, hours)


def measure(part: Part, counts: list[int]) -> Values:
    """The four tier values of a plan of a classed part, given as counts per pair."""
    hours: list[list[float]] = [[] for _ in part.staff]
    weights: list[float] = []
    continuity = 0
    for k, (q, j) in enumerate(part.pairs):
        if counts[k]:
            cls = part.classes[q]
            weights += [cls.weight] * counts[k]
            continuity += min(counts[k], held_by(part, q, j))
            hours[j] += [cls.hours] * counts[k]
    return _values(part, weights, continuity, hours)


def _within_rooms(
    part: Part, j: int, hours: list[float], safe_hours: list[float], cases: int
) -> bool:
    """Whether what a person is planned fits their rooms (nothing planned always fits)."""
    room = part.case_room[j]
    return (
        (not hours or math.fsum(hours) <= part.hard_room[j] + EPSILON)
        and (not safe_hours or math.fsum(safe_hours) <= part.safe_room[j] + EPSILON)
        and (room is None or cases <= room)
    )


def is_valid(part: Part, assignment: PartPlan) -> bool:
    """Whether a plan of the part keeps rules 1-5, need by need."""
    hours: list[list[float]] = [[] for _ in part.staff]
    safe_hours: list[list[float]] = [[] for _ in part.staff]
    cases: list[set[int]] = [set() for _ in part.staff]
    for i, j in enumerate(assignment):
        if j < 0:
            continue
        if j not in part.eligible[i] or part.case[i] in cases[j]:
            return False
        hours[j].append(part.hours[i])
        if part.within_safe[i]:
            safe_hours[j].append(part.hours[i])
        cases[j].add(part.case[i])
    return all(
        _within_rooms(part, j, hours[j], safe_hours[j], len(cases[j]))
        for j in range(len(part.staff))
    )


def is_feasible(part: Part, counts: list[int]) -> bool:
    """Whether counts keep the rules in the part's model (recomputed, not trusted)."""
    # Rule 2 is checked as the model keeps it: exactly for classes of one tied need (in a
    # relaxed model, the aggregate ties are left to naming).
    per_class: dict[int, int] = defaultdict(int)
    per_case: dict[tuple[int, int], int] = defaultdict(int)
    for k, (q, j) in enumerate(part.pairs):
        if counts[k] < 0:
            return False
        per_class[q] += counts[k]
        if part.classes[q].case is not None:
            per_case[part.classes[q].case, j] += counts[k]
    if any(total > len(part.classes[q].members) for q, total in per_class.items()):
        return False
    if any(count > 1 for count in per_case.values()):
        return False
    for j, ks in by_staff(part.pairs).items():
        hours = [part.classes[part.pairs[k][0]].hours for k in ks for _ in range(counts[k])]
        safe = [
            part.classes[part.pairs[k][0]].hours
            for k in ks
            if part.classes[part.pairs[k][0]].within_safe
            for _ in range(counts[k])
        ]
        if not _within_rooms(part, j, hours, safe, sum(counts[k] for k in ks)):
            return False
    return True
