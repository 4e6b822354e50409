"""A manager follows a critical alert from the dashboard to its case, covers it, and sees it clear."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.journeys import serious_accessibility_violations, sign_in


def run_the_plan(page: Page, site: str) -> None:
    """Run next week's plan from the Plans page and wait for its review."""
    page.goto(f"{site}/plans/")
    page.get_by_label("Time limit in seconds").fill("20")
    page.get_by_role("button", name="Run the plan").click()
    expect(page.get_by_role("heading", name="Needs nobody can cover")).to_be_visible(timeout=60_000)


def test_follow_a_critical_alert_cover_it_and_see_it_clear(page: Page, site: str) -> None:
    sign_in(page, site)
    run_the_plan(page, site)

    page.get_by_role("link", name="Dashboard").click()
    expect(page).to_have_title("Dashboard – Caseload planner")
    heading = page.get_by_role("heading", name=re.compile(r"^Critical alerts \(\d+\)$"))
    total = int(re.search(r"\d+", heading.inner_text())[0])
    assert total > 0, "a short-staffed week leaves high-risk needs uncovered"
    critical = page.locator("#critical + table tbody tr")
    expect(critical).to_have_count(min(total, 10))
    expect(critical.first).to_contain_text("Critical")
    assert serious_accessibility_violations(page) == []

    # Follow the first gap whose plan can be changed to someone who may hold it.
    page.get_by_role("link", name=f"See all {total} critical alerts, and the others").click()
    expect(page).to_have_title("Alerts – Caseload planner")
    rows = (
        page.locator("tbody tr")
        .filter(has_text="Need uncovered")
        .filter(has=page.get_by_role("link", name="Change the plan"))
    )
    reference = reason = None
    for index in range(rows.count()):
        row = rows.nth(index)
        candidate = row.locator("td").nth(1).get_by_role("link").first.inner_text()
        # "Need uncovered. No COM: nobody may hold it …": the alert's own reason follows the kind.
        said = row.locator("td").nth(2).inner_text().split("\n")[0]
        row.get_by_role("link", name="Change the plan").click()
        people = page.locator("input[name=person]:not([value=nobody])")
        if people.count():
            reference, reason = candidate, said.removeprefix("Need uncovered. ")
            break
        page.go_back()
    assert reference is not None and reason is not None, "no gap could be given to someone"

    page.goto(f"{site}/alerts/")
    page.get_by_role("link", name=reference).first.click()
    expect(page).to_have_title(f"{reference} – Cases – Caseload planner")
    expect(page.locator("main")).to_contain_text(reason)
    page.go_back()
    row = (
        page.locator("tbody tr")
        .filter(has=page.get_by_role("link", name=reference))
        .filter(has_text="Need uncovered")
        .filter(has=page.get_by_role("link", name="Change the plan"))
        .first
    )
    row.get_by_role("link", name="Change the plan").click()

    page.locator("input[name=person]:not([value=nobody])").first.check()
    page.get_by_label("Keep this person on this need in future plans (pin)").check()
    page.get_by_role("checkbox", name="Workload").check()
    page.get_by_label("Give more detail").fill("Agreed overtime until the new PO starts")
    page.get_by_role("button", name="Save the change").click()
    expect(
        page.get_by_text(re.compile(f"{reference}: the plan now gives this need to"))
    ).to_be_visible()
    page.get_by_role("button", name="Approve this plan").click()
    page.get_by_role("button", name="Approve the plan").click()
    expect(page.get_by_text(re.compile(r"Plan run \d+ approved"))).to_be_visible()

    # The next run keeps the pinned holder, so the gap, and its alert, are gone.
    run_the_plan(page, site)
    page.goto(f"{site}/alerts/")
    expect(page).to_have_title("Alerts – Caseload planner")
    expect(page.locator("tbody tr").first).to_be_visible()
    gaps = (
        page.locator("tbody tr")
        .filter(has=page.get_by_role("link", name=reference))
        .filter(has_text="Need uncovered")
    )
    expect(gaps).to_have_count(0)
