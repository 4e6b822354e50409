"""Benchmark the search at the national demo scale: the header box's answers and the results page.

    .venv/bin/python benchmarks/search.py [requests] [--postgresql]

Builds the national demo data (seed 1, week of 30 November 2026) in a fresh SQLite database (or,
with --postgresql, on a throwaway PostgreSQL server from Debian's packages, as the tests use),
signs in a national manager and a manager who sees one region, and asks the box
(/search/suggestions, JSON) and the results page (/search) each query of a set through the
Flask test client, after one warm-up: short and long name parts, a whole name, the start of a
reference, an exact reference and staff ID, one that finds nothing and one of wildcards. Prints
the median (p50) and 95th percentile of each, and of all requests of each kind. Target: a
search answers within 100 ms.
"""

from __future__ import annotations

import math
import statistics
import sys
import time
from contextlib import ExitStack

from flask import Flask
from measure import demo_database
from sqlalchemy import func, select

from planner.config import PROJECT_ROOT
from planner.domain.vocabulary import UserRole
from planner.extensions import db
from planner.models import Case, Region, RegionAccess, StaffMember, User

PASSWORD = "benchmark password"
TARGET_MS = 100


def queries(reference: str, staff_ref: str, name: str) -> list[str]:
    """What is searched for: a cross-section of what managers type."""
    return ["mo", "mock", "kestrel", name.lower(), "ct-", reference[:7], reference, staff_ref,
            "zzzz", "%_%"]  # fmt: skip


def percentile(times: list[float], share: float) -> float:
    """The time below which a share of the requests answered, in milliseconds."""
    ordered = sorted(times)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)] * 1000


def main() -> None:
    """Measure each query of each kind for each user and print a line for each."""
    numbers = [argument for argument in sys.argv[1:] if argument.isdigit()]
    requests = int(numbers[0]) if numbers else 20
    with ExitStack() as stack:
        database = None
        if "--postgresql" in sys.argv:
            # The throwaway server is the tests' own.
            sys.path.insert(0, str(PROJECT_ROOT))
            from tests.postgres import TemporaryPostgres

            database = stack.enter_context(TemporaryPostgres()).url
        app = stack.enter_context(demo_database("national", database))
        measure_searches(app, requests, "PostgreSQL" if database else "SQLite")


def measure_searches(app: Flask, requests: int, database: str) -> None:
    """Sign in the two managers and time every search of the set for each."""
    with app.app_context():
        london = db.session.scalar(select(Region.id).where(Region.name == "London"))
        for username, national in (("bench.national", True), ("bench.london", False)):
            user = User(username=username, role=UserRole.MANAGER, national=national)
            user.set_password(PASSWORD)
            db.session.add(user)
            db.session.flush()
            if not national:
                db.session.add(RegionAccess(user_id=user.id, region_id=london))
        db.session.commit()
        case = db.session.scalars(select(Case).order_by(Case.id)).first()
        staff_ref = db.session.scalar(select(StaffMember.staff_ref).order_by(StaffMember.id))
        cases = db.session.scalar(select(func.count()).select_from(Case))
        people = db.session.scalar(select(func.count()).select_from(StaffMember))
        asked = queries(case.reference, staff_ref, case.name)
    print(f"== national demo on {database}: {cases:,} cases, {people:,} people; "
          f"{requests} requests each")  # fmt: skip
    every: dict[str, list[float]] = {"box": [], "page": []}
    for username in ("bench.national", "bench.london"):
        with app.test_client() as client:
            client.post("/sign-in", data={"username": username, "password": PASSWORD})
            for typed in asked:
                for kind, path in (("box", "/search/suggestions"), ("page", "/search")):
                    client.get(path, query_string={"q": typed})
                    times = []
                    for _ in range(requests):
                        started = time.perf_counter()
                        response = client.get(path, query_string={"q": typed})
                        times.append(time.perf_counter() - started)
                        assert response.status_code == 200, (path, typed, response.status_code)
                    every[kind] += times
                    label = f"{username} {kind} {typed!r}"
                    print(f"   {label:48} p50 {percentile(times, 0.5):5.1f} ms, "
                          f"p95 {percentile(times, 0.95):5.1f} ms", flush=True)  # fmt: skip
    for kind, times in every.items():
        p50, p95 = statistics.median(times) * 1000, percentile(times, 0.95)
        verdict = "met" if p95 <= TARGET_MS else "missed"
        print(f"== all {kind} requests ({len(times)}): p50 {p50:.1f} ms, p95 {p95:.1f} ms "
              f"(target {TARGET_MS} ms: {verdict})")  # fmt: skip


if __name__ == "__main__":
    main()
