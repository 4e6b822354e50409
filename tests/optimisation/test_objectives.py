"""The four objective tiers, in strict order: no lower tier ever trades away a higher one."""

from __future__ import annotations

from optimisation.baseline import greedy

from .builders import case, filled, need, person, problem, solved


def test_the_greedy_trap() -> None:
    """Greedy gives the first very-high need to the least-loaded person, who alone could
    take the second; the optimiser covers both."""
    example = problem(
        [person("S1"), person("S2")],
        [
            case("C1", need(hours=6), risk="very_high"),
            case("C2", need(hours=12), risk="very_high", excluded_staff=("S2",)),
        ],
    )
    by_hand = greedy(example)
    assert by_hand.objective.coverage == 1000
    assert by_hand.uncovered[0].case == "C2"
    plan = solved(example)
    assert plan.objective.coverage == 2000
    assert filled(plan) == {("C1", 0): "S2", ("C2", 0): "S1"}
    assert (plan.status, plan.bound.coverage) == ("optimal", 2000)


def test_coverage_is_weighted_by_risk() -> None:
    """With room for one, the very-high need beats two medium ones."""
    example = problem(
        [person("S1", available_hours=5)],
        [
            case("C1", need(hours=3), risk="medium"),
            case("C2", need(hours=3), risk="medium"),
            case("C3", need(hours=6), risk="very_high"),
        ],
    )
    assert filled(solved(example)) == {("C3", 0): "S1"}


def test_continuity_never_costs_coverage() -> None:
    """Keeping C1 with its current holder would leave C2 uncovered: coverage wins."""
    example = problem(
        [person("S1"), person("S2")],
        [
            case("C1", need(hours=6, current="S1")),
            case("C2", need(hours=12), excluded_staff=("S2",)),
        ],
    )
    plan = solved(example)
    assert plan.objective.coverage == 200 and plan.objective.continuity == 0


def test_continuity_keeps_the_current_holder() -> None:
    """All else equal, the need stays with the person who holds it now."""
    example = problem([person("S1"), person("S2")], [case("C1", need(current="S2"))])
    plan = solved(example)
    assert filled(plan) == {("C1", 0): "S2"}
    assert plan.assignments[0].continuity and plan.objective.continuity == 1


def test_continuity_beats_overload() -> None:
    """Keeping the holder overloads them by 2 hours; moving would not. Continuity wins."""
    example = problem(
        [person("S1", committed_hours=6), person("S2")], [case("C1", need(hours=6, current="S1"))]
    )
    plan = solved(example)
    assert filled(plan) == {("C1", 0): "S1"}
    assert plan.objective.overload_hours == 2


def test_overload_is_kept_down() -> None:
    """Two needs, two people: no one is pushed over 100 % when they need not be."""
    example = problem(
        [person("S1"), person("S2")], [case("C1", need(hours=6)), case("C2", need(hours=6))]
    )
    plan = solved(example)
    assert sorted(filled(plan).values()) == ["S1", "S2"]
    assert plan.objective.overload_hours == 0


def test_overload_beats_balance() -> None:
    """S1 would end at 112.5 % (0.5 h over); S2 at 100.8 % (0.8 h over). Fewer hours over
    wins, though the highest Workload % is then higher."""
    example = problem(
        [
            person("S1", available_hours=4, committed_hours=3.5),
            person("S2", available_hours=100, committed_hours=99.8),
        ],
        [case("C1", need(hours=1))],
    )
    plan = solved(example)
    assert filled(plan) == {("C1", 0): "S1"}
    assert plan.objective.overload_hours == 0.5


def test_balance_lowers_the_highest_workload() -> None:
    """With hours to spare, the need goes where the highest Workload % stays lowest."""
    example = problem(
        [person("S1", committed_hours=5), person("S2", committed_hours=2)],
        [case("C1", need(hours=2))],
    )
    assert filled(solved(example)) == {("C1", 0): "S2"}


def test_all_tiers_are_proven_on_a_small_problem() -> None:
    """A small problem is solved to a proven optimum: bound equals coverage."""
    from optimisation.synthetic import generate

    example = generate(30, 10, seed=5)
    plan = solved(example)
    assert plan.status == "optimal" and plan.bound.coverage == plan.objective.coverage
    assert plan.objective.coverage >= greedy(example).objective.coverage
