"""Split a problem into independent parts, and each part's needs into interchangeable classes.

Parts: every constraint of docs/PLAN-FORMAT.md holds either one need's variables (rule 1) or one
person's (rules 2-4; rule 2 links two needs of a case only through the same person). So the
connected components of the graph of needs and people, joined by eligible pairs, share no
constraint: each is solved on its own, and coverage, continuity and overload, being sums, add
up across them. Balance is a maximum, and the smallest highest Workload % of every part
together is the smallest for the whole.

Classes: needs of a part with the same risk weight, the same hours and the same eligible
people are interchangeable, so the model counts how many needs of each class go to each
person (one integer per eligible (class, person) pair) instead of one binary per (need,
person): the same plans, without the symmetry that makes branch and bound slow. Rule 2 is
what can tell such needs apart (two needs of one case). In the exact grouping a need that
shares an eligible person with another need of its case is a class of its own; in the
relaxed grouping it stays in its class and rule 2 is kept only in aggregate (of two classes
sharing k cases, one person fills at most |a| + |b| - k of them), which is a valid relaxation
(its bound holds) and exact for classes of one need. Pinned needs always stand alone, and
who the current holders are is kept per class, so continuity stays exact.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import cached_property

from optimisation.eligibility import EligibilityIndex
from optimisation.ledger import EPSILON, Pins, hard_limit, need_ids, soft_limit
from optimisation.problem import Problem


@dataclass(frozen=True)
class NeedClass:
    """Interchangeable needs of a part (their positions i), and who may fill them (j)."""

    members: tuple[int, ...]
    weight: float
    hours: float
    staff: tuple[int, ...]
    pinned: bool
    case: int | None


@dataclass(frozen=True)
class Part:
    """One independent part: needs i and people j in their own numbering, and classes q."""

    needs: tuple[tuple[int, int], ...]
    weight: tuple[float, ...]
    hours: tuple[float, ...]
    case: tuple[int, ...]
    current: tuple[int, ...]
    eligible: tuple[tuple[int, ...], ...]
    pinned: frozenset[int]
    staff: tuple[int, ...]
    load_limit: tuple[float, ...]
    soft_room: tuple[float, ...]
    committed: tuple[float, ...]
    available: tuple[float, ...]
    case_limit: tuple[int | None, ...]
    classes: tuple[NeedClass, ...] = ()
    ties: tuple[tuple[int, int, int], ...] = ()

    # Cached: read many times per model and plan, and nothing changes it (a frozen dataclass
    # with no __slots__, so cached_property can keep it).
    @cached_property
    def pairs(self) -> list[tuple[int, int]]:
        """Every eligible (class, person) pair, in variable order."""
        return [(q, j) for q, cls in enumerate(self.classes) for j in cls.staff]

    @cached_property
    def pinned_load(self) -> tuple[tuple[float, int], ...]:
        """Each person's kept pins (a pinned need's only eligible person): hours and cases."""
        # Hours start from int 0 and add in pin order, just as sum() over the pins would.
        hours = [0] * len(self.staff)
        cases = [0] * len(self.staff)
        for i in self.pinned:
            if len(self.eligible[i]) == 1:
                j = self.eligible[i][0]
                hours[j] += self.hours[i]
                cases[j] += 1
        return tuple(zip(hours, cases, strict=True))

    @property
    def size(self) -> int:
        """The number of eligible (need, person) pairs."""
        return sum(len(people) for people in self.eligible)


def _candidate_pairs(
    problem: Problem, index: EligibilityIndex, pins: Pins
) -> list[tuple[tuple[int, int], int, bool]]:
    """Eligible (need, person, pinned) that could ever be planned; a kept pin is its need's only."""
    pinned_hours: dict[int, float] = defaultdict(float)
    pinned_cases: dict[int, set[int]] = defaultdict(set)
    for (c, n), s in pins.kept.items():
        pinned_hours[s] += problem.cases[c].needs[n].hours
        pinned_cases[s].add(c)
    pairs = []
    for c, n in need_ids(problem):
        if (c, n) in pins.kept:
            pairs.append(((c, n), pins.kept[c, n], True))
            continue
        hours = problem.cases[c].needs[n].hours
        for s in index.of(c, n):
            member = problem.staff[s]
            room = hard_limit(problem, s) - member.committed_hours - pinned_hours[s]
            full = member.max_cases is not None and len(pinned_cases[s]) >= member.max_cases
            # A need that can never fit, or whose case is pinned to the person, adds nothing.
            if hours <= room + EPSILON and not full and c not in pinned_cases[s]:
                pairs.append(((c, n), s, False))
    return pairs


