"""The job queue: Huey, on SQLite in instance/ by default or on Redis, and the work it runs.

Every piece of long work (a plan run, a look-ahead, a what-if, a staffing ask) is a row with
the job columns (planner/models/jobs.py) and one Huey task, `perform(kind, id)`, that any
worker on any machine may take. The row, not Huey, is the record people see: Huey only carries
the job to a worker. A worker claims the row (so two workers never do the same job), beats a
heartbeat while it works, and ends the row once; a worker that dies leaves a row whose
heartbeat stops, and every worker's watch fails such rows within a minute.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey, crontab
from huey.api import TaskWrapper

from optimisation import Plan, Problem, solve
from planner.config import ConfigurationError
from planner.domain.vocabulary import JobStatus
from planner.extensions import db
from planner.jobs.apart import solve_apart
from planner.jobs.lifecycle import (
    Heartbeat,
    JobCancelled,
    JobFailed,
    claim,
    end,
    fail_lost_jobs,
    report,
)
from planner.models.jobs import JobMixin
from planner.models.types import utcnow

log = logging.getLogger(__name__)

WATCH_SECONDS = 10.0
WORKER_NICENESS = 5
# Linux weighs sessions ("autogroups") against each other before nice counts within them.
AUTOGROUP = Path("/proc/self/autogroup")
AUTOGROUP_NICENESS = 19
UNEXPECTED = (
    "It stopped on an unexpected error, and nothing of it was saved. The error is in the job "
    "worker's log; try again, and tell the service team if it happens again."
)


@dataclass
class Job:
    """What a job's work is given: its id, progress, cancellation, and a solver to call."""

    model: type[JobMixin]
    id: int
    cancelled: threading.Event
    apart: bool = True

    def progress(self, text: str) -> None:
        """Say what the job is doing now (the progress page shows it at once)."""
        report(db.engine, self.model, self.id, text)
        self.check()

    def check(self) -> None:
        """Stop here if a manager cancelled the job."""
        if self.cancelled.is_set():
            raise JobCancelled

    def solve(self, problem: Problem, solver: str, time_limit: float, here: bool = False) -> Plan:
        """The optimiser's plan: in a child process a cancellation can stop, or here."""
        if self.apart and not here:
            return solve_apart(problem, solver, time_limit, self.cancelled)
        return solve(problem, solver=solver, time_limit=time_limit)


Work = Callable[[Any, Job], None]


@dataclass(frozen=True)
class Kind:
    """One kind of job: its rows, the work that fills one in, and who hears of a failure."""

    model: type[JobMixin]
    work: Work
    failed: Callable[[int], None] | None = None


KINDS: dict[str, Kind] = {}
MINUTELY: dict[str, Callable[[], None]] = {}
# Short work sent to a worker and tried again if it fails (sending an email), by name.
RETRIED: dict[str, Callable[[int], None]] = {}


def register(
    model: type[JobMixin], work: Work, failed: Callable[[int], None] | None = None
) -> None:
    """Make `work(record, job)` the work of jobs of this model's kind; `failed(id)` is told of
    each that fails, whatever the cause."""
    KINDS[model.job_kind] = Kind(model, work, failed)


def retried(task: Callable[[int], None]) -> None:
    """Let `task(id)` be sent to the workers with `later`, and tried again if it raises."""
    RETRIED[task.__name__] = task


def every_minute(task: Callable[[], None]) -> None:
    """Run `task` once a minute in the worker that runs the schedule."""
    MINUTELY[task.__name__] = task


def init_app(app: Flask) -> None:
    """The app's Huey, from JOBS_URL: sqlite:///FILE (in instance/), redis://..., or memory://."""
    huey = _huey(app)

    @huey.task(name="perform")
    def perform_task(kind: str, job_id: int) -> None:
        """Do one job in the app's context."""
        with app.app_context():
            perform(kind, job_id)

    @huey.task(
        name="retried",
        retries=app.config["MAIL_RETRIES"],
        retry_delay=app.config["MAIL_RETRY_SECONDS"],
    )
    def retried_task(name: str, record_id: int) -> None:
        """Do one piece of short work in the app's context; Huey tries again if it raises."""
        with app.app_context():
            RETRIED[name](record_id)

    @huey.periodic_task(crontab(), name="every-minute")
    def minutely() -> None:
        """The scheduled work: the weekly plan, when it is due."""
        with app.app_context():
            for task in MINUTELY.values():
                task()

    app.extensions["jobs"] = Queue(huey, perform_task, retried_task)


