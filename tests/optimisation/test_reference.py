"""The oracle checked against every plan there is: on tiny problems, the best plan found by
trying them all (rules written out again here, plainly, from docs/PLAN-FORMAT.md) is the
reference's, tier for tier, whatever the weights."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import given

from optimisation.eligibility import EligibilityIndex
from optimisation.ledger import EPSILON, need_ids, resolve_pins
from optimisation.problem import Problem
from optimisation.reference import reference, weight_groups

from .strategies import settled, small_problems

MOST_PLANS = 20_000

Filled = dict[tuple[int, int], int]


def keeps_the_rules(problem: Problem, filled: Filled, pins: Filled) -> bool:
    """Rules 2-5 for needs filled by eligible people (rule 1 is how plans are drawn)."""
    policy = problem.policy
    if any(filled.get(need) != s for need, s in pins.items()):
        return False
    for s, member in enumerate(problem.staff):
        mine = [need for need, person in filled.items() if person == s]
        if len({c for c, _ in mine}) < len(mine):
            return False
        free = [need for need in mine if pins.get(need) != s]
        safe = [need for need in mine if problem.within_safe(problem.cases[need[0]])]
        loads = (
            (mine, free, policy.hard_capacity),
            (safe, [need for need in free if need in safe], policy.safe_capacity),
        )
        for counted, unpinned, capacity in loads:
            hours = sum(problem.cases[c].needs[n].hours for c, n in counted)
            limit = capacity * member.available_hours
            if unpinned and member.committed_hours + hours > limit + EPSILON:
                return False
        if free and member.max_cases is not None and len(mine) > member.max_cases:
            return False
    return True


def every_plan(problem: Problem):
    """Every way of filling the needs (each by nobody or one eligible person)."""
    index = EligibilityIndex(problem)
    needs = need_ids(problem)

    def extend(position: int, filled: Filled):
        if position == len(needs):
            yield dict(filled)
            return
        yield from extend(position + 1, filled)
        for s in index.of(*needs[position]):
            filled[needs[position]] = s
            yield from extend(position + 1, filled)
            del filled[needs[position]]

    return extend(0, {})


def values(problem: Problem, filled: Filled) -> tuple[Fraction, int, float]:
    """Coverage (exactly), continuity and overload of a plan."""
    coverage = sum(Fraction(repr(problem.weight(problem.cases[c]))) for c, _ in filled)
    continuity = sum(
        problem.cases[c].needs[n].current == problem.staff[s].id for (c, n), s in filled.items()
    )
    overload = 0.0
    for s, member in enumerate(problem.staff):
        hours = sum(problem.cases[c].needs[n].hours for (c, n), p in filled.items() if p == s)
        soft = problem.policy.soft_capacity * member.available_hours
        overload += max(0.0, member.committed_hours + hours - soft)
    return coverage, continuity, overload


def plans_to_try(problem: Problem) -> int:
    """How many plans every_plan would draw."""
    index = EligibilityIndex(problem)
    return math.prod(1 + len(index.of(*need)) for need in need_ids(problem))


@settled(60)
@given(small_problems(most_staff=3, most_cases=3))
def test_the_reference_is_the_best_plan_of_all(problem) -> None:
    """No plan keeping the rules beats the reference's, and the reference's keeps them."""
    while plans_to_try(problem) > MOST_PLANS:
        problem = Problem(problem.week, problem.policy, problem.staff, problem.cases[:-1])
    pins = resolve_pins(problem, EligibilityIndex(problem)).kept
    best = max(
        (values(problem, f) for f in every_plan(problem) if keeps_the_rules(problem, f, pins)),
        key=lambda v: (v[0], v[1], -round(v[2], 9)),
    )
    found = reference(problem)
    assert keeps_the_rules(problem, found.filled, pins)
    assert values(problem, found.filled)[0] == best[0]
    assert found.continuity == best[1]
    assert found.overload == pytest.approx(best[2], abs=1e-6)


@pytest.mark.parametrize(
    ("weights", "groups"),
    [
        ([1000.0] * 3 + [100.0] * 20 + [1.0], [{1000.0: 10, 100.0: 1}, {1.0: 1}]),
        ([1e9, 1e9, 1e6, 1.0, 1.0], [{1e9: 1}, {1e6: 1}, {1.0: 1}]),
        ([3.0, 2.0, 2.0], [{3.0: 3, 2.0: 2}]),
        ([0.3, 0.1, 0.0], [{0.3: 1}, {0.1: 1}]),
    ],
)
def test_weight_groups_outweigh_all_below(weights, groups) -> None:
    """A group closes once its unit is more than all the lower weights together."""
    assert weight_groups(weights) == groups
