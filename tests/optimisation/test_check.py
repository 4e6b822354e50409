"""The checker recomputes, from scratch, every rule a plan breaks and its objective values."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

from optimisation.baseline import greedy
from optimisation.check import check_plan
from optimisation.optimiser import solve
from optimisation.problem import Assignment, Objective
from optimisation.report import build_plan

from .builders import case, index_and_pins, need, person, problem

EXAMPLE = problem(
    [person("S1"), person("S2", vetting="CTC", max_cases=1), person("S3", available_hours=0)],
    [
        case("C1", need(hours=4, vetting="SC", current="S1"), need(hours=2)),
        case("C2", need(hours=5, pinned="S3")),
        case("C3", need(hours=1)),
    ],
)


@pytest.fixture(scope="module")
def plan():
    """EXAMPLE's plan, solved once for the module: valid, as every test starts from it."""
    solved = solve(EXAMPLE, workers=1)
    assert check_plan(EXAMPLE, solved)[0] == []
    return solved


def broken_after(plan, change) -> list[str]:
    """What check reports once `change` has tampered with a valid plan."""
    return check_plan(EXAMPLE, change(plan))[0]


def with_assignments(plan, *extra: Assignment, keep=lambda a: True):
    """The plan with some assignments dropped and others added (uncovered left as it was)."""
    return replace(plan, assignments=tuple(a for a in plan.assignments if keep(a)) + extra)


def test_an_ineligible_assignment_is_reported_with_the_reason(plan) -> None:
    """Rule 1: S2 is vetted CTC, below the SC the need asks for."""
    broken = broken_after(
        plan,
        lambda p: with_assignments(
            p,
            Assignment("C1", 0, "S2", 4, False, False),
            keep=lambda a: (a.case, a.need) != ("C1", 0),
        ),
    )
    assert "assignment C1 need 0 to S2: not eligible (rule 1): vetting CTC is below SC" in broken


def test_a_need_filled_twice_is_reported(plan) -> None:
    """Rule 1: at most one person per need."""
    broken = broken_after(
        plan, lambda p: with_assignments(p, replace(p.assignments[0], staff="S2"))
    )
    assert any("already filled (rule 1" in line for line in broken)


def test_one_person_on_two_needs_of_a_case_is_reported(plan) -> None:
    """Rule 2."""
    broken = broken_after(
        plan,
        lambda p: with_assignments(
            p,
            Assignment("C1", 0, "S1", 4, True, False),
            Assignment("C1", 1, "S1", 2, False, False),
            keep=lambda a: a.case != "C1",
        ),
    )
    assert "S1 fills needs 0 and 1 of C1 (rule 2: one need of a case each)" in broken


def planned(example, filled: dict[tuple[str, int], str]):
    """A plan of `example` filling needs as given, written as the optimiser writes its own."""
    index, pins = index_and_pins(example)
    positions = {(example.case_index[c], n): example.staff_index[s] for (c, n), s in filled.items()}
    return build_plan(
        example,
        index,
        positions,
        solver="highs",
        bound=1e6,
        optimal=False,
        warnings=pins.warnings,
        started=time.perf_counter(),
    )


def test_load_above_the_limit_is_reported() -> None:
    """Rule 3: three 5-hour needs are above the 12 hours of 10 available at 120 %."""
    example = problem([person("S1"), person("S2")], [case(f"C{i}") for i in range(3)])
    plan = solve(example, workers=1)
    tampered = replace(
        plan,
        assignments=tuple(Assignment(f"C{i}", 0, "S1", 5, False, False) for i in range(3)),
        uncovered=(),
    )
    assert "S1: load 15 h is above the limit 12 h (rule 3)" in check_plan(example, tampered)[0]


def test_cases_above_the_limit_are_reported(plan) -> None:
    """Rule 4: S2 may hold one case."""
    broken = broken_after(
        plan,
        lambda p: with_assignments(
            p,
            Assignment("C1", 1, "S2", 2, False, False),
            Assignment("C3", 0, "S2", 1, False, False),
            keep=lambda a: (a.case, a.need) not in (("C1", 1), ("C3", 0)),
        ),
    )
    assert any(
        line.startswith("S2: ") and line.endswith("cases, above the limit 1 (rule 4)")
        for line in broken
    )


