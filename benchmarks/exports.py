"""Benchmark the exports at the national demo scale.

    .venv/bin/python benchmarks/exports.py [repeats]

Builds the national demo data (seed 1, week of 30 November 2026) in a fresh SQLite database and
runs one plan, then downloads through the Flask test client, as a national manager, the national
allocation as CSV and as XLSX and the run's changes (and its whole plan) as CSV and XLSX, each
`repeats` times after one warm-up, and prints for each the median and slowest time, its rows,
the file's size and the peak memory of the process. Target: each at most 5 s.
"""

from __future__ import annotations

import statistics
import sys
import time

from measure import START, demo_database, measured

from planner.domain.vocabulary import UserRole
from planner.domain.weeks import IsoWeek
from planner.extensions import db
from planner.models import User
from planner.plans.batch import run_week

PASSWORD = "benchmark password"
DOWNLOADS = [
    "/exports/allocation?format=csv",
    "/exports/allocation?format=xlsx",
    "/exports/changes?run=1&format=csv",
    "/exports/changes?run=1&format=xlsx",
    "/exports/plan?run=1&format=csv",
    "/exports/plan?run=1&format=xlsx",
    "/exports/staff?format=xlsx",
    "/exports/alerts?format=csv",
]


def main() -> None:
    """Time each download and print a line for it."""
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    with demo_database("national") as app:
        with app.app_context():
            run_week(db.session, IsoWeek.containing(START), "highs", None, None, "benchmark")
            user = User(username="bench.manager", role=UserRole.MANAGER, national=True)
            user.set_password(PASSWORD)
            db.session.add(user)
            db.session.commit()
        print(f"== national demo: {repeats} downloads each, after one warm-up")
        with app.test_client() as client:
            client.post("/sign-in", data={"username": "bench.manager", "password": PASSWORD})
            for address in DOWNLOADS:
                client.get(address)
                times = []
                with measured() as figures:
                    for _ in range(repeats):
                        started = time.perf_counter()
                        response = client.get(address)
                        times.append(time.perf_counter() - started)
                        assert response.status_code == 200, (address, response.status_code)
                data = response.get_data()
                rows = data.count(b"\n") - 2 if address.endswith("csv") else None
                counted = f"{rows:6} rows" if rows is not None else " " * 11
                print(
                    f"   {address:36} median {statistics.median(times):5.2f} s, slowest "
                    f"{max(times):5.2f} s, {counted}, {len(data) / 1e6:5.1f} MB, peak memory "
                    f"{figures.peak / 2**20:5.0f} MiB",
                    flush=True,
                )


if __name__ == "__main__":
    main()
