"""Benchmark the job system in the production shape: pages while what-ifs solve, and a lost job.

    .venv/bin/python benchmarks/jobs.py [what-ifs]

Starts a throwaway PostgreSQL and Redis (Debian's), loads the London demo data (seed 1, week of
30 November 2026) through the migrations, plans week 2026-W49 with `flask plan`, then serves the
planner with gunicorn (2 processes) beside 2 job workers of 4 threads each. A manager signs in
over HTTP (CSRF and all) and asks for what-ifs (8 by default: each a different person off sick);
while any is unanswered, two clients request the case list, a case page and the dashboard in
turn, and the script prints each page's median, 95th percentile and slowest time. Then it
queues a run of 2026-W50, kills the worker doing it mid-solve, and times how long until the run
is failed and its week can be planned again.
"""

from __future__ import annotations

import http.cookiejar
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from contextlib import ExitStack
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

from measure import START
from sqlalchemy import create_engine, text

from planner.config import PROJECT_ROOT

# The throwaway servers and the job workers are the tests' own.
sys.path.insert(0, str(PROJECT_ROOT))
from tests.postgres import TemporaryPostgres
from tests.production import flask
from tests.services import JobWorker, TemporaryRedis, flask_environment, free_port

PASSWORD = "benchmark password long enough"
PAGES = ("/cases/", "/cases/{case}", "/")
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class Browser:
    """A manager's browser over HTTP: cookies, and the CSRF token of the page last read."""

    def __init__(self, address: str) -> None:
        """A browser with no session yet."""
        self.address = address
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> tuple[float, str]:
        """Seconds to fetch a page, and the page."""
        started = time.perf_counter()
        with self.opener.open(self.address + path, timeout=60) as response:
            body = response.read().decode()
        return time.perf_counter() - started, body

    def post(self, path: str, form: dict[str, str], action: str | None = None) -> str:
        """Send a form of the page at `path` (to `action`, or back to the page), with the page's
        CSRF token; the address it ends on."""
        _, page = self.get(path)
        data = urllib.parse.urlencode({**form, "csrf_token": CSRF.search(page)[1]}).encode()
        with self.opener.open(self.address + (action or path), data=data, timeout=60) as reply:
            return reply.geturl()


def scalar(url: str, query: str) -> Any:
    """One value from the database."""
    engine = create_engine(url)
    with engine.connect() as connection:
        value = connection.execute(text(query)).scalar()
    engine.dispose()
    return value


