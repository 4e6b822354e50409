"""Browser tests: Debian's Chromium, driven by Playwright, against the planner on a live server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from planner.domain.vocabulary import UserRole
from planner.extensions import db
from tests.conftest import NewDatabase, add_user, make_app
from tests.services import JobWorker

CHROMIUM = "/usr/bin/chromium"
TODAY = "2026-12-07"  # a Monday: the demo data is built around it and the pages count its week


@pytest.fixture
def jobs(tmp_path: Path, new_database: NewDatabase) -> dict[str, Any]:
    """Settings the live server and its job worker share: the database, the queue, today."""
    return {
        "SQLALCHEMY_DATABASE_URI": new_database("browser"),
        "SECRET_KEY": "test-secret",
        "JOBS_URL": f"sqlite:///{tmp_path / 'jobs.db'}",
        "JOBS_NAME": f"browser-{tmp_path.name}",
        "JOBS_IMMEDIATE": False,
        "WEEKLY_PLAN_AT": "",
        "TODAY": TODAY,
    }


@pytest.fixture
def app(jobs: dict[str, Any]) -> Iterator[Flask]:
    """The planner on a file database, today fixed, with the small demo data and a manager."""
    app = make_app(jobs["SQLALCHEMY_DATABASE_URI"], SERVER_NAME="127.0.0.1", **jobs)
    result = app.test_cli_runner().invoke(
        args=["demo-data", "--scale", "small", "--seed", "2", "--start", TODAY]
    )
    assert result.exit_code == 0, result.output
    add_user(app, "manager.user", UserRole.MANAGER)
    with app.app_context():
        # The live server forks: it must not inherit this process's open connections.
        db.engine.dispose()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, Any]:
    """Debian's Chromium, headless, with nothing reaching out to the network."""
    return {
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    """Let the accessibility checker inject axe-core past the page's script policy."""
    return {**browser_context_args, "bypass_csp": True}


@pytest.fixture
def job_worker(app: Flask, jobs: dict[str, Any], tmp_path: Path) -> Iterator[JobWorker]:
    """A job worker in its own process, taking the jobs the live server queues."""
    with JobWorker(jobs, tmp_path / "worker.log") as worker:
        yield worker


@pytest.fixture
def site(live_server: Any, job_worker: JobWorker) -> str:
    """The live server's address; a job worker beside it does what its pages queue."""
    return f"http://127.0.0.1:{live_server.port}"
