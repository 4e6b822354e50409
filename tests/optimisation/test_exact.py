"""solve() held to the model on paper (optimisation/reference.py) on small, awkward problems:
the exact optimum of every tier, a true status, a valid bound, and every rule kept."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

import optimisation.optimiser as optimiser
from optimisation.baseline import greedy
from optimisation.bounds import hours_bound
from optimisation.check import check_plan
from optimisation.optimiser import solve
from optimisation.parts import split, with_classes
from optimisation.reference import reference
from optimisation.search import relaxation

from .builders import index_and_pins
from .strategies import settled, small_problems


def assert_exact(problem, plan) -> None:
    """The plan keeps every rule, is optimal, and has the reference's tier values."""
    expected = reference(problem)
    assert check_plan(problem, plan)[0] == []
    assert plan.status == "optimal"
    assert plan.objective.coverage == expected.coverage
    assert plan.objective.continuity == expected.continuity
    assert plan.objective.overload_hours == pytest.approx(expected.overload, abs=1e-6)
    assert plan.bound.coverage >= expected.coverage


@settled(120)
@given(small_problems())
def test_highs_reaches_the_exact_optimum(problem) -> None:
    """Coverage, continuity and overload exactly the reference's, said to be optimal."""
    assert_exact(problem, solve(problem, workers=1))


@settled(15)
@given(small_problems(most_staff=3, most_cases=4))
def test_cbc_reaches_the_exact_optimum(problem) -> None:
    """The same with CBC (slower: a process a solve, so fewer examples)."""
    plan = solve(problem, solver="cbc", workers=1)
    assert plan.solver == "cbc"
    assert_exact(problem, plan)


@settled(60)
@given(small_problems(most_staff=6, most_cases=8))
def test_greedy_keeps_every_rule(problem) -> None:
    """The baseline's plan is valid too, its bound honest and its status never optimal."""
    plan = greedy(problem)
    broken, values = check_plan(problem, plan)
    assert broken == []
    assert plan.status == "feasible" and plan.bound.coverage >= values.coverage


@settled(60)
@given(small_problems())
def test_the_bounds_for_parts_not_solved_hold(problem) -> None:
    """A part whose solve does not come back keeps a quick bound (its needs fitted into its
    people's hours together), and the LP's by weak duality: both at least its optimum."""
    index, pins = index_and_pins(problem)
    optimum = reference(problem)
    for part in split(problem, index, pins):
        best = math.fsum(
            part.weight[i] for i, need in enumerate(part.needs) if need in optimum.filled
        )
        assert hours_bound(part) >= best
        assert relaxation(with_classes(part, exact=False), math.inf)[0] >= best


@settled(80)
@given(small_problems(), st.sampled_from(("searched", "rounded")))
def test_the_paths_for_large_parts_keep_every_rule_and_an_honest_bound(problem, route) -> None:
    """Every part taken as too large to prove (searched, or too large even to search: the
    LP rounded down and filled): valid, never below greedy, a bound at least the optimum, and
    optimal only when true."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(optimiser, "EXACT_NEEDS", 0)
        if route == "rounded":
            patch.setattr(optimiser, "SEARCH_LIMIT", 0)
        plan = solve(problem, workers=1)
    expected = reference(problem)
    assert check_plan(problem, plan)[0] == []
    assert plan.bound.coverage >= expected.coverage
    assert plan.objective.coverage >= greedy(problem).objective.coverage
    if plan.status == "optimal":
        assert (plan.objective.coverage, plan.objective.continuity) == (
            expected.coverage,
            expected.continuity,
        )
