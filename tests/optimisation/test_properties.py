"""Properties over many generated problems: valid, never below greedy, honest, remedies true."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from optimisation.baseline import greedy
from optimisation.check import check_plan, uncovered_reason
from optimisation.eligibility import EligibilityIndex
from optimisation.optimiser import solve

from .builders import problems, with_remedy

SMALL = settings(
    max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)


@SMALL
@given(problems)
def test_every_plan_passes_check_and_beats_greedy(problem) -> None:
    """Valid by check, at least greedy's coverage, its bound no lower than its coverage."""
    plan = solve(problem, workers=1)
    broken, values = check_plan(problem, plan)
    assert broken == []
    assert plan.objective.coverage >= greedy(problem).objective.coverage
    assert plan.bound.coverage >= values.coverage
    assert plan.status in ("optimal", "feasible")


@SMALL
@given(problems)
def test_reasons_agree_with_eligibility(problem) -> None:
    """Each uncovered need's reason is what check's view of eligibility says it is."""
    plan = solve(problem, workers=1)
    index = EligibilityIndex(problem)
    position = {case.id: c for c, case in enumerate(problem.cases)}
    for gap in plan.uncovered:
        assert gap.reason == uncovered_reason(problem, index, position[gap.case], gap.need)
        if gap.reason == "capacity":
            assert index.of(position[gap.case], gap.need)
        else:
            assert not index.of(position[gap.case], gap.need)


@settings(
    max_examples=15, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(problems)
def test_every_remedy_is_true(problem) -> None:
    """Adding a remedy's person and solving again raises coverage by the need's weight."""
    plan = solve(problem, workers=1)
    assert plan.status == "optimal"
    weights = problem.policy.risk_weights
    for number, gap in enumerate(plan.uncovered):
        again = solve(with_remedy(problem, gap.remedy.add_staff, f"REMEDY{number}"), workers=1)
        assert again.objective.coverage >= plan.objective.coverage + weights[gap.risk]
