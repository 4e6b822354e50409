"""Continuity: every holder the plan can keep at its coverage is kept, on small and large parts."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import optimisation.optimiser as solve_module
from optimisation.assign import from_counts, measure, to_counts, values_of
from optimisation.baseline import greedy, greedy_fill
from optimisation.check import objective_values
from optimisation.continuity import name_counts, realign
from optimisation.optimiser import solve
from optimisation.parts import split, with_classes
from optimisation.search import search
from optimisation.tiers import solve_tiers

from .builders import case, filled, index_and_pins, need, person, problem, problems, solved

PATHS = ["all tiers", "large part"]


@pytest.fixture(params=PATHS)
def path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Solve as a small part (all tiers proven) or as a large one (searched, named, improved)."""
    if request.param == "large part":
        monkeypatch.setattr(solve_module, "EXACT_NEEDS", 0)
    return request.param


def trap():
    """C4 (8 h) fits only S2, so C1 (6 h) must go to S1 (1 h committed); S1 then has 5 h left
    and S2 4 h, room for the 3-hour and the 1-hour need either way round at equal coverage.
    Both greedies give C1 to the less loaded S2 first and leave C4 uncovered."""
    return problem(
        [person("S1", committed_hours=1), person("S2")],
        [
            case("C1", need(hours=6), risk="very_high"),
            case("C4", need(hours=8), risk="very_high", excluded_staff=("S1",)),
            case("C2", need(hours=3, current="S1")),
            case("C3", need(hours=1, current="S2")),
        ],
    )


def test_every_holder_is_kept_where_coverage_allows(path: str) -> None:
    """Full coverage, and both needs stay with their holders, on either path."""
    example = trap()
    plan = solved(example)
    assert filled(plan) == {("C1", 0): "S1", ("C4", 0): "S2", ("C2", 0): "S1", ("C3", 0): "S2"}
    assert plan.objective.coverage == 2200 and plan.objective.continuity == 2
    assert greedy(example).objective.coverage == 1200


def test_one_search_of_coverage_and_continuity_together_keeps_the_holders() -> None:
    """The large-part search alone (no local search) finds full coverage with both holders."""
    example = trap()
    part, classed = _part(example)
    start = [-1] * len(part.needs)
    counts, bound = search(classed, to_counts(classed, start), "highs", float("inf"), nodes=10)
    assert bound == 2200
    assert measure(classed, counts).key()[:2] == (2200, 2)


def test_a_piece_holding_its_coverage_wins_holders_back() -> None:
    """From full coverage with the two holders' needs swapped, coverage held: both back."""
    example = trap()
    part, _ = _part(example)
    exact = with_classes(part, exact=True)
    s1, s2 = part.staff.index(0), part.staff.index(1)
    swapped = {(0, 0): s1, (1, 0): s2, (2, 0): s2, (3, 0): s1}
    start = [swapped[need] for need in part.needs]
    assert values_of(part, start).key()[:2] == (2200, 0)
    result = solve_tiers(
        exact,
        to_counts(exact, start),
        "highs",
        float("inf"),
        nodes=100,
        tiers=2,
        hold_coverage=True,
    )
    assert measure(exact, list(result.counts)).key()[:2] == (2200, 2)


def test_greedy_keeping_holders_first_keeps_what_greedy_moves() -> None:
    """Greedy gives C1 to the less loaded S2, then S1 has no room for its holder's C2; with
    holders first, both keep their own."""
    example = problem(
        [person("S1"), person("S2", committed_hours=1)],
        [
            case("C1", need(hours=8), risk="very_high"),
            case("C2", need(hours=8, current="S1")),
        ],
    )
    index, pins = index_and_pins(example)
    plain = objective_values(example, greedy_fill(example, index, pins))
    first = objective_values(example, greedy_fill(example, index, pins, holders_first=True))
    assert (plain.coverage, plain.continuity) == (1100, 0)
    assert (first.coverage, first.continuity) == (1100, 1)
    assert solve(example, workers=1).objective.continuity == 1


def _part(example):
    """The only part of a problem, in classes with rule 2 relaxed."""
    (part,) = split(example, *index_and_pins(example))
    return part, with_classes(part, exact=False)


def test_naming_keeps_a_need_that_class_by_class_naming_loses() -> None:
    """A's lead and B's need are one class; A's co-worker (skill x) only S1 can fill. Counts of
    one of the class each and the co-worker to S1: naming the class first gives S1 A's lead,
    and then S1 cannot take A's co-worker (rule 2). Named together, S1 takes B's need."""
    example = problem(
        [person("S1", skills=("x",)), person("S2")],
        [case("A", need(), need(skills=("x",))), case("B", need())],
    )
    part, classed = _part(example)
    wanted = {}
    for q, cls in enumerate(classed.classes):
        for j in cls.staff:
            wanted[q, j] = 1 if len(cls.members) == 2 or j == 0 else 0
    counts = [wanted[pair] for pair in classed.pairs]
    assert values_of(part, from_counts(classed, counts)).coverage == 200
    named = name_counts(part, classed, counts, "highs", float("inf"))
    assert values_of(part, named).coverage == 300
    assert {part.needs[i]: part.staff[j] for i, j in enumerate(named)} == {
        (0, 0): 1,
        (0, 1): 0,
        (1, 0): 0,
    }


def test_realign_swaps_needs_back_to_their_holders() -> None:
    """Two needs of equal weight and hours, each with the other's holder: swapped back."""
    example = problem(
        [person("S1"), person("S2")],
        [case("C1", need(current="S1")), case("C2", need(current="S2"))],
    )
    part, _ = _part(example)
    swapped = [part.staff.index(1), part.staff.index(0)]
    assert values_of(part, swapped).continuity == 0
    again = realign(part, swapped, "highs", float("inf"))
    assert values_of(part, again).continuity == 2


@settings(
    max_examples=20, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(problems, st.sampled_from(PATHS))
def test_never_fewer_holders_than_keeping_them_first_at_equal_coverage(problem, route) -> None:
    """At least the coverage of greedy keeping every holder first and, where no more, at
    least its holders kept; the same against plain greedy. On either path."""
    with pytest.MonkeyPatch.context() as patch:
        if route == "large part":
            patch.setattr(solve_module, "EXACT_NEEDS", 0)
        plan = solve(problem, workers=1)
    index, pins = index_and_pins(problem)
    for first in (True, False):
        baseline = objective_values(problem, greedy_fill(problem, index, pins, first))
        assert plan.objective.coverage >= baseline.coverage
        if plan.objective.coverage == baseline.coverage:
            assert plan.objective.continuity >= baseline.continuity
