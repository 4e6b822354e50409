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

from measure import MANAGER, demo_database, measured, plan_with_a_manager

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
        plan_with_a_manager(app)
        print(f"== national demo: {repeats} downloads each, after one warm-up")
        with app.test_client() as client:
            client.post("/sign-in", data=MANAGER)
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
