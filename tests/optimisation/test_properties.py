"""Properties over many generated problems: valid, never below greedy, honest, remedies true."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optimisation.check import check_plan, uncovered_reason
from optimisation.eligibility import EligibilityIndex
from optimisation.generate import generate
from optimisation.greedy import greedy
from optimisation.problem import Staff
from optimisation.solve import solve

SMALL = settings(
    max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
problems = st.builds(
    lambda cases, staff, shortfall, seed: replace(
        generate(cases, staff, shortfall=shortfall, seed=seed),
        policy=replace(generate(0, 0).policy, relative_gap=0.0),
    ),
    cases=st.integers(3, 30),
    staff=st.integers(1, 10),
    shortfall=st.sampled_from([0.0, 0.25, 0.4]),
    seed=st.integers(0, 10_000),
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


def _with(problem, added, number: int):
    """The problem with the remedy's person added (new id, no committed hours, no limit)."""
    return replace(
        problem,
        staff=(
            *problem.staff,
            Staff(
                id=f"REMEDY{number}",
                role=added.role,
                grade=added.grade,
                site=added.site,
                region=added.region,
                available_hours=added.available_hours,
                vetting=added.vetting,
                skills=added.skills,
            ),
        ),
    )


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
        again = solve(_with(problem, gap.remedy.add_staff, number), workers=1)
        assert again.objective.coverage >= plan.objective.coverage + weights[gap.risk]
