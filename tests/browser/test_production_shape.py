"""The service as it runs for real, on this machine: gunicorn with two processes, two job
workers, PostgreSQL and Redis; a manager runs a week from the button to approval."""

from __future__ import annotations

import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import create_engine, text

from planner.config import PROJECT_ROOT
from tests.browser.journeys import serious_accessibility_violations, sign_in
from tests.conftest import PASSWORD
from tests.services import JobWorker, flask_environment, free_port


@pytest.fixture
def settings(postgres_url: str, redis_url: str, tmp_path: Path) -> dict[str, Any]:
    """A database of its own on the throwaway PostgreSQL, and the queue on the Redis."""
    name = f"production_{tmp_path.name.lower().replace('-', '_')}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return {
        "SQLALCHEMY_DATABASE_URI": postgres_url.replace("/postgres?", f"/{name}?"),
        "SECRET_KEY": "production-shape-secret",
        "JOBS_URL": redis_url,
        "JOBS_NAME": name,
        "WEEKLY_PLAN_AT": "",
    }


def flask(settings: dict[str, Any], *arguments: str, stdin: str | None = None) -> str:
    """Run a `flask --app planner` command as an operator would, and return what it printed."""
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "planner", *arguments],
        cwd=PROJECT_ROOT,
        env=flask_environment(settings),
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.fixture
def service(settings: dict[str, Any], tmp_path: Path) -> Iterator[str]:
    """The schema upgraded, the demo data and a manager loaded, then gunicorn and two workers."""
    flask(settings, "db", "upgrade")
    flask(settings, "demo-data", "--scale", "small", "--seed", "7")
    flask(settings, "create-user", "manager.user", "--role", "manager", "--national",
          "--password-stdin",
          stdin=PASSWORD + "\n")  # fmt: skip
    port = free_port()
    with open(tmp_path / "gunicorn.log", "wb") as log:
        web = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}",
             "planner:create_app()"],
            cwd=PROJECT_ROOT,
            env=flask_environment(settings),
            stdout=log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    workers = [JobWorker(settings, tmp_path / f"worker-{n}.log").start() for n in (1, 2)]
    address = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{address}/sign-in", timeout=1) as response:
                    assert response.status == 200
                    break
            except OSError:
                assert web.poll() is None, (tmp_path / "gunicorn.log").read_text()
                assert time.time() < deadline, "gunicorn did not answer"
                time.sleep(0.2)
        yield address
    finally:
        for worker in workers:
            worker.stop()
        web.terminate()
        web.wait(timeout=30)


def test_a_week_is_run_by_a_worker_reviewed_and_approved(page: Page, service: str) -> None:
    sign_in(page, service)
    page.get_by_role("link", name="Plans").click()
    page.get_by_label("Time limit in seconds").fill("20")
    page.get_by_role("button", name="Run the plan").click()
    expect(page.get_by_role("heading", name="Needs nobody can cover")).to_be_visible(timeout=90_000)
    assert serious_accessibility_violations(page) == []
    page.get_by_role("button", name="Approve this plan").click()
    page.get_by_role("button", name="Approve the plan").click()
    expect(
        page.get_by_text(re.compile(r"Plan run 1 approved: \d+ allocations change from"))
    ).to_be_visible()
