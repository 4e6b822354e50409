"""Load test: 20 managers browse, search and edit the production shape while plans solve.

    .venv/bin/python benchmarks/load.py [--minutes 5] [--managers 20] [--scale national]
                                        [--web-processes 4] [--arrivals 1]

Starts a throwaway PostgreSQL and Redis (Debian's), builds the schema with the migrations, loads
the demo data (`flask demo-data`, seed 1, from 30 November 2026), creates an account for each
simulated manager, plans week 2026-W49 with `flask plan`, then serves the planner as in
production (tests/production.py: gunicorn with 4 processes, as the README runs it, and 2 job
workers of 2 threads). For `--minutes`, Locust (as a library, headless) runs the managers: they
arrive one a second, each signs in through the real form (with its CSRF token), then opens the
dashboard, the case list (plain and filtered), the staff list (plain and searched), cases and
people, and edits cases (a case's name and next extremism risk review, saved through its form),
pausing 1 to 3 seconds between pages. All the while a run of a later week is kept in progress
through the Plans page, and two what-ifs on the W49 run through its what-if form (each one
answered is replaced by another).

It prints the requests, the errors (any HTTP error, or a save neither saved nor refused with a
message), each kind of page's median and 95th percentile (target: p95 at most 300 ms), the
background jobs, and whether anything was lost: every save the load test was told succeeded
must be in the database with the values it wrote and have its audit line; every refused save
must have been refused with a message on the page. It exits non-zero on an error or a loss.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import re
import sys
import time
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

# Locust patches the standard library for gevent when imported: before anything opens sockets.
import gevent
from gevent.event import Event
from locust import HttpUser, between, events, task
from locust.env import Environment
from measure import START
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool

from planner.config import PROJECT_ROOT

# The throwaway servers and the production shape are the tests' own.
sys.path.insert(0, str(PROJECT_ROOT))
from tests.postgres import TemporaryPostgres
from tests.production import Service, create_database, flask
from tests.services import TemporaryRedis

PASSWORD = "load test password long enough"
WEEK = "2026-W49"
TARGET_P95_MS = 300
RISKS = ("high", "very_high")
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
ERROR_SUMMARY = re.compile(r'govuk-error-summary__list">(.*?)</ul>', re.S)
FIRST_NAMES = ("Robin", "Sam", "Alex", "Jo", "Kit", "Morgan", "Ash", "Jamie", "Rowan", "Avery")
SURNAMES = ("Hartwell", "Ellery", "Penrose", "Oakes", "Lindqvist", "Marwood", "Tennant", "Vale")


@dataclass(frozen=True)
class Save:
    """A case saved through its form, as the load test was told."""

    case_id: int
    manager: str
    name: str
    next_erg_review: str
    outcome: str  # "saved" or "refused"
    message: str = ""


@dataclass
class World:
    """What the managers browse, found in the database before they start, and what they did."""

    case_ids: list[int]
    staff_ids: list[int]
    region_ids: list[int]
    surnames: list[str]
    saves: list[Save]


class FormReader(HTMLParser):
    """The fields of each form on a page that posts, in order, as a browser would send them."""

    def __init__(self) -> None:
        """Nothing read yet."""
        super().__init__()
        self.forms: list[list[tuple[str, str]]] = []
        self.fields: list[tuple[str, str]] = []
        self.select: str | None = None
        self.textarea: str | None = None
        self.in_form = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Note inputs, selected options and text areas of a posting form."""
        found = {key: value or "" for key, value in attrs}
        if tag == "form" and found.get("method", "").lower() == "post":
            self.in_form, self.fields = True, []
            self.forms.append(self.fields)
        if not self.in_form:
            return
        if tag == "input" and "name" in found:
            if found.get("type") in ("checkbox", "radio") and "checked" not in found:
                return
            if found.get("type") != "submit":
                self.fields.append((found["name"], found.get("value", "")))
        elif tag == "select":
            self.select = found.get("name")
        elif tag == "option" and self.select and "selected" in found:
            self.fields.append((self.select, found.get("value", "")))
        elif tag == "textarea":
            self.textarea = found.get("name")
            self.fields.append((self.textarea or "", ""))

    def handle_data(self, data: str) -> None:
        """The text of a text area."""
        if self.textarea and self.fields and self.fields[-1][0] == self.textarea:
            self.fields[-1] = (self.textarea, self.fields[-1][1] + data)

    def handle_endtag(self, tag: str) -> None:
        """Close a select, a text area or the form."""
        if tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None
        elif tag == "form":
            self.in_form = False


