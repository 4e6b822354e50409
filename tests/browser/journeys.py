"""What the browser journeys share: signing in, the accessibility check, the error summary."""

from __future__ import annotations

import json

from playwright.sync_api import Locator, Page, expect

from planner.config import PROJECT_ROOT
from tests.conftest import PASSWORD

AXE = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"


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


def expect_error_summary(
    page: Page, title: str, message: str, *kept: tuple[Locator, str]
) -> Locator:
    """The page says Error: in its title and names the message, keeps what was typed, passes axe."""
    expect(page).to_have_title(f"Error: {title} – Caseload planner")
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_contain_text(message)
    for box, typed in kept:
        expect(box).to_have_value(typed)
    assert serious_accessibility_violations(page) == []
    return summary
