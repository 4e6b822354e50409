"""Benchmark the optimiser at three generated scales and on the planner's two demo problems.

    .venv/bin/python benchmarks/optimiser.py [SCALE ...] [--demo-dir DIR] [--time-limit S]

SCALE is small, london, national, national-20k or national-50k (generated with fixed seeds,
under the planner's policy: safe capacity 1.1, only very high and high risk beyond it) or
london-demo or national-demo: problem files the planner wrote from its demo data, read from
DIR/london/problem.json and DIR/national/problem.json (DIR defaults to /tmp/demo-problems; a
demo scale whose file is missing is skipped, saying so; one written before the safe workload
existed is given the planner's safe capacity and beyond-safe risks). With no SCALE, all but
the two largest.

For each scale it prints the seconds spent building (eligibility, pins, greedy's plan and the
split into parts) and solving (the whole `solve()` call, which builds and solves each part's
model, in worker processes when several parts are big), the peak memory of the process tree
(this process and its workers, sampled every 50 ms), the coverage, the proven bound, the gap,
greedy's coverage and very-high/high needs left uncovered beside the optimiser's, and
continuity: holders kept, moves (a need filled by someone other than its current holder) and
holders' needs left unfilled, for both, with the most holders any plan covering as much as
the optimiser's could keep (a bound proven part by part, see `continuity_bound`).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import pulp
from measure import PeakMemory

from optimisation.baseline import greedy, greedy_fill
from optimisation.eligibility import EligibilityIndex
from optimisation.formats import problem_from_dict
from optimisation.ledger import resolve_pins
from optimisation.model import AllocationModel
from optimisation.optimiser import SEARCH_LIMIT, solve
from optimisation.parts import Part, split, with_classes
from optimisation.problem import Plan, Problem
from optimisation.solvers import Limits, run
from optimisation.synthetic import generate

# name: (cases, staff, shortfall, seed)
SCALES = {
    "small": (50, 15, 0.25, 1),
    "london": (600, 150, 0.25, 1),
    "national": (5000, 900, 0.28, 1),
    "national-20k": (20000, 3600, 0.28, 1),
    "national-50k": (50000, 9000, 0.28, 1),
}
LARGEST = ("national-20k", "national-50k")  # run only when named
# What the planner sends, for a demo problem written before these fields existed.
SAFE_WORKLOAD = {"safe_capacity": 1.1, "beyond_safe_risks": ["very_high", "high"]}
DEMOS = {"london-demo": "london", "national-demo": "national"}
DEMO_DIR = Path("/tmp/demo-problems")
# Limits of each part's continuity-bound solve: any dual bound it reaches is valid.
BOUND_LIMITS = Limits(seconds=10.0, nodes=500, gap=0.0, absolute_gap=0.999)


def _serious(plan: Plan) -> str:
    """Very-high and high needs left uncovered."""
    very_high = sum(1 for gap in plan.uncovered if gap.risk == "very_high")
    high = sum(1 for gap in plan.uncovered if gap.risk == "high")
    return f"{very_high} very high, {high} high"


def holders(problem: Problem, plan: Plan) -> tuple[int, int, int]:
    """Needs with a current holder: kept by them, moved to someone else, left unfilled."""
    filled = {(a.case, a.need): a.staff for a in plan.assignments}
    kept = moved = dropped = 0
    for case in problem.cases:
        for n, need in enumerate(case.needs):
            if need.current is None:
                continue
            staff = filled.get((case.id, n))
            kept += staff == need.current
            moved += staff is not None and staff != need.current
            dropped += staff is None
    return kept, moved, dropped


def _part_bound(part: Part, coverage: float) -> int | None:
    """The most holders a plan of the part covering at least `coverage` can keep (None for a
    part too large to ask)."""
    # The dual bound of the relaxed class model (a relaxation, so valid) with coverage held.
    classed = with_classes(part, exact=False)
    if len(classed.pairs) > SEARCH_LIMIT:
        return None
    model = AllocationModel(classed)
    model.problem.addConstraint(model.coverage() >= coverage - 1e-6, "coverage")
    continuity = model.continuity()
    model.aim(continuity, pulp.LpMaximize)
    outcome = run("highs", model.problem, {}, BOUND_LIMITS)
    most = sum(v.upBound for v, _ in continuity.items())
    return int(min(most, outcome.bound if outcome.bound is not None else most) + 1e-6)


def continuity_bound(problem: Problem, plan: Plan, parts: list[Part]) -> int | None:
    """The most holders a plan could keep while covering as much as `plan` in every part and
    keeping its pins (None if a part is too large to ask)."""
    # `parts` are the problem's, from split(): the caller has them already. Pins are no part's.
    filled = {
        (problem.case_index[a.case], a.need): problem.staff_index[a.staff] for a in plan.assignments
    }
    total = sum(1 for a in plan.assignments if a.pinned and a.continuity)
    for part in parts:
        kept = sum(
            1
            for i, need in enumerate(part.needs)
            if part.current[i] >= 0 and filled.get(need) == part.staff[part.current[i]]
        )
        most = sum(1 for i in range(len(part.needs)) if part.current[i] in part.eligible[i])
        if kept < most:
            covered = sum(part.weight[i] for i, need in enumerate(part.needs) if need in filled)
            found = _part_bound(part, covered)
            if found is None:
                return None
            most = found
        total += max(most, kept)
    return total


def _problem(name: str, demo_dir: Path) -> tuple[Problem, str] | None:
    """The scale's problem and a line saying what it is, or None if its file is missing."""
    if name in DEMOS:
        path = demo_dir / DEMOS[name] / "problem.json"
        if not path.is_file():
            print(f"== {name}: skipped, no {path} (see benchmarks/RESULTS.md to make it)")
            return None
        data = json.loads(path.read_text())
        for name, value in SAFE_WORKLOAD.items():
            data["policy"].setdefault(name, value)
        return problem_from_dict(data), f"{path}"
    cases, staff, shortfall, seed = SCALES[name]
    problem = generate(cases, staff, shortfall=shortfall, seed=seed)
    return problem, f"generated, shortfall {shortfall:.0%}, seed {seed}"