def form_fields(page: str, having: str) -> list[tuple[str, str]]:
    """The fields of the page's posting form that has a field of this name (the header's
    sign-out form comes first)."""
    reader = FormReader()
    reader.feed(page)
    return next(form for form in reader.forms if any(key == having for key, _ in form))


class Manager(HttpUser):
    """A manager with an account of their own, browsing, searching and editing cases."""

    wait_time = between(1, 3)
    numbers = itertools.count(1)
    saves = itertools.count(1)
    signed_in = 0
    world: World

    def on_start(self) -> None:
        """Sign in through the form, with its CSRF token."""
        self.username = f"load.manager{next(Manager.numbers):02d}"
        page = self.client.get("/sign-in", name="sign-in form").text
        with self.client.post(
            "/sign-in",
            data={"username": self.username, "password": PASSWORD,
                  "csrf_token": CSRF.search(page)[1]},
            name="sign in",
            catch_response=True,
            allow_redirects=False,  # the page it leads to is measured as that page
        ) as response:  # fmt: skip
            if response.status_code != 302 or "/sign-in" in response.headers.get("Location", ""):
                response.failure(f"{self.username} was not signed in")
        Manager.signed_in += 1

    @task(3)
    def dashboard(self) -> None:
        """The dashboard."""
        self.client.get("/", name="dashboard")

    @task(3)
    def case_list(self) -> None:
        """The case list, its first page or another."""
        self.client.get(f"/cases/?page={random.randint(1, 5)}", name="case list")

    @task(3)
    def filtered_cases(self) -> None:
        """The case list filtered by region and risk, or by setting and cohort."""
        world = Manager.world
        query = random.choice(
            [
                f"region={random.choice(world.region_ids)}&rosh={random.choice(RISKS)}",
                f"setting={random.choice(['custody', 'community'])}&cohort=TACT",
                "covered=no",
            ]
        )
        self.client.get(f"/cases/?{query}", name="case list, filtered")

    @task(2)
    def staff_list(self) -> None:
        """The staff list."""
        self.client.get("/staff/", name="staff list")

    @task(2)
    def staff_search(self) -> None:
        """The staff list searched by a surname, in a region."""
        world = Manager.world
        surname = random.choice(world.surnames)
        self.client.get(
            f"/staff/?search={surname}&region={random.choice(world.region_ids)}",
            name="staff list, searched",
        )

    @task(4)
    def case(self) -> None:
        """A case's page."""
        self.client.get(f"/cases/{random.choice(Manager.world.case_ids)}", name="case")

    @task(3)
    def person(self) -> None:
        """A person's page."""
        self.client.get(f"/staff/{random.choice(Manager.world.staff_ids)}", name="person")

    @task(2)
    def edit_case(self) -> None:
        """Open a case's form, change its name and next ERG review, and save it."""
        case_id = random.choice(Manager.world.case_ids)
        address = f"/cases/{case_id}/edit"
        page = self.client.get(address, name="case form").text
        serial = next(Manager.saves)
        name = f"{random.choice(FIRST_NAMES)} {random.choice(SURNAMES)}"
        review = START + timedelta(days=30 + serial)
        parts = iter([str(review.day), str(review.month), str(review.year)])
        fields = [
            (key, name if key == "name" else next(parts) if key == "next_erg_review" else value)
            for key, value in form_fields(page, "name")
        ]
        with self.client.post(address, data=fields, name="case save", catch_response=True) as reply:
            save = Save(case_id, self.username, name, review.isoformat(), "saved")
            if reply.status_code == 200 and reply.url.endswith(f"/cases/{case_id}"):
                if "saved." not in reply.text:
                    reply.failure("saved without saying so")
                    return
            elif reply.status_code in (200, 409) and (summary := ERROR_SUMMARY.search(reply.text)):
                # 409: another manager saved the case since this one opened it, and was named.
                message = re.sub(r"<[^>]+>|\s+", " ", summary[1]).strip()
                save = Save(**{**asdict(save), "outcome": "refused", "message": message})
                reply.success()
            else:
                reply.failure(f"a save answered {reply.status_code} at {reply.url}")
                return
            Manager.world.saves.append(save)


