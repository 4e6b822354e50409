"""Split a problem into independent parts, and each part's needs into interchangeable classes.

Pins: a kept pin is no choice, so it stays out of the parts. Its hours count in its person's
loads and its case in their cases (rule 5), so each person enters a part with rooms: what is
left under the hard capacity, the safe workload and the case limit once committed hours and
pins are counted. A room below zero admits nothing more of what that limit counts (a need of
no hours included), and a need of a case pinned to a person is not theirs to fill (rule 2).

Parts: every constraint of docs/PLAN-FORMAT.md holds either one need's variables (rule 1) or one
person's (rules 2-4; rule 2 links two needs of a case only through the same person). So the
connected components of the graph of needs and people, joined by the pairs that could ever be
planned, share no constraint: each is solved on its own, and coverage, continuity and
overload, being sums, add up across them. Balance is a maximum, and the smallest highest
Workload % of every part together is the smallest for the whole.

Classes: needs of a part with the same risk weight, hours, place under the safe workload and
eligible people are interchangeable, so the model counts how many needs of each class go to
each person (one integer per eligible (class, person) pair) instead of one binary per (need,
person): the same plans, without the symmetry that makes branch and bound slow. Rule 2 is what
can tell such needs apart (two needs of one case). In the exact grouping a need that shares an
eligible person with another need of its case is a class of its own; in the relaxed grouping
it stays in its class and rule 2 is kept only in aggregate (of one class, or two, whose needs
share cases, one person fills at most as many as the distinct cases among them), which is a
valid relaxation (its bound holds) and exact for classes of one need. Who the current holders
are is kept per class, so continuity stays exact.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import cached_property

from optimisation.eligibility import EligibilityIndex
from optimisation.ledger import EPSILON, Pins, hard_limit, need_ids, safe_limit, soft_limit
from optimisation.problem import Problem


@dataclass(frozen=True)
class NeedClass:
    """Interchangeable needs of a part (their positions i), and who may fill them (j)."""

    members: tuple[int, ...]
    weight: float
    hours: float
    within_safe: bool
    staff: tuple[int, ...]
    case: int | None


@dataclass(frozen=True)
class Part:
    """One independent part: needs i and people j in their own numbering, and classes q.

    Rooms are what is left to each person under each limit after committed hours and pins;
    `held` is those hours (for Workload %), `soft_room` what is left below the soft capacity.
    """

    needs: tuple[tuple[int, int], ...]
    weight: tuple[float, ...]
    hours: tuple[float, ...]
    within_safe: tuple[bool, ...]
    case: tuple[int, ...]
    current: tuple[int, ...]
    eligible: tuple[tuple[int, ...], ...]
    staff: tuple[int, ...]
    hard_room: tuple[float, ...]
    safe_room: tuple[float, ...]
    soft_room: tuple[float, ...]
    case_room: tuple[int | None, ...]
    held: tuple[float, ...]
    available: tuple[float, ...]
    classes: tuple[NeedClass, ...] = ()
    ties: tuple[tuple[int, int, int], ...] = ()

    # Cached: read many times per model and plan, and nothing changes it (a frozen dataclass
    # with no __slots__, so cached_property can keep it).
    @cached_property
    def pairs(self) -> list[tuple[int, int]]:
        """Every eligible (class, person) pair, in variable order."""
        return [(q, j) for q, cls in enumerate(self.classes) for j in cls.staff]

    @cached_property
    def people(self) -> list[int]:
        """The people (j) of the part who could be planned any need."""
        return sorted({j for people in self.eligible for j in people})

    @property
    def size(self) -> int:
        """The number of eligible (need, person) pairs."""
        return sum(len(people) for people in self.eligible)


@dataclass(frozen=True)
class Rooms:
    """What committed hours and kept pins leave each person under each limit."""

    held: list[float]
    hard: list[float]
    safe: list[float]
    soft: list[float]
    cases: list[int | None]
    pinned_cases: list[set[int]]


def rooms(problem: Problem, pins: Pins) -> Rooms:
    """Each person's rooms once their committed hours and kept pins count (rule 5)."""
    hours: list[list[float]] = [[member.committed_hours] for member in problem.staff]
    safe_hours: list[list[float]] = [[member.committed_hours] for member in problem.staff]
    pinned_cases: list[set[int]] = [set() for _ in problem.staff]
    for (c, n), s in pins.kept.items():
        hours[s].append(problem.cases[c].needs[n].hours)
        if problem.within_safe(problem.cases[c]):
            safe_hours[s].append(problem.cases[c].needs[n].hours)
        pinned_cases[s].add(c)
    held = [math.fsum(h) for h in hours]
    limit = [member.max_cases for member in problem.staff]
    return Rooms(
        held=held,
        hard=[hard_limit(problem, s) - held[s] for s in range(len(held))],
        safe=[safe_limit(problem, s) - math.fsum(safe_hours[s]) for s in range(len(held))],
        soft=[soft_limit(problem, s) - held[s] for s in range(len(held))],
        cases=[None if m is None else m - len(pinned_cases[s]) for s, m in enumerate(limit)],
        pinned_cases=pinned_cases,
    )