def main() -> None:
    """Set the service up, measure, and print the figures."""
    asked_for = int(sys.argv[1]) if len(sys.argv) > 1 else 8
    with ExitStack() as stack:
        folder = Path(stack.enter_context(TemporaryDirectory()))
        database = stack.enter_context(TemporaryPostgres()).url
        settings = {
            "SQLALCHEMY_DATABASE_URI": database,
            "SECRET_KEY": "benchmark",
            "JOBS_URL": stack.enter_context(TemporaryRedis()).url,
            "TODAY": START.isoformat(),
            "WEEKLY_PLAN_AT": "",
            # Plain http on loopback: the session cookie may not be HTTPS-only here.
            "SESSION_COOKIE_SECURE": False,
            "HSTS_MAX_AGE": 0,
        }
        flask(settings, "db", "upgrade")
        flask(settings, "demo-data", "--scale", "london", "--seed", "1", "--start", str(START))
        flask(settings, "create-user", "bench.manager", "--role", "manager", "--national",
              "--password-stdin",
              stdin=PASSWORD + "\n")  # fmt: skip
        flask(settings, "plan", "--week", "2026-W49")
        port = free_port()
        web = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}",
             "planner:create_app()"],
            cwd=PROJECT_ROOT, env=flask_environment(settings),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        stack.callback(web.wait)
        stack.callback(web.terminate)
        workers = [
            JobWorker(settings, folder / f"worker-{n}.log", threads=4).start() for n in (1, 2)
        ]
        for worker in workers:
            stack.callback(worker.stop)
        address = f"http://127.0.0.1:{port}"
        time.sleep(2)
        manager = Browser(address)
        manager.post("/sign-in", {"username": "bench.manager", "password": PASSWORD})
        case = scalar(database, "SELECT id FROM case_record ORDER BY id LIMIT 1")
        people = _people(database, asked_for)
        started = time.perf_counter()
        for person in people:
            manager.post("/plans/1/what-if", {"kind": "sick", "sick-person": person,
                                              "sick-weeks": "1"})  # fmt: skip
        asked = time.perf_counter() - started
        times: dict[str, list[float]] = {page: [] for page in PAGES}
        done = threading.Event()
        readers = [
            threading.Thread(target=_read, args=(address, case, times, done)) for _ in range(2)
        ]
        for reader in readers:
            reader.start()
        while scalar(
            database, "SELECT count(*) FROM what_if WHERE status IN ('queued', 'running')"
        ):
            time.sleep(0.5)
        answered = time.perf_counter() - started
        done.set()
        for reader in readers:
            reader.join()
        finished = scalar(database, "SELECT count(*) FROM what_if WHERE status = 'finished'")
        failure = scalar(database, "SELECT message FROM what_if WHERE status <> 'finished' LIMIT 1")
        print(
            f"== {asked_for} what-ifs on the London demo ({finished} answered) in {answered:.1f} s "
            f"(asked in {asked:.1f} s); gunicorn 2 processes, 2 job workers x 4 threads,"
            " PostgreSQL, Redis"
        )
        if failure:
            print(f"   not answered: {failure}")
        for page, samples in times.items():
            ordered = sorted(samples)
            p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
            median = statistics.median(samples)
            print(
                f"   {page:16} {len(samples):4} requests: median {median * 1000:5.0f} ms, "
                f"p95 {p95 * 1000:5.0f} ms, slowest {ordered[-1] * 1000:5.0f} ms"
            )
        _lost_job(database, manager, workers)


def _people(database: str, count: int) -> list[str]:
    """Staff IDs of people who hold needs in the run."""
    engine = create_engine(database)
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT DISTINCT s.staff_ref FROM proposed_assignment p JOIN staff_member s "
                "ON s.id = p.staff_member_id WHERE p.run_id = 1 ORDER BY s.staff_ref LIMIT :n"
            ),
            {"n": count},
        )
        people = [row[0] for row in rows]
    engine.dispose()
    return people


def _read(address: str, case: int, times: dict[str, list[float]], done: threading.Event) -> None:
    """Request the pages in turn, as a manager browsing, until told to stop."""
    reader = Browser(address)
    reader.post("/sign-in", {"username": "bench.manager", "password": PASSWORD})
    while not done.is_set():
        for page in PAGES:
            seconds, _ = reader.get(page.format(case=case))
            times[page].append(seconds)


def _lost_job(database: str, manager: Browser, workers: list[JobWorker]) -> None:
    """Kill the worker doing a run mid-solve; time until it is failed and its week free again."""
    form = {"week": "2026-W50", "solver": "highs", "time_limit": "60"}
    manager.post("/plans/", form, "/plans/run")
    run = scalar(database, "SELECT max(id) FROM plan_run")
    while not str(
        scalar(database, f"SELECT progress FROM plan_run WHERE id = {run}") or ""
    ).startswith("Solving"):
        time.sleep(0.1)
    time.sleep(1)
    doing = scalar(database, f"SELECT worker FROM plan_run WHERE id = {run}")
    worker = next(w for w in workers if doing.endswith(f":{w.process.pid}"))
    worker.kill()
    killed = time.perf_counter()
    while scalar(database, f"SELECT status FROM plan_run WHERE id = {run}") != "failed":
        time.sleep(0.2)
    failed = time.perf_counter() - killed
    landed = manager.post("/plans/", form, "/plans/run")
    print(
        f"== a run's worker killed mid-solve: the run failed {failed:.1f} s later; "
        f"the week planned again at once ({landed.removeprefix(manager.address)})"
    )


if __name__ == "__main__":
    main()