class Operator:
    """Keeps a national run and two what-ifs in progress, through the app's own forms."""

    def __init__(self, address: str, engine: Engine, people: list[str]) -> None:
        """An operator not yet signed in."""
        import requests

        self.address, self.engine, self.people = address, engine, iter(people)
        self.session = requests.Session()
        self.runs: list[int] = []
        self.what_ifs: list[int] = []
        self.checks = self.all_busy = 0
        self.started = Event()
        self.problems: list[str] = []

    def post(self, path: str, form: dict[str, str], action: str | None = None) -> str:
        """Send the form of the page at `path`, with its CSRF token; the address it ends on."""
        page = self.session.get(self.address + path, timeout=60).text
        reply = self.session.post(
            self.address + (action or path),
            data={**form, "csrf_token": CSRF.search(page)[1]},
            timeout=60,
        )
        if reply.status_code != 200:
            self.problems.append(f"{action or path} answered {reply.status_code}")
        return reply.url

    def keep_busy(self, weeks: list[str], stop: Event) -> None:
        """Every 5 seconds: start a run if none is in progress, and what-ifs until two are."""
        self.post("/sign-in", {"username": "load.operator", "password": PASSWORD})
        weeks_in_turn = itertools.cycle(weeks)
        while not stop.is_set():
            running_runs = self._in_progress("plan_run", self.runs)
            running_what_ifs = self._in_progress("what_if", self.what_ifs)
            self.checks += 1
            self.all_busy += running_runs >= 1 and running_what_ifs >= 2
            if not running_runs:
                landed = self.post("/plans/", {"week": next(weeks_in_turn), "solver": "highs",
                                               "time_limit": "600"}, "/plans/run")  # fmt: skip
                self.runs.extend(_ids(landed, r"/plans/(\d+)$"))
            for person in itertools.islice(self.people, max(0, 2 - running_what_ifs)):
                landed = self.post("/plans/1/what-if", {"kind": "sick", "sick-person": person,
                                                        "sick-weeks": "1"})  # fmt: skip
                self.what_ifs.extend(_ids(landed, r"/what-if/(\d+)$"))
            self.started.set()
            stop.wait(5)

    def _in_progress(self, table: str, ids: list[int]) -> int:
        """How many of these jobs are queued or running."""
        if not ids:
            return 0
        with self.engine.connect() as connection:
            return connection.execute(
                text(
                    f"SELECT count(*) FROM {table} WHERE status IN ('queued', 'running') "
                    f"AND id IN ({', '.join(map(str, ids))})"
                )
            ).scalar_one()

    def statuses(self, table: str, ids: list[int]) -> dict[str, int]:
        """How many of these jobs ended in each status."""
        if not ids:
            return {}
        with self.engine.connect() as connection:
            rows = connection.execute(
                text(
                    f"SELECT status, count(*) FROM {table} "
                    f"WHERE id IN ({', '.join(map(str, ids))}) GROUP BY status"
                )
            )
            return {status: number for status, number in rows}


def _ids(address: str, pattern: str) -> list[int]:
    """The job id in the address a form landed on (none if it landed elsewhere)."""
    found = re.search(pattern, address)
    return [int(found[1])] if found else []


def read_world(engine: Engine) -> tuple[World, list[str]]:
    """The cases, people and regions to browse, and staff IDs for what-ifs."""
    with engine.connect() as connection:

        def column(query: str) -> list[Any]:
            """One column of a query."""
            return [row[0] for row in connection.execute(text(query))]

        world = World(
            case_ids=column("SELECT id FROM case_record WHERE active ORDER BY id"),
            staff_ids=column("SELECT id FROM staff_member WHERE active ORDER BY id"),
            region_ids=column("SELECT id FROM region ORDER BY id"),
            surnames=sorted(set(column("SELECT split_part(name, ' ', 2) FROM staff_member")))[:50],
            saves=[],
        )
        people = column(
            "SELECT DISTINCT s.staff_ref FROM proposed_assignment p JOIN staff_member s "
            "ON s.id = p.staff_member_id WHERE p.run_id = 1 ORDER BY s.staff_ref"
        )
    return world, people


