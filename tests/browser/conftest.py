"""Browser tests: Debian's Chromium, driven by Playwright, against the planner on a live server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Page

from planner import PROJECT_ROOT
from planner.extensions import db
from planner.vocabulary import UserRole
from tests.conftest import PASSWORD, add_user, make_app

CHROMIUM = "/usr/bin/chromium"
AXE = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    """The planner on a file database with the small demo data and a manager, for a live server."""
    app = make_app(tmp_path / "browser.db", SERVER_NAME="127.0.0.1")
    result = app.test_cli_runner().invoke(args=["demo-data", "--scale", "small", "--seed", "2"])
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
def site(live_server: Any) -> str:
    """The live server's address."""
    return f"http://127.0.0.1:{live_server.port}"


def sign_in(page: Page, site: str, username: str = "manager.user") -> None:
    """Sign in through the form."""
    page.goto(f"{site}/sign-in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def serious_accessibility_violations(page: Page) -> list[str]:
    """What axe-core finds on the page at the serious or critical level."""
    page.add_script_tag(path=str(AXE))
    results = page.evaluate("async () => await axe.run(document)")
    return [
        f"{violation['id']}: {violation['help']} "
        f"{json.dumps([node['target'] for node in violation['nodes']])}"
        for violation in results["violations"]
        if violation["impact"] in ("serious", "critical")
    ]
