"""A case, a person and a run's summary on paper, as Chromium prints them: the marking on every
page, none of the service's header, navigation, search, buttons or footer links, rows whole and
links' words kept."""

from __future__ import annotations

import io
import unicodedata
from datetime import date

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from pypdf import PdfReader
from sqlalchemy import func, select

from planner.domain.weeks import IsoWeek
from planner.extensions import db
from planner.models import Allocation, Case, Need, StaffMember
from planner.plans.batch import run_week
from tests.browser.conftest import TODAY
from tests.browser.journeys import sign_in

MARKING = "OFFICIAL-SENSITIVE"
# What the header and navigation say on screen, which paper must not.
SCREEN_ONLY = ("Sign out", "manager.user (Manager)", "Search cases and people")
# Links paper leaves out with the rest of the ways around: pages, tabs, filters, "Change".
AROUND = ".govuk-pagination, .moj-sub-navigation, .planner-filters, .govuk-summary-list__actions"


def addresses(app: Flask) -> dict[str, str]:
    """A held case, the person holding the most, and a run of this week: what is printed."""
    with app.app_context():
        held = (
            select(Need.case_id, Allocation.staff_member_id)
            .join(Allocation, Allocation.need_id == Need.id)
            .join(Case, Case.id == Need.case_id)
            .where(Case.active, Case.restricted.is_(False), Allocation.end_date.is_(None))
        )
        case_id, _ = db.session.execute(held.order_by(Need.case_id).limit(1)).one()
        busiest = db.session.scalar(
            select(Allocation.staff_member_id)
            .join(StaffMember, StaffMember.id == Allocation.staff_member_id)
            .where(Allocation.end_date.is_(None))
            .group_by(Allocation.staff_member_id)
            .order_by(func.count().desc(), Allocation.staff_member_id)
            .limit(1)
        )
        week = IsoWeek.containing(date.fromisoformat(TODAY))
        run = run_week(db.session, week, "highs", 10, None, "test")
        found = {
            "case": f"/cases/{case_id}",
            "person": f"/staff/{busiest}",
            "run": f"/plans/{run.id}",
        }
        # The live server runs in another process: leave it no shared connection.
        db.session.close()
        db.engine.dispose()
        return found


def words(text: str) -> str:
    """Text with its line breaks and runs of spaces as single spaces, and ligatures (which the
    PDF's text keeps as "ﬃ") as their letters."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def printed(page: Page) -> list[str]:
    """The text of each sheet Chromium prints the page on (A4, the page's own margins)."""
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    return [words(sheet.extract_text()) for sheet in PdfReader(io.BytesIO(pdf)).pages]


@pytest.mark.parametrize("what", ["case", "person", "run"])
def test_a_printed_page_is_marked_on_every_sheet_and_shows_no_way_around_the_service(
    app: Flask, page: Page, site: str, what: str
) -> None:
    address = addresses(app)[what]
    sign_in(page, site)
    page.goto(f"{site}{address}")
    heading = words(page.get_by_role("heading", level=1).inner_text())
    buttons = [
        words(text) for text in page.locator(".govuk-button").all_inner_texts() if text.strip()
    ]
    links = [
        words(text)
        for text in page.eval_on_selector_all(
            "main a.govuk-link",
            f"links => links.filter(a => a.offsetParent && !a.closest({AROUND!r}))"
            ".map(a => a.cloneNode(true)).map(a => (a.querySelectorAll("
            "'.govuk-visually-hidden').forEach(hidden => hidden.remove()), a.textContent))",
        )
        if text.strip()
    ]
    assert buttons, "the page on screen has buttons to leave off paper"

    sheets = printed(page)
    assert sheets
    for number, sheet in enumerate(sheets, start=1):
        assert MARKING in sheet, f"sheet {number} of {len(sheets)} is not marked"
        for text in (*SCREEN_ONLY, *buttons):
            assert text not in sheet, f"sheet {number} shows {text!r}"
        assert "(/" not in sheet, f"sheet {number} prints the service's addresses after links"
    everything = " ".join(sheets)
    assert heading in everything
    for link in links:
        assert link in everything, f"the words of the link {link!r} are not printed"


def test_on_paper_the_header_is_hidden_rows_are_whole_and_headings_repeat(
    app: Flask, page: Page, site: str
) -> None:
    address = addresses(app)["person"]
    sign_in(page, site)
    page.goto(f"{site}{address}")
    expect(page.locator(".moj-header")).to_be_visible()
    page.emulate_media(media="print")
    for hidden in (".moj-header", ".moj-primary-navigation", ".govuk-breadcrumbs", ".govuk-button"):
        expect(page.locator(hidden).first).to_be_hidden()
    expect(page.locator(".govuk-footer")).to_contain_text(MARKING)
    row = page.locator(".govuk-table__row").first
    assert row.evaluate("row => getComputedStyle(row).breakInside") == "avoid"
    head = page.locator(".govuk-table__head").first
    assert head.evaluate("head => getComputedStyle(head).display") == "table-header-group"
