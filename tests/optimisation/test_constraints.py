"""Each constraint of docs/PLAN-FORMAT.md, on problems small enough to check by hand."""

from __future__ import annotations

from .builders import case, filled, need, person, problem, solved


def test_a_need_is_filled_once_and_only_by_an_eligible_person() -> None:
    """Rule 1: the one eligible person fills the need; the ineligible one never does."""
    plan = solved(
        problem([person("S1", grade="PSO"), person("S2")], [case("C1", need(min_grade="PO"))])
    )
    assert filled(plan) == {("C1", 0): "S2"}


def test_a_co_worker_is_a_different_person() -> None:
    """Rule 2: two needs of one case go to two people."""
    plan = solved(
        problem(
            [person("S1"), person("S2")],
            [case("C1", need(hours=3), need(hours=2), risk="very_high")],
        )
    )
    assert sorted(filled(plan).values()) == ["S1", "S2"]


def test_with_one_eligible_person_the_co_worker_stays_uncovered() -> None:
    """Rule 2: one person cannot be lead and co-worker; the gap says why."""
    plan = solved(
        problem([person("S1", available_hours=30)], [case("C1", need(hours=3), need(hours=2))])
    )
    assert list(filled(plan).values()) == ["S1"]
    (gap,) = plan.uncovered
    assert gap.reason == "capacity"
    assert "S1 already holds another need of this case" in gap.detail


def test_load_stays_within_the_hard_capacity() -> None:
    """Rule 3: 10 available hours at 120 % hold two 5-hour needs, not three."""
    plan = solved(problem([person("S1")], [case(f"C{i}") for i in range(3)]))
    assert len(plan.assignments) == 2
    assert plan.staff_load[0].planned_hours == 10 and plan.staff_load[0].workload == 1.0


def test_cases_stay_within_the_case_limit() -> None:
    """Rule 4: a person with max_cases 1 holds one case, however many hours they have."""
    plan = solved(
        problem(
            [person("S1", available_hours=40, max_cases=1)],
            [case("C1", need(hours=1)), case("C2", need(hours=1))],
        )
    )
    assert len(plan.assignments) == 1 and plan.staff_load[0].cases == 1


def test_people_on_leave_get_nothing() -> None:
    """Available 0: not eligible; the gap names hours available this week."""
    plan = solved(problem([person("S1", available_hours=0)], [case("C1")]))
    assert not plan.assignments
    (gap,) = plan.uncovered
    assert gap.reason == "no_eligible_staff"
    assert gap.detail == "1 probation staff in London; none with hours available this week"
    assert plan.staff_load[0].workload is None


def test_people_already_over_capacity_get_nothing_more() -> None:
    """Committed hours above the hard capacity leave no room for new work."""
    plan = solved(problem([person("S1", committed_hours=13)], [case("C1", need(hours=1))]))
    assert not plan.assignments
    assert plan.uncovered[0].reason == "capacity"
    assert "S1 has 0.0 of 12.0 h left" in plan.uncovered[0].detail
    assert plan.objective.overload_hours == 3


def test_a_pin_is_kept_even_above_the_load_limit() -> None:
    """Rule 5: the pinned person keeps the need, overloaded, and gets nothing else."""
    example = problem(
        [person("S1"), person("S2", available_hours=1)],
        [case("C1", need(hours=15, pinned="S1")), case("C2", need(hours=1))],
    )
    plan = solved(example)
    assert filled(plan) == {("C1", 0): "S1", ("C2", 0): "S2"}
    assert plan.assignments[0].pinned
    assert plan.staff_load[0].workload == 1.5
    assert plan.objective.overload_hours == 5


def test_a_pin_to_an_ineligible_person_is_reported_not_kept() -> None:
    """Rule 5: the pin breaks, the warning says why, and someone eligible fills the need."""
    example = problem(
        [person("S1", vetting="CTC"), person("S2", vetting="SC")],
        [case("C1", need(vetting="SC", pinned="S1"))],
    )
    plan = solved(example)
    assert filled(plan) == {("C1", 0): "S2"}
    assert plan.warnings == (
        "C1 need 0: pinned to S1, who is not eligible (vetting CTC is below SC): pin not kept",
    )


def test_two_needs_of_a_case_pinned_to_one_person_keep_one_pin() -> None:
    """Rule 2 beats a second pin; the warning says so."""
    example = problem(
        [person("S1"), person("S2")],
        [case("C1", need(hours=2, pinned="S1"), need(hours=2, pinned="S1"))],
    )
    plan = solved(example)
    assert filled(plan) == {("C1", 0): "S1", ("C1", 1): "S2"}
    assert "already pinned to need 0 of this case" in plan.warnings[0]


def test_a_prison_need_goes_only_to_its_own_site() -> None:
    """Same-site needs: a POM at another prison is not eligible."""
    example = problem(
        [
            person("S1", role="prison", site="HMP-BRIXTON"),
            person("S2", role="prison", site="HMP-BELMARSH"),
        ],
        [case("C1", need(role="prison", same_site=True), site="HMP-BELMARSH")],
    )
    assert filled(solved(example)) == {("C1", 0): "S2"}


def test_people_serve_only_their_own_region() -> None:
    """Region rule: a Welsh officer does not take a London case."""
    example = problem([person("S1", region="Wales")], [case("C1")])
    plan = solved(example)
    assert not plan.assignments
    assert plan.uncovered[0].detail == "no probation staff in London"


def test_the_grade_ladder_lets_seniors_fill_junior_needs() -> None:
    """A PSO need may go to an SPO; a PO need not to a PQiP."""
    example = problem(
        [person("S1", grade="PQiP"), person("S2", grade="SPO")], [case("C1", need(min_grade="PO"))]
    )
    assert filled(solved(example)) == {("C1", 0): "S2"}


def test_an_empty_problem_gives_an_empty_optimal_plan() -> None:
    """No cases, no staff: a valid plan, not an error."""
    plan = solved(problem([], []))
    assert (plan.status, plan.objective.coverage, plan.bound.coverage) == ("optimal", 0, 0)