def _huey(app: Flask) -> Huey:
    """Huey on the store JOBS_URL names."""
    url: str = app.config["JOBS_URL"]
    name = app.config["JOBS_NAME"]
    if url.startswith("redis://") or url.startswith("rediss://"):
        return RedisHuey(name, url=url)
    if url.startswith("memory://"):
        return MemoryHuey(name, immediate=app.config["JOBS_IMMEDIATE"])
    if url.startswith("sqlite:///"):
        path = Path(app.instance_path) / url.removeprefix("sqlite:///")
        path.parent.mkdir(parents=True, exist_ok=True)
        return SqliteHuey(name, filename=str(path), immediate=app.config["JOBS_IMMEDIATE"])
    # Only the scheme is repeated: the rest of an address may hold a password.
    scheme = url.partition("://")[0] if "://" in url else url[:20]
    raise ConfigurationError(
        f"JOBS_URL must be sqlite:///FILE, redis://HOST or memory://, not {scheme}://..."
    )


def store_name(url: str) -> str:
    """Where the queue is kept, for a log line: the place, never a password."""
    scheme, _, rest = url.partition("://")
    return f"{scheme} at {rest.rpartition('@')[2]}" if scheme.startswith("redis") else url


@dataclass(frozen=True)
class Queue:
    """One app's Huey and its tasks: jobs, and short work tried again until it is done."""

    huey: Huey
    task: TaskWrapper
    retried: TaskWrapper


def enqueue(record: JobMixin) -> None:
    """Send a committed, queued job to the workers."""
    current_app.extensions["jobs"].task(record.job_kind, record.id)


def later(task: Callable[[int], None], record_id: int) -> None:
    """Send short work on a committed row to the workers, to be tried until it is done."""
    current_app.extensions["jobs"].retried(task.__name__, record_id)


def perform(kind: str, job_id: int, apart: bool = True) -> None:
    """Claim a job, do its work with a heartbeat, and end it once, whatever happens."""
    spec = KINDS[kind]
    session = db.session
    if not claim(session, spec.model, job_id):
        return
    record = session.get(spec.model, job_id)
    with Heartbeat(db.engine, spec.model, job_id) as beat:
        job = Job(spec.model, job_id, beat.cancelled, apart)
        try:
            spec.work(record, job)
            job.check()
            record.status, record.finished_at, record.progress = JobStatus.FINISHED, utcnow(), None
            session.commit()
        except JobCancelled:
            session.rollback()
            end(session, spec.model, job_id, JobStatus.CANCELLED, None)
        except JobFailed as failure:
            session.rollback()
            end(session, spec.model, job_id, JobStatus.FAILED, str(failure))
            _tell_of_failure(spec, job_id)
        except Exception:
            # The log has the traceback (the engine hides statement parameters); people get words.
            session.rollback()
            log.exception("%s %s failed", kind, job_id)
            end(session, spec.model, job_id, JobStatus.FAILED, UNEXPECTED)
            _tell_of_failure(spec, job_id)


def _tell_of_failure(spec: Kind, job_id: int) -> None:
    """Tell whoever listens of a failed job; their trouble never hides the failure itself."""
    if spec.failed is None:
        return
    try:
        spec.failed(job_id)
    except Exception:
        db.session.rollback()
        log.exception("could not tell of the failure of %s %s", spec.model.job_kind, job_id)


def watch(app: Flask, stop: threading.Event) -> None:
    """Every few seconds, fail the jobs whose worker died (in this process, until stopped)."""
    models = [kind.model for kind in KINDS.values()]
    while not stop.wait(WATCH_SECONDS):
        with app.app_context():
            try:
                failed = fail_lost_jobs(db.session, models)
            except Exception:
                db.session.rollback()
                log.exception("could not check for lost jobs")
                continue
            for model, job_id in failed:
                _tell_of_failure(KINDS[model.job_kind], job_id)
        if failed:
            log.warning("failed %s jobs whose worker stopped", len(failed))


def yield_to_pages() -> None:
    """Let background work run only on what the pages leave, on a machine that serves both."""
    # Solves go lower still (apart.py). Nice orders the processes of one session only.
    os.nice(WORKER_NICENESS)
    if os.getsid(0) == os.getpid():
        # A session of its own (a service, a worker started apart): without this, the worker
        # and its solves would take as much of the machine as all the web processes together.
        try:
            AUTOGROUP.write_text(f"{AUTOGROUP_NICENESS}\n")
        except OSError:
            log.info("could not lower the job worker's session below the web processes")


def consume(app: Flask, workers: int, schedule: bool) -> None:
    """Be a worker: take jobs until stopped, watching for the jobs of workers that died."""
    huey: Huey = app.extensions["jobs"].huey
    yield_to_pages()
    stop = threading.Event()
    watcher = threading.Thread(target=watch, args=(app, stop), name="watch", daemon=True)
    watcher.start()
    # SIGTERM (systemd, an upgrade) lets each job finish; Ctrl+C stops at once.
    consumer = huey.create_consumer(
        workers=workers, periodic=schedule, worker_type="thread", graceful_signal="TERM"
    )
    try:
        consumer.run()
    finally:
        stop.set()
        watcher.join(timeout=WATCH_SECONDS + 5)
