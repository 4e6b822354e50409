"""Benchmark the pages managers use most, at the national demo scale.

    .venv/bin/python benchmarks/pages.py [requests]

Builds the national demo data (seed 1, week of 30 November 2026) in a fresh SQLite database,
runs one plan so that alerts and a review exist, then requests each page through the Flask
test client (after one warm-up) and prints the median and slowest time and the number of SQL
statements each request sends; last, it approves the run once through its page and times that.
Targets: a run's summary and each part's first page at most 300 ms, approving it at most 5 s.
"""

from __future__ import annotations

import statistics
import sys
import time
from typing import Any

from measure import MANAGER, demo_database, plan_with_a_manager
from sqlalchemy import event, select

from planner.extensions import db
from planner.models import Case, StaffMember


def pages(case_id: int, staff_id: int) -> list[str]:
    """The addresses measured."""
    return [
        "/",
        "/handovers/",
        "/handovers/?stage=release_due",
        "/cases/",
        "/cases/?rosh=very_high&covered=no",
        "/cases/?sort=rosh&direction=desc&page=20",
        f"/cases/{case_id}",
        "/staff/",
        "/staff/?sort=workload&direction=desc",
        f"/staff/{staff_id}",
        "/alerts/",
        "/plans/1",
        "/plans/1?region=London",
        "/plans/1/uncovered",
        "/plans/1/changes",
        "/plans/1/changes?kind=move&sort=planned&page=2",
        "/plans/1/workloads",
        "/plans/1/unchanged",
        "/plans/1/unchanged?region=London&rosh=very_high",
        "/plans/1/approve",
    ]


def approving(client: Any) -> None:
    """Time approving the national run through its page, once (it can only happen once)."""
    started = time.perf_counter()
    response = client.post("/plans/1/approve")
    assert response.status_code == 302, response.status_code
    print(f"   {'POST /plans/1/approve':45} {(time.perf_counter() - started) * 1000:6.0f} ms")


def main() -> None:
    """Measure each page and print a line for it."""
    requests = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    with demo_database("national") as app:
        plan_with_a_manager(app)
        with app.app_context():
            case_id = db.session.scalar(select(Case.id).limit(1))
            staff_id = db.session.scalar(select(StaffMember.id).limit(1))
            engine = db.engine
        statements: list[Any] = []
        event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
        print(f"== national demo: {requests} requests a page, after one warm-up")
        with app.test_client() as client:
            client.post("/sign-in", data=MANAGER)
            for address in pages(case_id, staff_id):
                client.get(address)
                times = []
                for _ in range(requests):
                    statements.clear()
                    started = time.perf_counter()
                    response = client.get(address)
                    times.append(time.perf_counter() - started)
                    assert response.status_code == 200, (address, response.status_code)
                print(
                    f"   {address:45} median {statistics.median(times) * 1000:6.0f} ms, "
                    f"slowest {max(times) * 1000:6.0f} ms, {len(statements):3} queries",
                    flush=True,
                )
            approving(client)


if __name__ == "__main__":
    main()