def nothing_lost(engine: Engine, saves: list[Save]) -> list[str]:
    """What the database does not bear out: saves without their values or audit line."""
    saved = [save for save in saves if save.outcome == "saved"]
    problems = [
        f"a refusal without a message (case {save.case_id})"
        for save in saves
        if save.outcome == "refused" and not save.message
    ]
    if not saved:
        return problems
    case_ids = sorted({save.case_id for save in saved})
    with engine.connect() as connection:
        lines = connection.execute(
            text(
                "SELECT id, case_id, actor, after FROM audit_event WHERE entity = 'case' "
                "AND action = 'update' AND case_id = ANY(:ids) ORDER BY id"
            ),
            {"ids": case_ids},
        ).all()
        rows = {
            row.id: (row.name, str(row.next_erg_review))
            for row in connection.execute(
                text("SELECT id, name, next_erg_review FROM case_record WHERE id = ANY(:ids)"),
                {"ids": case_ids},
            )
        }
    audited: dict[int, list[tuple[str, str, str]]] = {}
    for line in lines:
        after = line.after if isinstance(line.after, dict) else json.loads(line.after or "{}")
        audited.setdefault(line.case_id, []).append(
            (line.actor, after.get("name", ""), str(after.get("next_erg_review", "")))
        )
    for save in saved:
        wrote = (save.manager, save.name, save.next_erg_review)
        if not any(
            actor == wrote[0] and name in ("", wrote[1]) and review.startswith(wrote[2])
            for actor, name, review in audited.get(save.case_id, [])
        ):
            problems.append(f"case {save.case_id}: a save by {save.manager} has no audit line")
    for case_id in case_ids:
        # The case holds what the save of its last audit line wrote (a save of ours).
        actor, _, review = audited.get(case_id, [("", "", "")])[-1]
        last = [
            (save.name, save.next_erg_review)
            for save in saved
            if save.case_id == case_id
            and (save.manager, save.next_erg_review) == (actor, review[:10])
        ]
        if rows[case_id] not in last:
            problems.append(f"case {case_id} does not hold the values of its last save")
    return problems


def create_accounts(settings: dict[str, Any], managers: int) -> None:
    """An account for each manager and one for the operator, as `flask create-user` makes them
    (in this process: a command each would take a minute)."""
    from planner import create_app
    from planner.admin.services import add_user
    from planner.domain.vocabulary import UserRole
    from planner.extensions import db
    from planner.models.auditing import set_actor

    app = create_app(settings)
    with app.app_context():
        set_actor(db.session, "create-user")
        for number in range(1, managers + 1):
            add_user(
                db.session, f"load.manager{number:02d}", UserRole.MANAGER, PASSWORD, True, set()
            )
        add_user(db.session, "load.operator", UserRole.ADMIN, PASSWORD, True, set())
        db.session.commit()
        db.engine.dispose()


def percentile(entry: Any, fraction: float) -> float:
    """A percentile of an entry's response times, in ms."""
    return entry.get_response_time_percentile(fraction) if entry.num_requests else 0.0