def admitted(
    problem: Problem, room: Rooms, need: tuple[int, int], people: tuple[int, ...]
) -> list[int]:
    """The eligible people an unpinned need could ever go to, alone, given their rooms."""
    c, n = need
    hours = problem.cases[c].needs[n].hours
    within = problem.within_safe(problem.cases[c])
    hard, safe, cases, pinned = room.hard, room.safe, room.cases, room.pinned_cases
    return [
        s
        for s in people
        if hours <= hard[s] + EPSILON
        and (not within or hours <= safe[s] + EPSILON)
        and (cases[s] is None or cases[s] >= 1)
        and c not in pinned[s]
    ]


def split(problem: Problem, index: EligibilityIndex, pins: Pins) -> list[Part]:
    """The independent parts of a problem's unpinned needs, largest first (ties in order)."""
    room = rooms(problem, pins)
    parent = list(range(len(problem.staff)))

    def root(s: int) -> int:
        """The representative of a person's component (path halving)."""
        while parent[s] != s:
            parent[s] = parent[parent[s]]
            s = parent[s]
        return s

    # Needs join the people who could fill them, so people joined by a need are one part.
    found = []
    for need in need_ids(problem):
        if need in pins.kept:
            continue
        people = admitted(problem, room, need, index.of(*need))
        if people:
            found.append((need, people))
            first = root(people[0])
            for s in people[1:]:
                other = root(s)
                if other != first:
                    parent[other] = first
    grouped: dict[int, list] = defaultdict(list)
    for need, people in found:
        grouped[root(people[0])].append((need, people))
    parts = [_make_part(problem, room, group) for group in grouped.values()]
    return sorted(parts, key=lambda part: (-part.size, part.needs[0]))


def _sharing(part: Part) -> Iterator[tuple[int, int]]:
    """Needs a < b of one case that share an eligible person (so rule 2 can bind them)."""
    of_case: dict[int, list[int]] = defaultdict(list)
    for i, c in enumerate(part.case):
        of_case[c].append(i)
    for members in of_case.values():
        for a in members:
            for b in members:
                if a < b and set(part.eligible[a]) & set(part.eligible[b]):
                    yield a, b


def _tied(part: Part) -> set[int]:
    """Needs that share an eligible person with another need of their case (rule 2 binds)."""
    return {i for pair in _sharing(part) for i in pair}


