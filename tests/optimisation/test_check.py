"""The checker recomputes, from scratch, every rule a plan breaks and its objective values."""

from __future__ import annotations

from dataclasses import replace

from optimisation.baseline import greedy
from optimisation.check import check_plan
from optimisation.optimiser import solve
from optimisation.problem import Assignment, Objective

from .builders import case, need, person, problem

EXAMPLE = problem(
    [person("S1"), person("S2", vetting="CTC", max_cases=1), person("S3", available_hours=0)],
    [
        case("C1", need(hours=4, vetting="SC", current="S1"), need(hours=2)),
        case("C2", need(hours=5, pinned="S3")),
        case("C3", need(hours=1)),
    ],
)


def broken_after(change) -> list[str]:
    """What check reports once `change` has tampered with a valid plan."""
    plan = solve(EXAMPLE, workers=1)
    assert check_plan(EXAMPLE, plan)[0] == []
    return check_plan(EXAMPLE, change(plan))[0]


def with_assignments(plan, *extra: Assignment, keep=lambda a: True):
    """The plan with some assignments dropped and others added (uncovered left as it was)."""
    return replace(plan, assignments=tuple(a for a in plan.assignments if keep(a)) + extra)


def test_an_ineligible_assignment_is_reported_with_the_reason() -> None:
    """Rule 1: S2 is vetted CTC, below the SC the need asks for."""
    broken = broken_after(
        lambda p: with_assignments(
            p,
            Assignment("C1", 0, "S2", 4, False, False),
            keep=lambda a: (a.case, a.need) != ("C1", 0),
        )
    )
    assert "assignment C1 need 0 to S2: not eligible (rule 1): vetting CTC is below SC" in broken


def test_a_need_filled_twice_is_reported() -> None:
    """Rule 1: at most one person per need."""
    broken = broken_after(lambda p: with_assignments(p, replace(p.assignments[0], staff="S2")))
    assert any("already filled (rule 1" in line for line in broken)


def test_one_person_on_two_needs_of_a_case_is_reported() -> None:
    """Rule 2."""
    broken = broken_after(
        lambda p: with_assignments(
            p,
            Assignment("C1", 0, "S1", 4, True, False),
            Assignment("C1", 1, "S1", 2, False, False),
            keep=lambda a: a.case != "C1",
        )
    )
    assert "S1 fills needs 0 and 1 of C1 (rule 2: one need of a case each)" in broken


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


def test_cases_above_the_limit_are_reported() -> None:
    """Rule 4: S2 may hold one case."""
    broken = broken_after(
        lambda p: with_assignments(
            p,
            Assignment("C1", 1, "S2", 2, False, False),
            Assignment("C3", 0, "S2", 1, False, False),
            keep=lambda a: (a.case, a.need) not in (("C1", 1), ("C3", 0)),
        )
    )
    assert any(
        line.startswith("S2: ") and line.endswith("cases, above the limit 1 (rule 4)")
        for line in broken
    )


def test_an_unreported_broken_pin_is_reported() -> None:
    """Rule 5: S3 is on leave, so the pin breaks, and the plan must say so."""
    broken = broken_after(lambda p: replace(p, warnings=()))
    assert "C2 need 0: pin cannot be kept but no warning says so (rule 5)" in broken


def test_a_hidden_gap_is_reported() -> None:
    """Every unfilled need must be listed as uncovered: nothing is hidden."""
    broken = broken_after(lambda p: replace(p, uncovered=p.uncovered[1:]))
    assert any("unfilled but not listed as uncovered" in line for line in broken)


def test_wrong_objective_values_are_reported() -> None:
    """The values a plan states are recomputed."""
    broken = broken_after(lambda p: replace(p, objective=Objective(1.0, 9, 0.0)))
    assert any(line.startswith("objective.coverage: plan says 1") for line in broken)
    assert any(line.startswith("objective.continuity: plan says 9") for line in broken)


def test_a_bound_below_coverage_is_reported() -> None:
    """A bound cannot be less than what the plan achieves."""
    broken = broken_after(lambda p: replace(p, bound=replace(p.bound, coverage=0.0)))
    assert "bound.coverage 0 is below the coverage achieved 300" in broken


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
