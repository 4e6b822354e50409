"""A manager signs in, reaches the dashboard, and signs out."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.journeys import expect_error_summary, serious_accessibility_violations, sign_in


def test_sign_in_reach_the_dashboard_and_sign_out(page: Page, site: str) -> None:
    page.goto(f"{site}/")
    expect(page).to_have_url(f"{site}/sign-in?next=%2F")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert serious_accessibility_violations(page) == []

    sign_in(page, site)
    expect(page).to_have_url(f"{site}/")
    expect(page).to_have_title("Dashboard – Caseload planner")
    expect(page.get_by_role("heading", name="Dashboard", exact=True, level=1)).to_be_visible()
    expect(page.get_by_text("Week 2026-W50, from 7 December 2026")).to_be_visible()
    expect(page.get_by_text("manager.user (Manager)")).to_be_visible()
    assert serious_accessibility_violations(page) == []

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{site}/sign-in")
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    page.goto(f"{site}/")
    expect(page).to_have_url(f"{site}/sign-in?next=%2F")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_a_wrong_password_shows_the_error_summary_and_keeps_the_username(
    page: Page, site: str
) -> None:
    page.goto(f"{site}/sign-in")
    page.get_by_label("Username").fill("manager.user")
    page.get_by_label("Password", exact=True).fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect_error_summary(
        page,
        "Sign in",
        "Enter a correct username and password",
        (page.get_by_label("Username"), "manager.user"),
    )