def main() -> int:
    """Set the service up, run the managers, check the database, print and record the figures."""
    arguments = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    arguments.add_argument("--minutes", type=float, default=5)
    arguments.add_argument("--managers", type=int, default=20)
    arguments.add_argument("--scale", choices=["small", "london", "national"], default="national")
    arguments.add_argument("--web-processes", type=int, default=4, help="gunicorn's processes")
    arguments.add_argument(
        "--arrivals", type=float, default=1.0, help="managers signing in a second"
    )
    arguments.add_argument("--json", type=Path, help="also write the figures to this file")
    options = arguments.parse_args()
    with ExitStack() as stack:
        folder = Path(stack.enter_context(TemporaryDirectory(prefix="planner-load-")))
        server = stack.enter_context(TemporaryPostgres()).url
        settings = {
            "SQLALCHEMY_DATABASE_URI": create_database(server, "load"),
            "SECRET_KEY": "load-test",
            "JOBS_URL": stack.enter_context(TemporaryRedis()).url,
            "TODAY": START.isoformat(),
            "WEEKLY_PLAN_AT": "",
            # Plain http on loopback: the session cookie may not be HTTPS-only here.
            "SESSION_COOKIE_SECURE": False,
            "HSTS_MAX_AGE": 0,
        }
        began = time.perf_counter()
        flask(settings, "db", "upgrade")
        flask(settings, "demo-data", "--scale", options.scale, "--seed", "1", "--start", str(START))
        create_accounts(settings, options.managers)
        flask(settings, "plan", "--week", WEEK)
        engine = create_engine(settings["SQLALCHEMY_DATABASE_URI"], poolclass=NullPool)
        stack.callback(engine.dispose)
        world, people = read_world(engine)
        Manager.world = world
        print(f"== set up in {time.perf_counter() - began:.0f} s: {options.scale} demo data, "
              f"{len(world.case_ids)} cases, {len(world.staff_ids)} staff", flush=True)  # fmt: skip
        service = stack.enter_context(
            Service(settings, folder, web_processes=options.web_processes)
        )
        environment = Environment(user_classes=[Manager], host=service.address, events=events)
        runner = environment.create_local_runner()
        operator = Operator(service.address, engine, people)
        stop = Event()
        weeks = [f"2026-W{week}" for week in range(50, 54)]
        busy = gevent.spawn(operator.keep_busy, weeks, stop)
        operator.started.wait(timeout=300)
        # Managers arrive as a morning's do, a second or so apart (scrypt makes each password
        # check cost a fifth of a second of a core on purpose); the minutes count once every
        # manager has signed in.
        runner.start(options.managers, spawn_rate=options.arrivals)
        deadline = time.monotonic() + 600
        while Manager.signed_in < options.managers and time.monotonic() < deadline:
            gevent.sleep(0.5)
        print(f"== the background jobs asked for and {Manager.signed_in} managers signed in; "
              f"{options.minutes:g} min of browsing and editing begin", flush=True)  # fmt: skip
        gevent.sleep(options.minutes * 60)
        runner.quit()
        stop.set()
        busy.join(timeout=30)
        problems = operator.problems + nothing_lost(engine, world.saves)
        return report(options, environment, operator, world, problems)


def report(
    options: argparse.Namespace,
    environment: Environment,
    operator: Operator,
    world: World,
    problems: list[str],
) -> int:
    """Print the figures (and write them as JSON if asked); 1 if anything failed or was lost."""
    stats = environment.stats
    pages = {
        name: {
            "requests": entry.num_requests,
            "errors": entry.num_failures,
            "p50_ms": percentile(entry, 0.5),
            "p95_ms": percentile(entry, 0.95),
            "max_ms": round(entry.max_response_time or 0),
        }
        for (name, _method), entry in sorted(stats.entries.items())
    }
    saved = sum(save.outcome == "saved" for save in world.saves)
    refused = [save for save in world.saves if save.outcome == "refused"]
    figures = {
        "minutes": options.minutes,
        "managers": options.managers,
        "scale": options.scale,
        "requests": stats.total.num_requests,
        "errors": stats.total.num_failures,
        "error_messages": [str(error.error) for error in stats.errors.values()],
        "pages": pages,
        "saves": {
            "saved": saved,
            "refused": len(refused),
            "refusal_messages": sorted({save.message for save in refused}),
        },
        "runs": operator.statuses("plan_run", operator.runs),
        "what_ifs": operator.statuses("what_if", operator.what_ifs),
        "background_busy_share": operator.all_busy / max(operator.checks, 1),
        "lost": problems,
    }
    print(
        f"== {options.managers} managers for {options.minutes:g} min on the {options.scale} "
        f"demo: {figures['requests']} requests, {figures['errors']} errors"
    )
    for message in figures["error_messages"]:
        print(f"   error: {message}")
    for name, page in pages.items():
        flag = "" if page["p95_ms"] <= TARGET_P95_MS else f"  (over {TARGET_P95_MS} ms)"
        print(
            f"   {name:24} {page['requests']:6} requests, {page['errors']} errors: "
            f"p50 {page['p50_ms']:5.0f} ms, p95 {page['p95_ms']:5.0f} ms, "
            f"slowest {page['max_ms']:5} ms{flag}"
        )
    print(
        f"   saves: {saved} saved, {len(refused)} refused with a message "
        f"{figures['saves']['refusal_messages']}"
    )
    print(
        f"   background: runs {figures['runs']}, what-ifs {figures['what_ifs']}; a run and two "
        f"what-ifs in progress at {figures['background_busy_share']:.0%} of the checks"
    )
    print(f"   nothing lost: {'yes' if not problems else 'NO'}")
    for problem in problems:
        print(f"   lost: {problem}")
    if options.json:
        options.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 1 if figures["errors"] or problems else 0


if __name__ == "__main__":
    sys.exit(main())
