"""The solve as a whole: determinism, both solvers, time limits, workers and every path."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import optimisation.optimiser as solve_module
from optimisation.baseline import greedy
from optimisation.check import check_plan
from optimisation.formats import plan_to_dict, problem_to_dict
from optimisation.optimiser import solve
from optimisation.parts import split
from optimisation.synthetic import generate

from .builders import index_and_pins

# Solve a problem file in a process of its own and print the plan, less its seconds; every part
# goes to a worker process when there are workers.
SOLVE_IN_A_PROCESS = """
import json, sys
import optimisation.optimiser as optimiser
from optimisation import plan_to_dict, problem_from_json
optimiser.POOL_LIMIT = 0
with open(sys.argv[1], encoding="utf-8") as problem:
    plan = plan_to_dict(optimiser.solve(problem_from_json(problem.read()), workers=int(sys.argv[2])))
plan.pop("seconds")
print(json.dumps(plan, indent=1, sort_keys=True))
"""


def solved_elsewhere(path: Path, hash_seed: str, workers: int) -> bytes:
    """The plan of a problem file, solved in a fresh interpreter with its own hash seed."""
    result = subprocess.run(
        [sys.executable, "-c", SOLVE_IN_A_PROCESS, str(path), str(workers)],
        capture_output=True,
        check=True,
        timeout=300,
        env={**os.environ, "PYTHONHASHSEED": hash_seed},
    )
    return result.stdout


def test_the_same_problem_gives_the_same_plan_in_any_process(tmp_path: Path) -> None:
    """Byte for byte, apart from the seconds: two interpreters with different hash seeds (so
    sets and dicts of strings iterate differently), one solving alone, one with two workers;
    a part too large to solve exactly among the parts, so the search and local search run."""
    example = generate(320, 70, seed=9)
    assert max(len(part.needs) for part in split(example, *index_and_pins(example))) > 200
    path = tmp_path / "problem.json"
    path.write_text(json.dumps(problem_to_dict(example)), encoding="utf-8")
    here = solved_elsewhere(path, "1", workers=1)
    assert json.loads(here)["assignments"]
    assert solved_elsewhere(path, "2", workers=2) == here


@pytest.fixture(scope="module")
def small():
    """A small generated problem and its plan, solved once for the module's tests."""
    example = generate(30, 10, seed=5)
    return example, solve(example, workers=1)


@pytest.fixture(scope="module")
def medium():
    """A problem of a few parts, solved exactly once for the module's tests."""
    example = generate(60, 15, seed=12)
    return example, solve(example, workers=1)


def test_highs_and_cbc_agree_on_a_small_problem(small) -> None:
    """Both solvers prove the same optimal values."""
    example, by_highs = small
    by_cbc = solve(example, solver="cbc", workers=1)
    assert by_highs.status == by_cbc.status == "optimal"
    assert by_cbc.solver == "cbc" and check_plan(example, by_cbc)[0] == []
    assert by_highs.objective == by_cbc.objective


def test_a_time_limit_gives_a_feasible_plan_with_an_honest_bound(small) -> None:
    """Stopped early: status feasible, and a bound no lower than the proven optimum."""
    example, full = small
    assert full.status == "optimal"
    hurried = solve(example, time_limit=0.05, workers=1)
    assert hurried.status == "feasible"
    assert check_plan(example, hurried)[0] == []
    assert hurried.bound.coverage >= full.objective.coverage >= hurried.objective.coverage
    assert hurried.objective.coverage >= greedy(example).objective.coverage


def test_the_large_part_path(medium, monkeypatch: pytest.MonkeyPatch) -> None:
    """Coverage and holders searched together, named need by need, then local search: a valid
    plan, never below greedy, with a bound at least the true optimum, never said optimal."""
    example, exact = medium
    assert exact.status == "optimal"
    monkeypatch.setattr(solve_module, "EXACT_NEEDS", 0)
    plan = solve(example, workers=1)
    assert check_plan(example, plan)[0] == []
    assert greedy(example).objective.coverage <= plan.objective.coverage
    assert plan.bound.coverage >= exact.objective.coverage
    # The root's bound: loose on parts this small (a few per cent), not on the national ones.
    assert plan.bound.coverage - plan.objective.coverage <= 0.03 * plan.bound.coverage
    assert plan.status == "feasible"


def test_local_search_alone_never_loses_to_greedy(medium, monkeypatch: pytest.MonkeyPatch) -> None:
    """Parts too big to search: from the LP rounded and filled, or greedy if better, with a
    valid LP bound."""
    example, exact = medium
    monkeypatch.setattr(solve_module, "EXACT_NEEDS", 0)
    monkeypatch.setattr(solve_module, "SEARCH_LIMIT", 0)
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
