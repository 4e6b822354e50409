"""`python -m optimisation`: exit codes 0, 1 and 2, readable messages, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from optimisation.formats import plan_to_dict, problem_to_dict
from optimisation.optimiser import solve

from .builders import case, need, person, problem


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the command line in a child process, as a person would."""
    return subprocess.run(
        [sys.executable, "-m", "optimisation", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with a small generated problem in it."""
    path = tmp_path_factory.mktemp("cli")
    result = run(
        "generate", "--cases", "25", "--staff", "8", "--seed", "3", "-o", "problem.json", cwd=path
    )
    assert result.returncode == 0, result.stderr
    return path


def test_generate_writes_a_problem(folder: Path) -> None:
    """The generated file is a caseload-problem/1."""
    data = json.loads((folder / "problem.json").read_text())
    assert data["format"] == "caseload-problem/1" and len(data["cases"]) == 25


def test_solve_then_check(folder: Path) -> None:
    """A solved plan checks clean (exit 0) and check prints the recomputed values."""
    solved = run("solve", "problem.json", "-o", "plan.json", cwd=folder)
    assert solved.returncode == 0, solved.stderr
    assert solved.stderr.startswith("optimal: coverage ")
    checked = run("check", "problem.json", "plan.json", cwd=folder)
    assert checked.returncode == 0
    assert checked.stdout.startswith("no broken rules\ncoverage ")


def test_solve_writes_the_plan_to_standard_output(folder: Path) -> None:
    """Without -o the plan is the only thing on standard output (no solver banner)."""
    solved = run("solve", "problem.json", "--solver", "cbc", "--time-limit", "5", cwd=folder)
    assert solved.returncode == 0, solved.stderr
    assert json.loads(solved.stdout)["solver"] == "cbc"


def test_greedy_writes_a_plan(folder: Path) -> None:
    """The by-hand baseline, as a plan that checks clean."""
    result = run("greedy", "problem.json", "-o", "greedy.json", cwd=folder)
    assert result.returncode == 0, result.stderr
    assert json.loads((folder / "greedy.json").read_text())["solver"] == "greedy"
    assert run("check", "problem.json", "greedy.json", cwd=folder).returncode == 0


def test_check_lists_broken_rules_and_exits_1(folder: Path) -> None:
    """A tampered plan: every broken rule listed, exit status 1."""
    plan = json.loads(run("greedy", "problem.json", cwd=folder).stdout)
    plan["assignments"][0]["staff"] = plan["assignments"][1]["staff"]
    plan["objective"]["coverage"] += 1
    (folder / "bad-plan.json").write_text(json.dumps(plan))
    result = run("check", "problem.json", "bad-plan.json", cwd=folder)
    assert result.returncode == 1
    assert "objective.coverage: plan says" in result.stdout
    assert "broken rules\ncoverage " in result.stdout


def test_invalid_input_exits_2_with_one_line_per_problem(folder: Path) -> None:
    """Unknown grade, negative hours, unknown person: each named, no traceback."""
    data = json.loads((folder / "problem.json").read_text())
    data["staff"][2]["grade"] = "XX"
    data["cases"][3]["needs"][0]["hours"] = -1
    data["cases"][0]["excluded_staff"] = ["NOBODY"]
    (folder / "bad.json").write_text(json.dumps(data))
    result = run("solve", "bad.json", cwd=folder)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "bad.json: staff[2].grade: unknown grade 'XX' (expected one of PSO, PQiP, PO, SPO)",
        "bad.json: cases[3].needs[0].hours: must be ≥ 0",
        "bad.json: cases[0].excluded_staff[0]: unknown staff 'NOBODY'",
    ]
    assert result.stdout == ""


@pytest.mark.parametrize("text", ['{"format": ', "[1, 2]", ""])
def test_bad_json_exits_2(folder: Path, text: str) -> None:
    """Broken or wrong-shaped JSON is one readable line."""
    (folder / "broken.json").write_text(text)
    result = run("greedy", "broken.json", cwd=folder)
    assert result.returncode == 2
    assert result.stderr.startswith("broken.json: ") and "Traceback" not in result.stderr


def test_a_missing_file_exits_2(folder: Path) -> None:
    """A file that is not there is said so."""
    result = run("check", "problem.json", "missing.json", cwd=folder)
    assert (result.returncode, result.stderr) == (2, "missing.json: no such file\n")


def test_bad_arguments_exit_2(folder: Path) -> None:
    """An unknown solver or a shortfall of 1.5 is refused by the argument parser."""
    assert run("solve", "problem.json", "--solver", "gurobi", cwd=folder).returncode == 2
    result = run("generate", "--cases", "3", "--staff", "1", "--shortfall", "1.5", cwd=folder)
    assert result.returncode == 2 and "must be from 0 up to 1" in result.stderr


def test_check_catches_the_safe_load_and_people_taking_no_new_needs(tmp_path: Path) -> None:
    """A plan putting two medium needs past S1's safe workload and a new need on S2, who takes
    none: check names both rules, and exits 1."""
    example = problem(
        [person("S1"), person("S2", accepts_new_needs=False)],
        [
            case("C1", need(hours=6), risk="medium"),
            case("C2", need(hours=6), risk="medium"),
            case("C3", need(hours=2), risk="low"),
        ],
        hard_capacity=1.5,
        safe_capacity=1.1,
        beyond_safe_risks=("very_high", "high"),
    )
    plan = plan_to_dict(solve(example, workers=1))
    assert not any(a["staff"] == "S2" for a in plan["assignments"])
    plan["assignments"] = [
        {"case": c, "need": 0, "staff": s, "hours": h, "continuity": False, "pinned": False}
        for c, s, h in (("C1", "S1", 6.0), ("C2", "S1", 6.0), ("C3", "S2", 2.0))
    ]
    (tmp_path / "problem.json").write_text(json.dumps(problem_to_dict(example)))
    (tmp_path / "plan.json").write_text(json.dumps(plan))
    result = run("check", "problem.json", "plan.json", cwd=tmp_path)
    assert result.returncode == 1
    assert "S1: safe load 12 h (committed, and needs of risk medium, low) is above the safe " in (
        result.stdout
    )
    assert "assignment C3 need 0 to S2: not eligible (rule 1): takes no new needs" in (
        result.stdout
    )