def split(problem: Problem, index: EligibilityIndex, pins: Pins) -> list[Part]:
    """The independent parts of a problem, largest first (ties in problem order)."""
    pairs = _candidate_pairs(problem, index, pins)
    parent: dict[object, object] = {}

    def root(node: object) -> object:
        """The representative of a node's component (path halving)."""
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for need, s, _ in pairs:
        a, b = root(("need", need)), root(("staff", s))
        if a != b:
            parent[a] = b
    grouped: dict[object, list] = defaultdict(list)
    for pair in pairs:
        grouped[root(("staff", pair[1]))].append(pair)
    parts = [_make_part(problem, group) for group in grouped.values()]
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
    # Exact: tied and pinned needs stand alone. Not exact: only pinned needs stand alone, so rule 2
    # is relaxed (a valid upper bound).
    alone = (_tied(part) if exact else set()) | set(part.pinned)
    groups: dict[tuple, list[int]] = defaultdict(list)
    for i in range(len(part.needs)):
        key = (
            part.weight[i],
            part.hours[i],
            part.eligible[i],
            i in part.pinned,
            i if i in alone else -1,
        )
        groups[key].append(i)
    classes = tuple(
        NeedClass(
            members=tuple(members),
            weight=key[0],
            hours=key[1],
            staff=key[2],
            pinned=key[3],
            case=part.case[members[0]] if key[4] >= 0 else None,
        )
        for key, members in sorted(groups.items(), key=lambda item: item[1][0])
    )
    return replace(part, classes=classes, ties=() if exact else _class_ties(part, classes))


def _class_ties(part: Part, classes: tuple[NeedClass, ...]) -> tuple[tuple[int, int, int], ...]:
    """The most needs of two classes sharing cases that one person can fill together."""
    # Each shared case gives them at most one (rule 2, kept in aggregate).
    class_of = {i: q for q, cls in enumerate(classes) for i in cls.members}
    shared: dict[tuple[int, int], int] = defaultdict(int)
    for a, b in _sharing(part):
        shared[tuple(sorted((class_of[a], class_of[b])))] += 1
    ties = []
    for (qa, qb), cases in sorted(shared.items()):
        together = len(classes[qa].members) + (len(classes[qb].members) if qa != qb else 0)
        ties.append((qa, qb, together - cases))
    return tuple(ties)


def restrict(part: Part, needs: list[int], staff: list[int]) -> Part:
    """The sub-part of some needs and people (each need keeping only those people), exact."""
    staff_no = {j: new for new, j in enumerate(staff)}
    sub = Part(
        needs=tuple(part.needs[i] for i in needs),
        weight=tuple(part.weight[i] for i in needs),
        hours=tuple(part.hours[i] for i in needs),
        case=tuple(part.case[i] for i in needs),
        current=tuple(staff_no.get(part.current[i], -1) for i in needs),
        eligible=tuple(
            tuple(staff_no[j] for j in part.eligible[i] if j in staff_no) for i in needs
        ),
        pinned=frozenset(new for new, i in enumerate(needs) if i in part.pinned),
        staff=tuple(part.staff[j] for j in staff),
        load_limit=tuple(part.load_limit[j] for j in staff),
        soft_room=tuple(part.soft_room[j] for j in staff),
        committed=tuple(part.committed[j] for j in staff),
        available=tuple(part.available[j] for j in staff),
        case_limit=tuple(part.case_limit[j] for j in staff),
    )
    return with_classes(sub, exact=True)


def _make_part(problem: Problem, group: list) -> Part:
    """Number one component's needs and people and gather what the model needs of them."""
    needs = sorted({need for need, _, _ in group})
    staff = sorted({s for _, s, _ in group})
    need_no = {need: i for i, need in enumerate(needs)}
    staff_no = {s: j for j, s in enumerate(staff)}
    eligible: dict[int, list[int]] = defaultdict(list)
    pinned = set()
    for need, s, is_pin in sorted(group):
        eligible[need_no[need]].append(staff_no[s])
        if is_pin:
            pinned.add(need_no[need])
    current = []
    for c, n in needs:
        holder = problem.staff_index.get(problem.cases[c].needs[n].current or "", -1)
        current.append(staff_no.get(holder, -1))
    return Part(
        needs=tuple(needs),
        weight=tuple(problem.weight(problem.cases[c]) for c, _ in needs),
        hours=tuple(problem.cases[c].needs[n].hours for c, n in needs),
        case=tuple(c for c, _ in needs),
        current=tuple(current),
        eligible=tuple(tuple(eligible[i]) for i in range(len(needs))),
        pinned=frozenset(pinned),
        staff=tuple(staff),
        load_limit=tuple(hard_limit(problem, s) - problem.staff[s].committed_hours for s in staff),
        soft_room=tuple(soft_limit(problem, s) - problem.staff[s].committed_hours for s in staff),
        committed=tuple(problem.staff[s].committed_hours for s in staff),
        available=tuple(problem.staff[s].available_hours for s in staff),
        case_limit=tuple(problem.staff[s].max_cases for s in staff),
    )
