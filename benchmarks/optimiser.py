"""Benchmark the optimiser at three scales, generated with fixed seeds.

    .venv/bin/python benchmarks/optimiser.py [small] [london] [national]

For each scale it prints the seconds spent building (eligibility, pins, greedy's plan and the
split into parts) and solving (the whole `solve()` call, which builds and solves each part's
model, in worker processes at national scale), the peak memory of the process tree (this
process and its workers, sampled every 50 ms), the coverage, the proven bound, the gap, and
greedy's coverage and very-high/high needs left uncovered beside the optimiser's.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from optimisation.eligibility import EligibilityIndex
from optimisation.generate import generate
from optimisation.greedy import greedy, greedy_fill
from optimisation.ledger import resolve_pins
from optimisation.parts import split
from optimisation.problem import Plan
from optimisation.solve import solve

# name: (cases, staff, shortfall, seed)
SCALES = {
    "small": (50, 15, 0.25, 1),
    "london": (600, 150, 0.25, 1),
    "national": (5000, 900, 0.28, 1),
}


def _rss(pid: int) -> int:
    """Resident memory of one process, in bytes (0 once it has gone)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return 0
    return 0


def _tree(pid: int) -> list[int]:
    """A process and all its descendants."""
    found = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children = (task / "children").read_text().split()
        except OSError:
            continue
        for child in children:
            found += _tree(int(child))
    return found


class PeakMemory:
    """Samples the memory of this process tree in the background, keeping the peak."""

    def __init__(self) -> None:
        """Start sampling."""
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        """Add up the tree's memory every 50 ms."""
        while not self._stop.is_set():
            self.peak = max(self.peak, sum(_rss(pid) for pid in _tree(os.getpid())))
            time.sleep(0.05)

    def stop(self) -> int:
        """Stop sampling and return the peak, in bytes."""
        self._stop.set()
        self._thread.join()
        return self.peak


def _serious(plan: Plan) -> str:
    """Very-high and high needs left uncovered."""
    very_high = sum(1 for gap in plan.uncovered if gap.risk == "very_high")
    high = sum(1 for gap in plan.uncovered if gap.risk == "high")
    return f"{very_high} very high, {high} high"


def run(name: str) -> None:
    """Benchmark one scale and print its figures."""
    cases, staff, shortfall, seed = SCALES[name]
    problem = generate(cases, staff, shortfall=shortfall, seed=seed)
    needs = sum(len(case.needs) for case in problem.cases)
    memory = PeakMemory()
    started = time.perf_counter()
    index = EligibilityIndex(problem)
    pins = resolve_pins(problem, index)
    greedy_fill(problem, index, pins)
    parts = split(problem, index, pins)
    built = time.perf_counter() - started
    solving = time.perf_counter()
    plan = solve(problem)
    solved = time.perf_counter() - solving
    peak = memory.stop()
    by_hand = greedy(problem)
    coverage, bound = plan.objective.coverage, plan.bound.coverage
    pairs = sum(len(p) for per_case in index.eligible for p in per_case)
    print(
        f"== {name}: {cases} cases, {staff} staff, shortfall {shortfall:.0%}, seed {seed}: "
        f"{needs} needs, {pairs} eligible pairs, {len(parts)} parts"
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
    print(
        f"   continuity {plan.objective.continuity} (greedy {by_hand.objective.continuity}); "
        f"overload {plan.objective.overload_hours:g} h (greedy "
        f"{by_hand.objective.overload_hours:g} h)",
        flush=True,
    )


def main() -> None:
    """Run the scales named on the command line, or all three."""
    for name in sys.argv[1:] or list(SCALES):
        if name not in SCALES:
            sys.exit(f"unknown scale {name!r}: choose from {', '.join(SCALES)}")
        run(name)


if __name__ == "__main__":
    main()
