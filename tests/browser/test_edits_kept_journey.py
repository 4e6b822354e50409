"""Two managers in two browsers change the same case: the second is told, and sees both values."""

from __future__ import annotations

from typing import Any

from flask import Flask
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from planner.domain.vocabulary import Rosh, UserRole
from planner.extensions import db
from planner.models import Case
from tests.browser.journeys import serious_accessibility_violations, sign_in
from tests.conftest import add_user


def a_high_risk_case(app: Flask) -> tuple[int, str, str]:
    """A case at high RoSH: its id, reference and a tier it is not at."""
    with app.app_context():
        case = db.session.scalars(
            select(Case).where(Case.rosh == Rosh.HIGH).order_by(Case.id)
        ).first()
        assert case is not None
        found = (case.id, case.reference, "C1" if case.tier != "C1" else "B2")
        db.session.close()  # its connection back before the pool goes
        db.engine.dispose()
        return found


def test_the_second_of_two_managers_is_told_and_sees_both_values(
    page: Page, browser: Browser, browser_context_args: dict[str, Any], site: str, app: Flask
) -> None:
    add_user(app, "manager.two", UserRole.MANAGER)
    case_id, reference, other_tier = a_high_risk_case(app)
    other = browser.new_context(**browser_context_args).new_page()
    sign_in(page, site)
    sign_in(other, site, "manager.two")
    for browser_page in (page, other):
        browser_page.goto(f"{site}/cases/{case_id}/edit")
        expect(browser_page.get_by_role("heading", name="Change case details")).to_be_visible()

    page.get_by_label("Risk of serious harm (RoSH)").select_option("very_high")
    page.get_by_role("button", name="Save case").click()
    expect(page.get_by_text(f"Case {reference} saved.")).to_be_visible()

    # The second manager opened the form before that save, and changes the tier only.
    other.get_by_label("Tier").select_option(other_tier)
    other.get_by_role("button", name="Save case").click()
    expect(other).to_have_title(f"Error: Change {reference} – Caseload planner")
    summary = other.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_contain_text("manager.user changed this case at ")
    expect(summary).to_contain_text(" since you opened it")
    summary.get_by_role("link").click()
    changes = other.get_by_role("table", name="What was saved since you opened this form")
    expect(changes).to_be_visible()
    rosh = changes.get_by_role("row").filter(has_text="Risk of serious harm (RoSH)")
    expect(rosh.get_by_role("cell")).to_have_text(["Very high", "High"])
    # Theirs are still in the form.
    expect(other.get_by_label("Tier")).to_have_value(other_tier)
    expect(other.get_by_label("Risk of serious harm (RoSH)")).to_have_value("high")
    assert serious_accessibility_violations(other) == []

    # Saving again is deliberate, and goes through.
    other.get_by_role("button", name="Save case").click()
    expect(other.get_by_text(f"Case {reference} saved.")).to_be_visible()
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert (case.rosh, case.tier) == (Rosh.HIGH, other_tier)
        db.session.close()  # its connection back before the pool goes
        db.engine.dispose()
    other.context.close()
