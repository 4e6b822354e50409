"""The service as it runs for real, on this machine: gunicorn with two processes, two job
workers, PostgreSQL and Redis; a manager runs a week from the button to approval."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.journeys import serious_accessibility_violations, sign_in
from tests.conftest import PASSWORD
from tests.production import Service, create_database, flask

# PostgreSQL always, whichever pass of `make test`: the SQLite pass runs it.
pytestmark = pytest.mark.own_database


@pytest.fixture
def settings(postgres_url: str, redis_url: str, tmp_path: Path) -> dict[str, Any]:
    """A database of its own on the throwaway PostgreSQL, and the queue on the Redis."""
    name = f"production_{tmp_path.name.lower().replace('-', '_')}"
    return {
        "SQLALCHEMY_DATABASE_URI": create_database(postgres_url, name),
        "SECRET_KEY": "production-shape-secret",
        "JOBS_URL": redis_url,
        "JOBS_NAME": name,
        "WEEKLY_PLAN_AT": "",
    }


@pytest.fixture
def service(settings: dict[str, Any], tmp_path: Path) -> Iterator[str]:
    """The schema upgraded, the demo data and a manager loaded, then gunicorn and two workers."""
    flask(settings, "db", "upgrade")
    flask(settings, "demo-data", "--scale", "small", "--seed", "7")
    flask(settings, "create-user", "manager.user", "--role", "manager", "--national",
          "--password-stdin",
          stdin=PASSWORD + "\n")  # fmt: skip
    with Service(settings, tmp_path) as running:
        yield running.address


def test_a_week_is_run_by_a_worker_reviewed_and_approved(
    page: Page, service: str, tmp_path: Path
) -> None:
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
    # Each process compiled the templates before its first request, not during it.
    assert (
        len(re.findall(r"Compiled \d{3} templates", (tmp_path / "gunicorn.log").read_text())) == 2
    )
