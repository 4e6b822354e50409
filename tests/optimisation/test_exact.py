"""solve() held to the model on paper (optimisation/reference.py) on small, awkward problems:
the exact optimum of every tier, a true status, a valid bound, and every rule kept."""

from __future__ import annotations

import pytest
from hypothesis import given

from optimisation.baseline import greedy
from optimisation.check import check_plan
from optimisation.optimiser import solve
from optimisation.reference import reference

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