def benchmark(name: str, demo_dir: Path, time_limit: float | None) -> None:
    """Benchmark one scale and print its figures."""
    found = _problem(name, demo_dir)
    if found is None:
        return
    problem, what = found
    needs = sum(len(case.needs) for case in problem.cases)
    held = sum(1 for case in problem.cases for need in case.needs if need.current is not None)
    memory = PeakMemory()
    started = time.perf_counter()
    index = EligibilityIndex(problem)
    pins = resolve_pins(problem, index)
    greedy_fill(problem, index, pins)
    parts = split(problem, index, pins)
    built = time.perf_counter() - started
    solving = time.perf_counter()
    plan = solve(problem, time_limit=time_limit)
    solved = time.perf_counter() - solving
    peak = memory.stop()
    by_hand = greedy(problem)
    coverage, bound = plan.objective.coverage, plan.bound.coverage
    pairs = sum(len(p) for per_case in index.eligible for p in per_case)
    print(
        f"== {name}: {what}: {len(problem.cases)} cases, {len(problem.staff)} staff, "
        f"{needs} needs ({held} with a current holder), {pairs} eligible pairs, "
        f"{len(parts)} parts"
    )
    print(
        f"   build {built:.2f} s (eligibility, pins, greedy, parts); solve {solved:.2f} s "
        f"(plan.seconds {plan.seconds:.2f}); peak memory {peak / 2**20:.0f} MB"
    )
    print(
        f"   status {plan.status}; coverage {coverage:.0f}; bound {bound:.0f}; "
        f"gap {(bound - coverage) / max(bound, 1):.4%}"
    )
    print(
        f"   greedy coverage {by_hand.objective.coverage:.0f} "
        f"({(coverage - by_hand.objective.coverage) / max(by_hand.objective.coverage, 1):+.2%}"
        f" for the optimiser)"
    )
    print(f"   uncovered: optimiser {_serious(plan)}; greedy {_serious(by_hand)}")
    kept, moved, dropped = holders(problem, plan)
    greedy_kept, greedy_moved, greedy_dropped = holders(problem, by_hand)
    most = continuity_bound(problem, plan, parts)
    print(
        f"   holders kept {kept}, moved {moved}, unfilled {dropped} (greedy {greedy_kept}, "
        f"{greedy_moved}, {greedy_dropped}); at the optimiser's coverage at most "
        f"{'(not worked out: parts too large)' if most is None else most} can be kept"
    )
    print(
        f"   overload {plan.objective.overload_hours:g} h (greedy "
        f"{by_hand.objective.overload_hours:g} h)",
        flush=True,
    )


def main() -> None:
    """Run the scales named on the command line, or all five."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scales", nargs="*", metavar="SCALE")
    parser.add_argument("--demo-dir", type=Path, default=DEMO_DIR)
    parser.add_argument("--time-limit", type=float, help="seconds (default: the policy's, 60)")
    arguments = parser.parse_intermixed_args()
    unknown = [name for name in arguments.scales if name not in [*SCALES, *DEMOS]]
    if unknown:
        parser.error(f"unknown scale {unknown[0]!r}: choose from {', '.join([*SCALES, *DEMOS])}")
    for name in arguments.scales or [*(s for s in SCALES if s not in LARGEST), *DEMOS]:
        benchmark(name, arguments.demo_dir, arguments.time_limit)


if __name__ == "__main__":
    main()
