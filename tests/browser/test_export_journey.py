"""A manager downloads the staff list as XLSX from the staff page, and the alerts as CSV, with the
pages' filters, and opens the files: marked, and holding what the pages list."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from planner.web.spreadsheets import MARKING
from tests.browser.journeys import serious_accessibility_violations, sign_in


def test_download_the_staff_list_as_xlsx_and_the_alerts_as_csv(
    page: Page, site: str, tmp_path: Path
) -> None:
    sign_in(page, site)
    page.goto(f"{site}/staff/")
    page.get_by_label("Role").select_option(value="prison")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"role=prison"))
    listed = page.locator("tbody tr td:first-child a").all_inner_texts()
    assert listed, "the small demo data has POMs"
    assert serious_accessibility_violations(page) == []

    with page.expect_download() as download:
        page.get_by_role(
            "link", name="XLSX file of the staff list with their hours for the coming weeks"
        ).click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name == "staff-2026-12-07.xlsx"
    sheet = load_workbook(saved).active
    assert sheet["A1"].value == MARKING
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    headers, people = rows[0], rows[1:]
    assert headers[:3] == ("Name", "Staff ID", "Role")
    assert "Workload %, week from 7 December 2026" in headers
    assert {person[2] for person in people} == {"POM"}
    # The page shows its first page; the file holds every page, in the page's order.
    assert [person[0] for person in people][: len(listed)] == listed

    page.goto(f"{site}/alerts/")
    page.get_by_label("Severity").select_option(value="critical")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"severity=critical"))
    assert serious_accessibility_violations(page) == []
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV file of the alerts").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    lines = list(csv.reader(io.StringIO(saved.read_text(encoding="utf-8-sig"), newline="")))
    assert lines[0] == [MARKING]
    assert lines[1][:2] == ["Severity", "Kind"]
    assert {line[0] for line in lines[2:]} <= {"Critical"}
