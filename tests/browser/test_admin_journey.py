"""An admin changes the CT multiplier, meets the error summary on the way, and adds a user."""

from __future__ import annotations

from flask import Flask
from playwright.sync_api import Page, expect

from planner.domain.vocabulary import UserRole
from tests.browser.journeys import expect_error_summary, serious_accessibility_violations, sign_in
from tests.conftest import add_user

NEW_PASSWORD = "a long new password for jo"


def test_an_admin_changes_a_setting_and_adds_a_user(page: Page, site: str, app: Flask) -> None:
    add_user(app, "admin.user", UserRole.ADMIN)
    sign_in(page, site, "admin.user")

    page.get_by_role("navigation", name="Primary navigation").get_by_role(
        "link", name="Settings"
    ).click()
    expect(page.get_by_role("heading", name="Settings", level=1)).to_be_visible()
    multiplier = page.locator("#setting-ct_multiplier")
    expect(multiplier).to_contain_text("× 1.5")
    assert serious_accessibility_violations(page) == []

    page.get_by_role("link", name="Change hours for each case").click()
    expect(page.get_by_role("heading", name="Hours for each case")).to_be_visible()
    page.get_by_label("CT multiplier").fill("one and a half")
    page.get_by_role("button", name="Save changes").click()
    summary = expect_error_summary(
        page,
        "Hours for each case",
        "The CT multiplier must be a number, like 1.5",
        (page.get_by_label("CT multiplier"), "one and a half"),
    )

    summary.get_by_role("link", name="The CT multiplier must be a number").click()
    expect(page.get_by_label("CT multiplier")).to_be_focused()
    page.get_by_label("CT multiplier").fill("2")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("CT multiplier: × 1.5 → × 2")).to_be_visible()
    expect(multiplier).to_contain_text("× 2")
    expect(multiplier).to_contain_text("by admin.user")
    expect(page.locator("#recent-changes + table")).to_contain_text("admin.user")

    page.get_by_role("navigation", name="Settings sections").get_by_role(
        "link", name="Users"
    ).click()
    expect(page.get_by_role("heading", name="Users")).to_be_visible()
    assert serious_accessibility_violations(page) == []
    page.get_by_role("link", name="Add a user").click()
    page.get_by_label("Username").fill("jo.bloggs")
    page.get_by_label("Manager").check()
    page.get_by_label("London").check()
    assert serious_accessibility_violations(page) == []
    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Add user").click()
    expect(page.get_by_text("Added manager jo.bloggs.")).to_be_visible()
    expect(page.get_by_role("row", name="jo.bloggs")).to_contain_text("Manager")
    expect(page.get_by_role("row", name="jo.bloggs")).to_contain_text("London")
