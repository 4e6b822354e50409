"""A manager reviews a run from its summary, opens its changes, and approves with the harm restated;
the review reads on a phone without the page scrolling sideways."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.journeys import serious_accessibility_violations, sign_in

PHONE = {"width": 390, "height": 844}
PARTS = ("Summary", "Uncovered", "Changes", "Workloads", "Unchanged")


def run_the_plan(page: Page, site: str) -> None:
    """Run next week's plan from the Plans page and wait for its summary."""
    page.goto(f"{site}/plans/")
    page.get_by_label("Time limit in seconds").fill("20")
    page.get_by_role("button", name="Run the plan").click()
    expect(page.get_by_role("heading", name="What this plan does")).to_be_visible(timeout=60_000)


def open_part(page: Page, name: str) -> None:
    """Follow the review's sub-navigation to one of its parts."""
    page.get_by_role("navigation", name=re.compile("Parts of the review")).get_by_role(
        "link", name=re.compile(f"^{name}")
    ).click()
    expect(
        page.get_by_role("link", name=re.compile(f"^{name}")).and_(page.locator("[aria-current]"))
    ).to_be_visible()


def test_review_a_run_from_its_summary_open_its_changes_and_approve(page: Page, site: str) -> None:
    sign_in(page, site)
    run_the_plan(page, site)
    summary = page.get_by_role("main")
    expect(summary).to_contain_text(re.compile(r"\d+ needs? (get|gets) a holder"))
    expect(summary).to_contain_text("Needs held by risk, now and after this plan")
    expect(summary).to_contain_text(re.compile("the best (possible plan|plan found)"))
    expect(page.get_by_role("heading", name="Needs nobody can cover")).to_be_visible()
    expect(summary).not_to_contain_text("very_high")
    assert serious_accessibility_violations(page) == []

    for part in PARTS[1:]:
        open_part(page, part)
        assert serious_accessibility_violations(page) == []

    open_part(page, "Changes")
    rows = page.locator(".planner-table-scroll tbody tr")
    expect(rows.first).to_be_visible()
    page.get_by_label("Kind of change").select_option(label="Gets a holder")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"/changes\?.*kind=new"))
    for row in rows.all():
        expect(row).to_contain_text("Gets a holder")
    # Each row links to the case and to the person planned to hold it.
    expect(rows.first.get_by_role("link").first).to_have_attribute("href", re.compile("^/cases/"))
    expect(rows.first.locator("a[href^='/staff/']").first).to_be_visible()
    assert serious_accessibility_violations(page) == []

    page.get_by_role("button", name="Approve this plan").click()
    expect(page.get_by_role("heading", name=re.compile(r"^Approve run \d+\?"))).to_be_visible()
    harm = page.locator("#harm")
    expect(harm).to_contain_text(re.compile(r"\d+ needs? loses? their holder"))
    expect(harm).to_contain_text(re.compile(r"\d+ (person|people) past the safe workload"))
    expect(harm).to_contain_text(re.compile(r"\d+ very high and high risk needs? left with nobody"))
    approve = page.get_by_role("button", name="Approve the plan")
    expect(approve).to_have_attribute("data-prevent-double-click", "true")
    assert serious_accessibility_violations(page) == []
    approve.click()
    expect(
        page.get_by_text(re.compile(r"Plan run \d+ approved: \d+ allocations change"))
    ).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text(
        re.compile("This plan was approved by manager.user")
    )


def test_the_review_reads_on_a_phone_without_the_page_scrolling_sideways(
    page: Page, site: str
) -> None:
    sign_in(page, site)
    run_the_plan(page, site)
    page.set_viewport_size(PHONE)
    for part in PARTS:
        if part != "Summary":
            open_part(page, part)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], (part, width)
        # The wide tables scroll in their own labelled box instead.
        boxes = page.locator(".planner-table-scroll")
        if boxes.count():
            expect(boxes.first).to_have_attribute("role", "region")
            expect(boxes.first).to_have_attribute("tabindex", "0")
        assert serious_accessibility_violations(page) == []
    page.get_by_role("button", name="Approve this plan").click()
    expect(page.get_by_role("heading", name=re.compile(r"^Approve run \d+\?"))).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
