"""Properties over many problems: valid, never below greedy, honest, reasons and remedies true."""

from __future__ import annotations

from hypothesis import given

from optimisation.baseline import greedy
from optimisation.check import check_plan, uncovered_reason
from optimisation.eligibility import EligibilityIndex
from optimisation.optimiser import solve

from .builders import problems, with_remedy
from .strategies import settled, small_problems


@settled(25)
@given(problems)
def test_every_plan_passes_check_and_beats_greedy(problem) -> None:
    """Valid by check, at least greedy's coverage, its bound no lower than its coverage."""
    plan = solve(problem, workers=1)
    broken, values = check_plan(problem, plan)
    assert broken == []
    assert plan.objective.coverage >= greedy(problem).objective.coverage
    assert plan.bound.coverage >= values.coverage
    assert plan.status in ("optimal", "feasible")


@settled(40)
@given(small_problems())
def test_reasons_agree_with_eligibility(problem) -> None:
    """Each uncovered need's reason is what check's view of eligibility says it is."""
    plan = solve(problem, workers=1)
    index = EligibilityIndex(problem)
    for gap in plan.uncovered:
        c = problem.case_index[gap.case]
        assert gap.reason == uncovered_reason(problem, index, c, gap.need)
        assert bool(index.of(c, gap.need)) == (gap.reason == "capacity")


@settled(30)
@given(small_problems(most_staff=4, most_cases=5))
def test_every_remedy_is_true(problem) -> None:
    """Adding a remedy's person and solving again raises coverage by the need's weight, at
    least: whether the need was out of reach, excluded, or its people full or away."""
    plan = solve(problem, workers=1)
    assert plan.status == "optimal"
    for number, gap in enumerate(plan.uncovered):
        again = solve(with_remedy(problem, gap.remedy.add_staff, f"REMEDY{number}"), workers=1)
        assert again.status == "optimal"
        weight = problem.policy.risk_weights[gap.risk]
        assert again.objective.coverage >= plan.objective.coverage + weight
