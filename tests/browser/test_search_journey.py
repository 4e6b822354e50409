"""A manager finds a case from the header's box: typing, choosing with the keyboard, opening it;
and without script the same box opens a results page that works."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import select

from planner.extensions import db
from planner.models import Case
from tests.browser.journeys import serious_accessibility_violations, sign_in


def a_case(app: Flask) -> tuple[int, str, str]:
    """A case anyone in its region may open: id, reference and name."""
    with app.app_context():
        case = db.session.scalars(
            select(Case).where(Case.active, Case.restricted.is_(False)).order_by(Case.reference)
        ).first()
        found = case.id, case.reference, case.name
        # The live server runs in another process: leave it no shared connection.
        db.session.close()
        db.engine.dispose()
        return found


def test_typing_in_the_header_offers_the_case_and_the_keyboard_opens_it(
    app: Flask, page: Page, site: str
) -> None:
    case_id, reference, name = a_case(app)
    sign_in(page, site)
    box = page.get_by_role("combobox", name="Search cases and people")
    expect(box).to_have_attribute("aria-expanded", "false")
    box.press_sequentially(reference.lower(), delay=30)

    options = page.get_by_role("listbox", name="Cases and people found")
    expect(options).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    first = options.get_by_role("option").first
    expect(first).to_contain_text(name)
    expect(first).to_contain_text(f"Case {reference}")
    status = page.locator(".planner-search--header [data-search-status]")
    expect(status).to_have_attribute("aria-live", "polite")
    expect(status).to_contain_text("1 case found. Use the up and down arrow keys to choose one")
    assert serious_accessibility_violations(page) == []

    box.press("ArrowDown")
    expect(first).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", first.get_attribute("id") or "")
    box.press("Enter")
    expect(page).to_have_url(f"{site}/cases/{case_id}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)


def test_escape_closes_the_list_and_enter_without_a_choice_searches(
    app: Flask, page: Page, site: str
) -> None:
    _, _, name = a_case(app)
    surname = name.split()[-1]
    sign_in(page, site)
    box = page.get_by_role("combobox", name="Search cases and people")
    box.press_sequentially(surname[:4], delay=30)
    options = page.get_by_role("listbox", name="Cases and people found")
    expect(options).to_be_visible()
    status = page.locator(".planner-search--header [data-search-status]")
    expect(status).to_contain_text("found")

    box.press("ArrowDown")
    box.press("ArrowUp")
    box.press("Escape")
    expect(options).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")
    assert box.get_attribute("aria-activedescendant") is None

    box.press("Enter")
    expect(page).to_have_title(f"Search results for ‘{surname[:4]}’ – Caseload planner")
    expect(page.get_by_role("heading", name="Search cases and people")).to_be_visible()
    cases = page.get_by_role("table", name="Cases")
    expect(cases.get_by_role("link", name=name).first).to_be_visible()
    assert serious_accessibility_violations(page) == []

    # The page's own box suggests too, and a search of nothing says what to type.
    search = page.get_by_role("combobox", name="Search")
    search.fill("")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Enter a name, a case reference or a staff ID"
    )
    assert serious_accessibility_violations(page) == []


@pytest.fixture
def without_script(browser: Browser) -> Iterator[BrowserContext]:
    """A browser that runs no script at all."""
    context = browser.new_context(java_script_enabled=False)
    yield context
    context.close()


def test_without_script_the_header_box_opens_a_results_page_that_works(
    app: Flask, without_script: BrowserContext, site: str
) -> None:
    case_id, reference, name = a_case(app)
    page = without_script.new_page()
    sign_in(page, site)
    box = page.get_by_role("searchbox", name="Search cases and people")
    box.fill(reference)
    box.press("Enter")
    expect(page).to_have_url(f"{site}/search?q={reference}")
    cases = page.get_by_role("table", name="Cases")
    expect(cases).to_contain_text(reference)
    expect(page.get_by_text("No people match.")).to_be_visible()
    cases.get_by_role("link", name=name).click()
    expect(page).to_have_url(f"{site}/cases/{case_id}")
