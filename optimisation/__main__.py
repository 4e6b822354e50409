"""Command line: `python -m optimisation solve|check|greedy|generate` (see --help)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from optimisation.baseline import greedy
from optimisation.check import check_plan
from optimisation.formats import plan_from_json, plan_to_dict, problem_from_json, problem_to_dict
from optimisation.optimiser import solve
from optimisation.problem import Plan, Problem, ProblemError
from optimisation.solvers import SOLVERS
from optimisation.synthetic import generate

T = TypeVar("T")


class InputError(Exception):
    """Input a person must fix: one readable line per problem."""

    def __init__(self, lines: list[str]) -> None:
        """Keep the lines to print."""
        super().__init__("\n".join(lines))
        self.lines = lines


def _read(path: str, parse: Callable[[str], T]) -> T:
    """Read and validate a JSON file, naming the file in every problem found."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError([f"{path}: no such file"]) from None
    except (OSError, UnicodeDecodeError) as error:
        raise InputError([f"{path}: cannot be read ({error})"]) from None
    try:
        return parse(text)
    except ProblemError as error:
        raise InputError([f"{path}: {problem}" for problem in error.problems]) from None


def _write(data: dict, output: str | None) -> None:
    """Write JSON to a file, or to standard output."""
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


def _summary(plan: Plan) -> str:
    """One line saying how a plan came out."""
    if plan.status == "error":
        return f"error: {plan.message}"
    return (
        f"{plan.status}: coverage {plan.objective.coverage:.10g} of a proven "
        f"{plan.bound.coverage:.10g}, continuity {plan.objective.continuity}, overload "
        f"{plan.objective.overload_hours:g} h, {len(plan.uncovered)} needs uncovered, "
        f"{plan.seconds:g} s"
    )


def _solve(args: argparse.Namespace) -> int:
    """Solve a problem and write its plan."""
    problem: Problem = _read(args.problem, problem_from_json)
    plan = solve(problem, solver=args.solver, time_limit=args.time_limit, workers=args.workers)
    _write(plan_to_dict(plan), args.output)
    print(_summary(plan), file=sys.stderr)
    return 1 if plan.status == "error" else 0


def _greedy(args: argparse.Namespace) -> int:
    """Make greedy's plan for a problem and write it."""
    problem: Problem = _read(args.problem, problem_from_json)
    plan = greedy(problem)
    _write(plan_to_dict(plan), args.output)
    print(_summary(plan), file=sys.stderr)
    return 0


def _check(args: argparse.Namespace) -> int:
    """List every rule a plan breaks, and its objective values recomputed from scratch."""
    problem: Problem = _read(args.problem, problem_from_json)
    plan: Plan = _read(args.plan, plan_from_json)
    broken, values = check_plan(problem, plan)
    for line in broken:
        print(line)
    print(f"{len(broken)} broken rules" if broken else "no broken rules")
    print(
        f"coverage {values.coverage:g}, continuity {values.continuity}, "
        f"overload {values.overload:g} h, highest Workload % "
        f"{values.highest_workload * 100:.1f}"
    )
    return 1 if broken else 0


def _generate(args: argparse.Namespace) -> int:
    """Write a synthetic problem."""
    problem = generate(args.cases, args.staff, shortfall=args.shortfall, seed=args.seed)
    _write(problem_to_dict(problem), args.output)
    return 0


def _count(text: str) -> int:
    """A whole number of at least 0, for argparse."""
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def _share(text: str) -> float:
    """A shortfall from 0 up to (not including) 1, for argparse."""
    value = float(text)
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError("must be from 0 up to 1, like 0.25")
    return value


def _seconds(text: str) -> float:
    """A time limit above 0 seconds, for argparse."""
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError("must be more than 0 seconds")
    return value


def parser() -> argparse.ArgumentParser:
    """The command-line parser."""
    main = argparse.ArgumentParser(
        prog="python -m optimisation", description="Allocate a week's caseload under shortfall."
    )
    commands = main.add_subparsers(dest="command", required=True)
    solving = commands.add_parser("solve", help="solve a problem: write the optimal plan")
    solving.add_argument("problem", help="problem JSON (caseload-problem/1)")
    solving.add_argument("-o", "--output", help="plan JSON to write (default: standard output)")
    solving.add_argument("--solver", choices=SOLVERS, default="highs")
    solving.add_argument("--time-limit", type=_seconds, help="seconds (default: the policy's)")
    solving.add_argument("--workers", type=_count, help="worker processes (default: cores)")
    solving.set_defaults(run=_solve)
    checking = commands.add_parser("check", help="list every rule a plan breaks")
    checking.add_argument("problem", help="problem JSON")
    checking.add_argument("plan", help="plan JSON (caseload-plan/1)")
    checking.set_defaults(run=_check)
    greedy_plan = commands.add_parser("greedy", help="the by-hand baseline plan")
    greedy_plan.add_argument("problem", help="problem JSON")
    greedy_plan.add_argument("-o", "--output", help="plan JSON to write (default: stdout)")
    greedy_plan.set_defaults(run=_greedy)
    generating = commands.add_parser("generate", help="write a synthetic problem")
    generating.add_argument("--cases", type=_count, required=True)
    generating.add_argument("--staff", type=_count, required=True)
    generating.add_argument("--shortfall", type=_share, default=0.25)
    generating.add_argument("--seed", type=int, default=0)
    generating.add_argument("-o", "--output", help="problem JSON to write (default: stdout)")
    generating.set_defaults(run=_generate)
    return main


def main(argv: list[str] | None = None) -> int:
    """Run a command; invalid input exits with status 2 and one line per problem."""
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except InputError as error:
        for line in error.lines:
            print(line, file=sys.stderr)
        return 2
    except OSError as error:
        where = getattr(error, "filename", None) or "output"
        print(f"{where}: cannot be written ({error.strerror})", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
