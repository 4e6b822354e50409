"""A manager acknowledges an alert, sees who acknowledged it and when, and downloads the list."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from planner.domain.clock import today
from planner.domain.weeks import IsoWeek
from planner.extensions import db
from planner.plans.batch import run_week
from tests.browser.journeys import serious_accessibility_violations, sign_in

NOTE = "Agency PO starts on Monday; the SPO covers until then"


@pytest.fixture
def planned(app: Flask) -> None:
    """This week planned: a short-staffed week leaves alerts."""
    with app.app_context():
        run_week(db.session, IsoWeek.containing(today()), "highs", 10, None, "test")
        db.session.close()
        db.engine.dispose()


def test_acknowledge_an_alert_see_who_did_and_download_the_list(
    planned: None, page: Page, site: str, tmp_path: Path
) -> None:
    sign_in(page, site)
    page.goto(f"{site}/alerts/")
    first = page.locator("tbody tr").first
    expect(first).to_contain_text("New")
    what = first.locator("td").nth(2).get_by_role("link").inner_text()
    first.get_by_role("link", name=re.compile("^Acknowledge")).click()
    page.get_by_label("What is being done about it?").fill(NOTE)
    page.get_by_role("button", name="Acknowledge").click()
    expect(page.get_by_text("Alert acknowledged.")).to_be_visible()

    page.get_by_label("Status").select_option(label="Open, acknowledged")
    page.get_by_role("button", name="Apply filters").click()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Acknowledged")
    expect(rows.first).not_to_contain_text("New")
    expect(rows.first).to_contain_text(re.compile(r"Acknowledged by manager\.user on \d+ \w+ 2026"))
    expect(rows.first).to_contain_text(NOTE)
    assert serious_accessibility_violations(page) == []

    rows.first.get_by_role("link", name=what).click()
    history = page.locator(".planner-history")
    expect(history).to_contain_text(re.compile(r"Raised on .* by run 1\."))
    expect(history).to_contain_text("Acknowledged by manager.user on")
    assert serious_accessibility_violations(page) == []
    page.go_back()

    with page.expect_download() as download:
        page.get_by_role("link", name="CSV file of the alerts").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    lines = list(csv.reader(io.StringIO(saved.read_text(encoding="utf-8-sig"), newline="")))
    headers, (alert,) = lines[1], lines[2:]  # the filter applied: the one acknowledged
    assert alert[headers.index("Acknowledged by")] == "manager.user"
    assert alert[headers.index("Note")] == NOTE
