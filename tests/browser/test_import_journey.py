"""A manager imports staff from a spreadsheet: upload, preview, confirm, and the people are listed;
a bad file lists its problems row by row; every page passes axe."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from playwright.sync_api import Page, expect

from tests.browser.journeys import expect_error_summary, serious_accessibility_violations, sign_in
from tests.planner.imports import EXAMPLES

STAFF_EXAMPLE = EXAMPLES / "staff.csv"


def test_a_manager_imports_staff_and_sees_them_listed(app: Flask, page: Page, site: str) -> None:
    sign_in(page, site)
    page.goto(f"{site}/staff/")
    page.get_by_role("link", name="Import from a spreadsheet").click()
    expect(page.get_by_role("heading", name="Import from a spreadsheet")).to_be_visible()
    expect(page.get_by_label("Staff", exact=True)).to_be_checked()
    assert serious_accessibility_violations(page) == []

    page.get_by_label("Upload a file").set_input_files(str(STAFF_EXAMPLE))
    page.get_by_role("button", name="Preview the import").click()
    expect(page.get_by_role("heading", name="Check the import of staff.csv")).to_be_visible()
    rows = page.get_by_role("table").filter(has_text="Row by row")
    expect(rows).to_contain_text("Alex Example (S-EX-001)")
    expect(rows.get_by_text("Added")).to_have_count(4)
    assert serious_accessibility_violations(page) == []

    page.get_by_role("button", name="Import 4 rows").click()
    expect(page.get_by_role("heading", name="Staff", exact=True)).to_be_visible()
    expect(
        page.get_by_text("Imported staff.csv: 4 created, 0 updated, 0 unchanged.")
    ).to_be_visible()
    page.goto(f"{site}/staff/?search=Example")
    expect(page.get_by_role("link", name="Alex Example")).to_be_visible()

    # The new people are found by the search box in the header, as they type.
    box = page.get_by_role("combobox", name="Search cases and people")
    box.press_sequentially("alex exa", delay=30)
    found = page.get_by_role("listbox", name="Cases and people found").get_by_role("option")
    expect(found.first).to_contain_text("Alex Example")
    box.press("ArrowDown")
    box.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Alex Example")


def test_a_bad_file_shows_each_problem_by_row_and_column(
    app: Flask, page: Page, site: str, tmp_path: Path
) -> None:
    lines = STAFF_EXAMPLE.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace(",PQiP,", ",Chief,")
    lines[3] = lines[3].replace("2027-06-30", "30/06/27")
    bad = tmp_path / "bad staff.csv"
    bad.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    sign_in(page, site)
    page.goto(f"{site}/imports/")
    page.get_by_label("Staff", exact=True).check()
    page.get_by_label("Upload a file").set_input_files(str(bad))
    page.get_by_role("button", name="Preview the import").click()
    summary = expect_error_summary(
        page,
        "Import from a spreadsheet",
        "Row 3, column grade: 'Chief' is not one of PSO, PQiP, PO or SPO",
    )
    expect(summary).to_contain_text("Row 4, column vetting_expiry: Enter a date like 2026-12-03")
    problems = page.get_by_role("table").filter(has_text="Problems in the file")
    expect(problems.get_by_role("row")).to_have_count(3)
    page.goto(f"{site}/staff/?search=Example")
    expect(page.get_by_role("link", name="Alex Example")).to_have_count(0)