def with_classes(part: Part, exact: bool) -> Part:
    """The part with its needs grouped into classes."""
    # Exact: tied needs stand alone. Not exact: rule 2 is relaxed (a valid upper bound).
    alone = _tied(part) if exact else set()
    groups: dict[tuple, list[int]] = defaultdict(list)
    for i in range(len(part.needs)):
        key = (
            part.weight[i],
            part.hours[i],
            part.within_safe[i],
            part.eligible[i],
            i if i in alone else -1,
        )
        groups[key].append(i)
    classes = tuple(
        NeedClass(
            members=tuple(members),
            weight=key[0],
            hours=key[1],
            within_safe=key[2],
            staff=key[3],
            case=part.case[members[0]] if key[4] >= 0 else None,
        )
        for key, members in sorted(groups.items(), key=lambda item: item[1][0])
    )
    return replace(part, classes=classes, ties=() if exact else _class_ties(part, classes))


def _class_ties(part: Part, classes: tuple[NeedClass, ...]) -> tuple[tuple[int, int, int], ...]:
    """The most needs of one or two classes sharing cases that one person can fill together."""
    # One a case (rule 2, kept in aggregate): as many as the distinct cases among them. (Counting
    # shared pairs instead undercounts a case with three or more needs in a class.)
    class_of = {i: q for q, cls in enumerate(classes) for i in cls.members}
    tied = sorted({tuple(sorted((class_of[a], class_of[b]))) for a, b in _sharing(part)})
    ties = []
    for qa, qb in tied:
        members = {*classes[qa].members, *classes[qb].members}
        ties.append((qa, qb, len({part.case[i] for i in members})))
    return tuple(ties)


def restrict(part: Part, needs: list[int], staff: list[int]) -> Part:
    """The sub-part of some needs and people (each need keeping only those people), exact."""
    # The caller includes every need the people hold, so their rooms are still their rooms.
    staff_no = {j: new for new, j in enumerate(staff)}
    sub = Part(
        needs=tuple(part.needs[i] for i in needs),
        weight=tuple(part.weight[i] for i in needs),
        hours=tuple(part.hours[i] for i in needs),
        within_safe=tuple(part.within_safe[i] for i in needs),
        case=tuple(part.case[i] for i in needs),
        current=tuple(staff_no.get(part.current[i], -1) for i in needs),
        eligible=tuple(
            tuple(staff_no[j] for j in part.eligible[i] if j in staff_no) for i in needs
        ),
        staff=tuple(part.staff[j] for j in staff),
        hard_room=tuple(part.hard_room[j] for j in staff),
        safe_room=tuple(part.safe_room[j] for j in staff),
        soft_room=tuple(part.soft_room[j] for j in staff),
        case_room=tuple(part.case_room[j] for j in staff),
        held=tuple(part.held[j] for j in staff),
        available=tuple(part.available[j] for j in staff),
    )
    return with_classes(sub, exact=True)


def _make_part(problem: Problem, room: Rooms, group: list) -> Part:
    """Number one component's needs and people and gather what the model needs of them."""
    group = sorted(group)
    needs = [need for need, _ in group]
    staff = sorted({s for _, people in group for s in people})
    staff_no = {s: j for j, s in enumerate(staff)}
    current = []
    for c, n in needs:
        holder = problem.staff_index.get(problem.cases[c].needs[n].current or "", -1)
        current.append(staff_no.get(holder, -1))
    return Part(
        needs=tuple(needs),
        weight=tuple(problem.weight(problem.cases[c]) for c, _ in needs),
        hours=tuple(problem.cases[c].needs[n].hours for c, n in needs),
        within_safe=tuple(problem.within_safe(problem.cases[c]) for c, _ in needs),
        case=tuple(c for c, _ in needs),
        current=tuple(current),
        eligible=tuple(tuple(staff_no[s] for s in people) for _, people in group),
        staff=tuple(staff),
        hard_room=tuple(room.hard[s] for s in staff),
        safe_room=tuple(room.safe[s] for s in staff),
        soft_room=tuple(room.soft[s] for s in staff),
        case_room=tuple(room.cases[s] for s in staff),
        held=tuple(room.held[s] for s in staff),
        available=tuple(problem.staff[s].available_hours for s in staff),
    )