def test_an_unreported_broken_pin_is_reported(plan) -> None:
    """Rule 5: S3 is on leave, so the pin breaks, and the plan must say so."""
    broken = broken_after(plan, lambda p: replace(p, warnings=()))
    assert "C2 need 0: pin cannot be kept but no warning says so (rule 5)" in broken


def test_a_hidden_gap_is_reported(plan) -> None:
    """Every unfilled need must be listed as uncovered: nothing is hidden."""
    broken = broken_after(plan, lambda p: replace(p, uncovered=p.uncovered[1:]))
    assert any("unfilled but not listed as uncovered" in line for line in broken)


def test_wrong_objective_values_are_reported(plan) -> None:
    """The values a plan states are recomputed."""
    broken = broken_after(plan, lambda p: replace(p, objective=Objective(1.0, 9, 0.0)))
    assert any(line.startswith("objective.coverage: plan says 1") for line in broken)
    assert any(line.startswith("objective.continuity: plan says 9") for line in broken)


def test_a_bound_below_coverage_is_reported(plan) -> None:
    """A bound cannot be less than what the plan achieves."""
    broken = broken_after(plan, lambda p: replace(p, bound=replace(p.bound, coverage=0.0)))
    assert "bound.coverage 0 is below the coverage achieved 300" in broken


def test_an_optimal_plan_far_below_its_bound_is_reported(plan) -> None:
    """Optimal means within the relative gap of the bound: a bound far above says otherwise."""
    assert plan.status == "optimal"
    far = replace(plan.bound, coverage=plan.objective.coverage + 50)
    broken = broken_after(plan, lambda p: replace(p, bound=far))
    assert any(line.startswith("status optimal, but bound.coverage") for line in broken)


def test_a_safe_load_above_the_safe_limit_is_reported() -> None:
    """Rule 3: two medium needs of 6 hours fit the hard 15 h but not the safe 11 h."""
    example = problem(
        [person("S1"), person("S2")],
        [case("C1", need(hours=6), risk="medium"), case("C2", need(hours=6), risk="medium")],
        hard_capacity=1.5,
        safe_capacity=1.1,
        beyond_safe_risks=("very_high", "high"),
    )
    plan = planned(example, {("C1", 0): "S1", ("C2", 0): "S1"})
    assert check_plan(example, plan)[0] == [
        "S1: safe load 12 h (committed, and needs of risk medium, low) is above the safe limit "
        "11 h (rule 3)"
    ]


def test_high_risk_may_go_past_the_safe_limit() -> None:
    """The same hours of high-risk needs break nothing: only listed risks may go past."""
    example = problem(
        [person("S1"), person("S2")],
        [case("C1", need(hours=6)), case("C2", need(hours=6))],
        hard_capacity=1.5,
        safe_capacity=1.1,
        beyond_safe_risks=("very_high", "high"),
    )
    plan = planned(example, {("C1", 0): "S1", ("C2", 0): "S1"})
    assert check_plan(example, plan)[0] == []


def test_a_new_need_for_someone_taking_none_is_reported() -> None:
    """Rule 1: S1 takes no new needs; the need is neither theirs now nor pinned to them."""
    example = problem([person("S1", accepts_new_needs=False)], [case("C1")])
    plan = planned(example, {("C1", 0): "S1"})
    assert check_plan(example, plan)[0] == [
        "assignment C1 need 0 to S1: not eligible (rule 1): takes no new needs (away for much "
        "of the horizon)"
    ]


def test_a_limit_pins_exceed_admits_nothing_more() -> None:
    """Rule 5: S1's pin is above the hard limit, so even a need of no hours breaks it."""
    example = problem(
        [person("S1")],
        [case("C1", need(hours=13, pinned="S1")), case("C2", need(hours=0))],
    )
    plan = planned(example, {("C1", 0): "S1", ("C2", 0): "S1"})
    assert check_plan(example, plan)[0] == ["S1: load 13 h is above the limit 12 h (rule 3)"]


def test_check_recomputes_the_objective_values() -> None:
    """Greedy's plan is valid, and its values are what check recomputes."""
    plan = greedy(EXAMPLE)
    broken, values = check_plan(EXAMPLE, plan)
    assert broken == []
    assert (values.coverage, values.continuity, values.overload) == (
        plan.objective.coverage,
        plan.objective.continuity,
        plan.objective.overload_hours,
    )
