"""Benchmark the look-ahead: twelve weeks planned in turn at the London demo scale.

    .venv/bin/python benchmarks/lookahead.py [weeks]

Builds the London demo data (seed 1, week of 30 November 2026) in a fresh SQLite database and
runs the look-ahead as `flask look-ahead` does, printing the wall time, the peak memory of the
process tree, and each week's predicted high-risk gaps.
"""

from __future__ import annotations

import sys

from measure import START, demo_database, measured

from planner.domain.weeks import IsoWeek
from planner.extensions import db
from planner.plans.lookahead import LOOK_AHEAD_SECONDS, look_ahead_here


def main() -> None:
    """Look ahead the weeks asked for (12 by default) and print the figures."""
    weeks = int(sys.argv[1]) if len(sys.argv) > 1 else 12
    with demo_database("london") as app, app.app_context():
        first = IsoWeek.containing(START)
        with measured() as figures:
            forecast = look_ahead_here(db.session, first, weeks, "highs", LOOK_AHEAD_SECONDS, "b")
        print(
            f"== London look-ahead, {weeks} weeks at {LOOK_AHEAD_SECONDS:g} s each: "
            f"{forecast.status.value} in {figures.wall:.1f} s; "
            f"peak memory {figures.peak / 2**20:.0f} MB"
        )
        for week in forecast.results or []:
            gaps = {r: c["needs"] - c["covered"] for r, c in week["by_risk"].items()}
            print(
                f"   {week['week']}: {gaps['very_high']} very high and {gaps['high']} high "
                f"needs uncovered, {week['uncovered']} in all "
                f"({'proven best' if week['optimal'] else 'best found'})"
            )


if __name__ == "__main__":
    main()
