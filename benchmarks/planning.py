"""Benchmark the weekly batch: demo database to stored plan, at the London and national scales.

    .venv/bin/python benchmarks/planning.py [london] [national]

For each scale it builds the demo data (seed 1, week of 30 November 2026) in a fresh SQLite
database, then runs the batch as `flask plan` does, with the policy's time limit, and prints
the seconds of each step, the peak memory of the process tree, the plan's status and gap, and
the very-high and high risk needs left uncovered.
"""

from __future__ import annotations

import sys

from measure import START, demo_database, measured

from planner.domain.weeks import IsoWeek
from planner.extensions import db
from planner.plans.batch import run_week

SCALES = ("london", "national")
STEPS = ("snapshot", "solve", "store")


def run(scale: str) -> None:
    """Benchmark the batch at one scale and print its figures."""
    with demo_database(scale) as app, app.app_context():
        with measured() as figures:
            plan_run = run_week(db.session, IsoWeek.containing(START), "highs", None, None, "bench")
        summary = plan_run.summary or {}
        timings = summary.get("timings", {})
        risks = summary.get("by_risk", {})
        gaps = {r: risks[r]["needs"] - risks[r]["covered"] for r in ("very_high", "high")}
        gap = (plan_run.bound - plan_run.coverage) / max(plan_run.bound or 1, 1)
        steps = ", ".join(f"{step} {timings.get(step, 0):.1f} s" for step in STEPS)
        print(
            f"== {scale}: {summary.get('needs')} needs; "
            f"{'proven best' if plan_run.optimal else 'best found'} "
            f"({plan_run.solver}, limit {plan_run.time_limit:g} s)\n"
            f"   database to stored plan {figures.wall:.1f} s ({steps}); "
            f"peak memory {figures.peak / 2**20:.0f} MB\n"
            f"   coverage {plan_run.coverage:,.0f} of a proven {plan_run.bound:,.0f} "
            f"(gap {gap:.3%}); uncovered {summary.get('uncovered')}, of which "
            f"{gaps['very_high']} very high and {gaps['high']} high",
            flush=True,
        )


def main() -> None:
    """Run the scales named on the command line, or both."""
    for name in sys.argv[1:] or SCALES:
        if name not in SCALES:
            sys.exit(f"unknown scale {name!r}: choose from {', '.join(SCALES)}")
        run(name)


if __name__ == "__main__":
    main()
