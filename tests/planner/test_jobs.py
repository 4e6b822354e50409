"""The job system with real workers in their own processes, on SQLite's store and on Redis
(the planner's database is the run's: SQLite or PostgreSQL)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from planner.domain.vocabulary import JobStatus
from planner.domain.weeks import IsoWeek
from planner.extensions import db
from planner.jobs.lifecycle import LOST, request_cancel
from planner.jobs.queue import UNEXPECTED, enqueue
from planner.models import Forecast, PlanRun, ProposedAssignment, WhatIf
from planner.models.jobs import JobMixin
from planner.plans.batch import queue_run
from planner.plans.lookahead import queue_forecast
from planner.plans.whatif import Change, ask_what_if
from tests.conftest import AppFactory, NewDatabase, load_demo
from tests.planner.world import MONDAY
from tests.services import JobWorker

WEEK = IsoWeek.containing(MONDAY)
# A look-ahead long enough to be caught running: 26 weeks of up to 3 seconds each.
LONG = 26


@pytest.fixture(params=["sqlite", "redis"])
def settings(
    request: pytest.FixtureRequest, tmp_path: Path, new_database: NewDatabase
) -> dict[str, Any]:
    """What the app and its workers share: the database, and the queue on one store or the other."""
    store = (
        f"sqlite:///{tmp_path / 'jobs.db'}"
        if request.param == "sqlite"
        else request.getfixturevalue("redis_url")
    )
    return {
        "SQLALCHEMY_DATABASE_URI": new_database("planner"),
        "SECRET_KEY": "test-secret",
        "TODAY": MONDAY.isoformat(),
        "JOBS_URL": store,
        "JOBS_NAME": f"planner-test-{tmp_path.name}",
        "JOBS_IMMEDIATE": False,
        "WEEKLY_PLAN_AT": "",
    }


@pytest.fixture
def app(app_factory: AppFactory, settings: dict[str, Any]) -> Flask:
    """The small demo data, on a file database the workers open too."""
    app = app_factory("planner", **settings)
    load_demo(app, seed=4, start=MONDAY.isoformat())
    with app.app_context():
        db.engine.dispose()
    return app


@pytest.fixture
def worker(settings: dict[str, Any], tmp_path: Path) -> Callable[[str], JobWorker]:
    """Starts job workers (stopped after the test), each logging to a file of its own."""
    started: list[JobWorker] = []

    def start(name: str = "worker") -> JobWorker:
        job_worker = JobWorker(settings, tmp_path / f"{name}.log").start()
        started.append(job_worker)
        return job_worker

    yield start
    for job_worker in started:
        job_worker.stop()


def wait_for(app: Flask, model: type[JobMixin], job_id: int, *statuses: JobStatus) -> Any:
    """The job once it is in one of the statuses (a minute at most)."""
    deadline = time.time() + 75
    while time.time() < deadline:
        with app.app_context():
            job = db.session.get(model, job_id)
            if job.status in statuses:
                db.session.expunge(job)
                return job
        time.sleep(0.25)
    raise AssertionError(f"{model.__name__} {job_id} is still {job.status.value}")


def queued(app: Flask, make: Callable[[], JobMixin]) -> int:
    """Queue a job as a page would: record it, then send it to the workers."""
    with app.app_context():
        job = make()
        enqueue(job)
        return job.id


def test_a_worker_does_a_run_with_its_heartbeat(app: Flask, worker: Any) -> None:
    worker()
    run_id = queued(app, lambda: queue_run(db.session, WEEK, "highs", 10, None, "manager"))
    run = wait_for(app, PlanRun, run_id, JobStatus.FINISHED, JobStatus.FAILED)
    assert run.status == JobStatus.FINISHED, run.message
    assert run.started_at >= run.queued_at and run.finished_at >= run.started_at
    assert run.heartbeat_at is not None and ":" in run.worker
    assert run.progress is None
    with app.app_context():
        assert len(db.session.scalars(select(ProposedAssignment)).all()) == run.summary["needs"]


def test_a_worker_in_a_session_of_its_own_runs_below_the_pages(worker: Any) -> None:
    # Linux shares the machine between sessions before nice counts, so both must be lowered.
    pid = worker().process.pid
    deadline = time.time() + 10  # it says it has started just before it lowers itself
    while Path(f"/proc/{pid}/autogroup").read_text().split()[-1] != "19":
        assert time.time() < deadline, Path(f"/proc/{pid}/autogroup").read_text()
        time.sleep(0.1)
    assert os.getpriority(os.PRIO_PROCESS, pid) == os.getpriority(os.PRIO_PROCESS, 0) + 5


def test_a_failing_job_says_why_in_words_and_keeps_nothing(app: Flask, worker: Any) -> None:
    worker()
    with app.app_context():
        run = queue_run(db.session, WEEK, "highs", 10, None, "manager")
        run_id = run.id
        enqueue(run)
    wait_for(app, PlanRun, run_id, JobStatus.FINISHED)

    def gone_case() -> WhatIf:
        """A what-if about a case the run does not have."""
        run = db.session.get(PlanRun, run_id)
        change = Change("risk", case_reference="CT-GONE-0001", rosh="very_high")
        return ask_what_if(db.session, run, change, None, "manager")[0]

    what_if = wait_for(app, WhatIf, queued(app, gone_case), JobStatus.FAILED, JobStatus.FINISHED)
    assert (what_if.status, what_if.message, what_if.result) == (JobStatus.FAILED, UNEXPECTED, None)


def test_a_cancelled_job_stops_and_keeps_nothing(app: Flask, worker: Any) -> None:
    worker()
    forecast_id = queued(
        app, lambda: queue_forecast(db.session, WEEK, LONG, "highs", 3, None, "manager")
    )
    wait_for(app, Forecast, forecast_id, JobStatus.RUNNING)
    with app.app_context():
        request_cancel(db.session, db.session.get(Forecast, forecast_id), "manager.two")
        db.session.commit()
    forecast = wait_for(app, Forecast, forecast_id, JobStatus.CANCELLED, JobStatus.FINISHED)
    assert (forecast.status, forecast.message) == (JobStatus.CANCELLED, "Cancelled by manager.two.")
    assert forecast.results is None


def test_a_job_whose_worker_is_killed_is_failed_within_a_minute(app: Flask, worker: Any) -> None:
    # Two workers, as on two machines: the one left alive notices the other's job has stopped.
    first, second = worker("first"), worker("second")
    forecast_id = queued(
        app, lambda: queue_forecast(db.session, WEEK, LONG, "highs", 3, None, "manager")
    )
    running = wait_for(app, Forecast, forecast_id, JobStatus.RUNNING)
    doing = first if running.worker.endswith(f":{first.process.pid}") else second
    doing.kill()
    killed = time.time()
    failed = wait_for(app, Forecast, forecast_id, JobStatus.FAILED, JobStatus.FINISHED)
    assert time.time() - killed < 60
    assert (failed.status, failed.message) == (JobStatus.FAILED, LOST)
    # Nothing is left blocking: the next look-ahead is taken and done.
    again = queued(app, lambda: queue_forecast(db.session, WEEK, 1, "highs", 3, None, "manager"))
    assert wait_for(app, Forecast, again, JobStatus.FINISHED, JobStatus.FAILED).results


def test_the_queue_keeps_jobs_until_a_worker_comes(app: Flask, worker: Any) -> None:
    run_id = queued(app, lambda: queue_run(db.session, WEEK, "highs", 10, None, "manager"))
    time.sleep(1)
    with app.app_context():
        assert db.session.get(PlanRun, run_id).status == JobStatus.QUEUED
    worker()
    assert wait_for(app, PlanRun, run_id, JobStatus.FINISHED, JobStatus.FAILED).finished
