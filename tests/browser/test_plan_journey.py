"""A manager runs the week, reviews it, changes one need, approves, and sees the case change."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.journeys import serious_accessibility_violations, sign_in
from tests.services import JobWorker


def test_run_review_override_approve_and_see_the_case_change(
    page: Page, site: str, job_worker: JobWorker
) -> None:
    sign_in(page, site)
    page.get_by_role("link", name="Plans").click()
    expect(page.get_by_role("heading", name="Plans", exact=True)).to_be_visible()
    assert serious_accessibility_violations(page) == []
    page.get_by_label("Time limit in seconds").fill("20")
    page.get_by_role("button", name="Run the plan").click()

    # A job worker does the run; its page says what it is doing, then shows the review.
    expect(page.get_by_role("main").get_by_role("status")).to_contain_text(
        re.compile("Waiting|Reading|Solving|Storing|Starting")
    )
    assert serious_accessibility_violations(page) == []
    expect(page.get_by_role("heading", name="Needs nobody can cover")).to_be_visible(timeout=60_000)
    expect(page.get_by_role("heading", name="What this plan does")).to_be_visible()
    assert serious_accessibility_violations(page) == []

    page.get_by_role("link", name=re.compile(r"^Uncovered \(")).click()
    expect(page.get_by_text("What would cover it:").first).to_be_visible()
    # The needs nobody holds now, the highest risk first (not those that lose their holder).
    page.get_by_label("Kind of change").select_option(label="Nobody, as now")
    page.get_by_role("button", name="Apply filters").click()
    assert serious_accessibility_violations(page) == []
    first_gap = page.locator(".planner-table-scroll tbody tr").first
    case_reference = first_gap.locator("td").first.get_by_role("link").inner_text()
    first_gap.get_by_role("link", name=re.compile("^Change")).click()

    expect(page.get_by_role("heading", name=re.compile(f"of {case_reference}"))).to_be_visible()
    page.get_by_role("button", name="Save the change").click()
    expect(page.get_by_role("alert")).to_contain_text("Select at least one reason for the change")
    assert serious_accessibility_violations(page) == []
    choice = page.locator("input[name=person]").first
    chosen_name = page.locator(f"label[for={choice.get_attribute('id')}]").inner_text().strip()
    choice.check()
    page.get_by_role("checkbox", name="Workload").check()
    page.get_by_label("Give more detail").fill("Covering while the team recruits")
    page.get_by_role("button", name="Save the change").click()
    expect(
        page.get_by_text(f"{case_reference}: the plan now gives this need to {chosen_name}.")
    ).to_be_visible()

    page.get_by_role("button", name="Approve this plan").click()
    page.get_by_role("button", name="Approve the plan").click()
    expect(page.get_by_text(re.compile(r"Plan run \d+ approved"))).to_be_visible()

    page.get_by_role("link", name="Cases", exact=True).click()
    page.get_by_role("link", name=case_reference).click()
    needs = page.get_by_role("table", name="Needs of this case and who holds each now")
    expect(needs).to_contain_text(
        re.compile(rf"From \d+ \w+ \d{{4}}:\s+{chosen_name}\s+\(plan run \d+\)")
    )
