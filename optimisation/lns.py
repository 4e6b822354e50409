"""Large-neighbourhood search: improve a plan of a part by re-solving small pieces exactly.

Each round frees a few people, with every need they hold and the unfilled needs they could
hold, and solves that piece exactly, tier by tier (rule 2 included); the piece's new plan is
kept only if the whole part's plan gets better. Rounds take turns to aim at an unfilled need,
a need away from its current holder and an overloaded person. A round aimed at an unfilled
need solves coverage first; the others hold the piece's coverage and start from continuity,
which halved their time (proving that no more could be covered was most of it) and found
plans as good on the demo parts tried. Pieces are drawn from a seeded random generator and the
number of rounds is fixed, so the same part gets the same plan.
"""

from __future__ import annotations

import random
import time

from optimisation.assign import PartPlan, from_counts, is_valid, to_counts, values_of
from optimisation.ledger import better
from optimisation.parts import Part, restrict
from optimisation.tiers import solve_tiers

# Each round costs about 0.3 s on a demo part and wins about one holder back while it can:
# these bound the search to a few seconds a part.
ROUNDS = 20
PEOPLE = 5
OPEN_NEEDS = 20
PIECE_NODES = 100
STALL = 6  # rounds in a row without a better plan, after which the search stops


def _people_around(first: list[int], pool: list[int], rng: random.Random) -> list[int]:
    """`first`, then people drawn from `pool`, up to PEOPLE in all."""
    chosen = list(dict.fromkeys(j for j in first if j >= 0))
    others = [j for j in dict.fromkeys(pool) if j not in chosen]
    chosen += rng.sample(others, max(0, min(PEOPLE - len(chosen), len(others))))
    return sorted(chosen)


def _aims(part: Part, assignment: PartPlan) -> list[list[tuple[str, int]]]:
    """What rounds can aim at: unfilled needs, needs away from their holder, overloads."""
    hours = [0.0] * len(part.staff)
    for i, j in enumerate(assignment):
        if j >= 0:
            hours[j] += part.hours[i]
    unfilled = [("open", i) for i, j in enumerate(assignment) if j < 0 and part.eligible[i]]
    moved = [
        ("current", i)
        for i, j in enumerate(assignment)
        if part.current[i] >= 0 and j != part.current[i] and part.current[i] in part.eligible[i]
    ]
    overloaded = [
        ("overload", j) for j in range(len(part.staff)) if hours[j] > part.soft_room[j] + 1e-9
    ]
    return [kind for kind in (unfilled, moved, overloaded) if kind]


def _piece(
    part: Part, assignment: PartPlan, aim: tuple[str, int], rng: random.Random
) -> tuple[list[int], list[int]]:
    """The needs and people of one neighbourhood around what a round aims at."""
    kind, target = aim
    if kind == "overload":
        pool = [
            j for i, holder in enumerate(assignment) if holder == target for j in part.eligible[i]
        ]
        people = _people_around([target], pool, rng)
        seed_needs: list[int] = []
    else:
        first = [part.current[target], assignment[target]] if kind == "current" else []
        people = _people_around(first, list(part.eligible[target]), rng)
        seed_needs = [target]
    chosen = set(people)
    held = [i for i, j in enumerate(assignment) if j in chosen]
    could = sorted(
        (i for i, j in enumerate(assignment) if j < 0 and chosen & set(part.eligible[i])),
        key=lambda i: (-part.weight[i], i),
    )[:OPEN_NEEDS]
    return sorted({*seed_needs, *held, *could}), people


def improve(
    part: Part,
    assignment: PartPlan,
    solver: str,
    deadline: float,
    first: list[int],
    seed: int = 0,
) -> PartPlan:
    """A plan at least as good as `assignment` (lexicographically) after local search."""
    # Up to ROUNDS rounds (fewer once STALL rounds in a row gain nothing), the first ones aimed at
    # the unfilled needs `first` (while unfilled).
    rng = random.Random(seed)
    best = list(assignment)
    values = values_of(part, best)
    targets = list(first[: ROUNDS // 2])
    since_better = 0
    for round_number in range(ROUNDS):
        aims = _aims(part, best)
        if time.time() >= deadline or not aims or (since_better >= STALL and not targets):
            break
        while targets and best[targets[0]] >= 0:
            targets.pop(0)
        if targets:
            aim = ("open", targets.pop(0))
        else:
            kind = aims[round_number % len(aims)]
            # Unfilled needs are drawn by risk weight: the gaps that matter most come first.
            weights = [part.weight[target] if name == "open" else 1.0 for name, target in kind]
            aim = rng.choices(kind, weights if any(weights) else None)[0]
        needs, people = _piece(part, best, aim, rng)
        tiers = 3 if aim[0] == "overload" else 2
        piece = restrict(part, needs, people)
        number = {j: n for n, j in enumerate(people)}
        start = [number.get(best[i], -1) for i in needs]
        result = solve_tiers(
            piece,
            to_counts(piece, start),
            solver,
            deadline,
            nodes=PIECE_NODES,
            tiers=tiers,
            hold_coverage=aim[0] != "open",
        )
        candidate = list(best)
        for position, j in zip(needs, from_counts(piece, list(result.counts)), strict=True):
            candidate[position] = people[j] if j >= 0 else -1
        found = values_of(part, candidate)
        since_better += 1
        if is_valid(part, candidate) and better(found, values):
            best, values, since_better = candidate, found, 0
    return best
