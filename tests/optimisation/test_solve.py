"""The solve as a whole: determinism, both solvers, time limits, workers and every path."""

from __future__ import annotations

import pytest

import optimisation.optimiser as solve_module
from optimisation.baseline import greedy
from optimisation.check import check_plan
from optimisation.formats import plan_to_dict
from optimisation.optimiser import solve
from optimisation.synthetic import generate

from .builders import index_and_pins


def without_seconds(plan) -> dict:
    """A plan as JSON data, less the time it took."""
    data = plan_to_dict(plan)
    data.pop("seconds")
    return data


def test_the_same_problem_gives_the_same_plan() -> None:
    """Byte for byte, apart from the seconds."""
    example = generate(40, 12, seed=9)
    assert without_seconds(solve(example, workers=1)) == without_seconds(solve(example, workers=1))


def test_worker_processes_give_the_same_plan(monkeypatch: pytest.MonkeyPatch) -> None:
    """Parts solved in worker processes come back exactly as solved here."""
    example = generate(60, 20, seed=8)
    here = solve(example, workers=1)
    monkeypatch.setattr(solve_module, "POOL_LIMIT", 0)
    assert without_seconds(solve(example, workers=2)) == without_seconds(here)
    assert check_plan(example, here)[0] == []


def test_highs_and_cbc_agree_on_a_small_problem() -> None:
    """Both solvers prove the same optimal values."""
    example = generate(30, 10, seed=6)
    by_highs = solve(example, solver="highs", workers=1)
    by_cbc = solve(example, solver="cbc", workers=1)
    assert by_highs.status == by_cbc.status == "optimal"
    assert by_cbc.solver == "cbc" and check_plan(example, by_cbc)[0] == []
    assert by_highs.objective == by_cbc.objective


def test_a_time_limit_gives_a_feasible_plan_with_an_honest_bound() -> None:
    """Stopped early: status feasible, and a bound no lower than the proven optimum."""
    example = generate(30, 10, seed=5)
    full = solve(example, workers=1)
    assert full.status == "optimal"
    hurried = solve(example, time_limit=0.05, workers=1)
    assert hurried.status == "feasible"
    assert check_plan(example, hurried)[0] == []
    assert hurried.bound.coverage >= full.objective.coverage >= hurried.objective.coverage
    assert hurried.bound.coverage > hurried.objective.coverage
    assert hurried.objective.coverage >= greedy(example).objective.coverage


def test_the_large_part_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """Coverage and continuity in one model, named need by need, then local search: a valid
    plan, never below greedy, with a bound at least the true optimum."""
    example = generate(60, 15, seed=12)
    exact = solve(example, workers=1)
    monkeypatch.setattr(solve_module, "EXACT_NEEDS", 0)
    plan = solve(example, workers=1)
    assert check_plan(example, plan)[0] == []
    assert greedy(example).objective.coverage <= plan.objective.coverage
    assert plan.bound.coverage >= exact.objective.coverage
    assert plan.bound.coverage - plan.objective.coverage <= 0.005 * plan.bound.coverage


def test_local_search_alone_never_loses_to_greedy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Parts too big for any model: improved from greedy's plan, with a valid LP bound."""
    example = generate(60, 15, seed=13)
    exact = solve(example, workers=1)
    monkeypatch.setattr(solve_module, "RELAXED_LIMIT", 0)
    plan = solve(example, workers=1)
    assert check_plan(example, plan)[0] == []
    assert greedy(example).objective.coverage <= plan.objective.coverage
    assert plan.bound.coverage >= exact.objective.coverage


def test_an_unavailable_solver_gives_an_error_plan(monkeypatch: pytest.MonkeyPatch) -> None:
    """Status error, with a message, rather than an exception."""
    monkeypatch.setattr(solve_module, "available", lambda solver: False)
    plan = solve(generate(5, 2, seed=1), solver="cbc")
    assert (plan.status, plan.message) == ("error", "solver cbc is not available here")
    assert "message" in plan_to_dict(plan)


def test_an_unknown_solver_is_a_programming_error() -> None:
    """Only highs and cbc exist."""
    with pytest.raises(ValueError, match="solver must be one of highs, cbc"):
        solve(generate(5, 2, seed=1), solver="gurobi")


def test_a_failure_inside_a_part_keeps_greedy_plan(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever goes wrong inside, the solve returns a valid plan and says what happened."""

    def broken(task):
        """A part solve that fails."""
        raise RuntimeError("boom")

    monkeypatch.setattr(solve_module, "solve_part", broken)
    example = generate(20, 6, seed=2)
    plan = solve(example, workers=1)
    assert check_plan(example, plan)[0] == []
    assert plan.objective.coverage == greedy(example).objective.coverage
    assert any("the solve failed (RuntimeError: boom)" in w for w in plan.warnings)


def test_the_watchdog_ends_workers_that_overrun() -> None:
    """Past the deadline (and its grace), a worker's part keeps its fallback answer."""
    import time

    from optimisation.parts import split
    from optimisation.workers import GRACE, run_tasks

    example = generate(60, 20, seed=8)
    tasks = [
        solve_module.PartTask(part, tuple(-1 for _ in part.needs), "highs", 0.0)
        for part in split(example, *index_and_pins(example))
    ]
    started = time.time()
    answers = run_tasks(tasks, lambda task, why: why, 2, time.time() - GRACE)
    assert answers == ["time limit"] * len(tasks)
    assert time.time() - started < 10
