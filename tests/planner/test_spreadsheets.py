"""Spreadsheets: CSV, XLSX and JSON written from a Sheet and read back as a person's tools read
them (the csv module, openpyxl, json): marked, dated, and never running a formula."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime

import pytest
from flask import Flask
from openpyxl import load_workbook

from planner.web.spreadsheets import (
    MARKING,
    FileFormat,
    Sheet,
    download,
    file_name,
    safe_cell,
    to_csv,
    to_json,
    to_xlsx,
    write,
)

HOSTILE = ['=HYPERLINK("http://x","y")', "+1+1", "-2", "@SUM(A1)", "\tx", "\rx"]
SHEET = Sheet(
    "Current allocation",
    ["Reference", "Name", "Release date", "Opened", "Hours a week", "Cases"],
    [
        ["CT-0001", "Sam Example", date(2026, 12, 3), datetime(2026, 12, 1, 9, 30, tzinfo=UTC),
         7.5, 3],
        ["CT-0002", None, None, None, 12.0, 0],
    ],
)  # fmt: skip


def read_csv(data: bytes) -> list[list[str]]:
    """A CSV file's rows as Excel would read them (UTF-8 with its byte-order mark)."""
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def read_xlsx(data: bytes) -> list[tuple[object, ...]]:
    """An XLSX file's rows as openpyxl reads them."""
    return list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))


def test_safe_cell_escapes_what_a_spreadsheet_would_run() -> None:
    assert [safe_cell(text) for text in HOSTILE] == ["'" + text for text in HOSTILE]
    assert safe_cell("CT-0001") == "CT-0001"
    assert safe_cell(-2) == -2  # a number is a number, not a formula
    assert safe_cell(None) == ""


def test_csv_is_marked_with_iso_dates_and_plain_numbers() -> None:
    rows = read_csv(to_csv(SHEET))
    assert rows[0] == [MARKING]
    assert rows[1] == list(SHEET.headers)
    assert rows[2] == ["CT-0001", "Sam Example", "2026-12-03", "2026-12-01T09:30", "7.5", "3"]
    assert rows[3] == ["CT-0002", "", "", "", "12", "0"]


def test_xlsx_is_marked_in_its_first_row_header_footer_and_properties() -> None:
    data = to_xlsx(SHEET)
    book = load_workbook(io.BytesIO(data))
    sheet = book.active
    assert sheet.title == "Current allocation"
    assert sheet["A1"].value == MARKING
    assert sheet.oddHeader.center.text == MARKING
    assert sheet.oddFooter.center.text == MARKING
    assert MARKING in (book.properties.keywords, book.properties.category)
    assert book.properties.title == "Current allocation"
    assert [cell.value for cell in sheet[2]] == list(SHEET.headers)


def test_xlsx_dates_are_real_dates_with_a_date_format() -> None:
    sheet = load_workbook(io.BytesIO(to_xlsx(SHEET))).active
    released, opened = sheet["C3"], sheet["D3"]
    assert released.is_date and released.value.date() == date(2026, 12, 3)
    assert released.number_format == "d mmmm yyyy"
    # In UK time, without a zone (a spreadsheet has none).
    assert opened.is_date and opened.value == datetime(2026, 12, 1, 9, 30)
    assert sheet["E3"].value == 7.5 and sheet["F3"].value == 3


@pytest.mark.parametrize("hostile", HOSTILE)
def test_no_cell_runs_as_a_formula_in_csv_or_xlsx(hostile: str) -> None:
    sheet = Sheet("A list", ["Name", hostile], [[hostile, "x"]])
    assert read_csv(to_csv(sheet))[2][0] == "'" + hostile
    book = load_workbook(io.BytesIO(to_xlsx(sheet)))
    cells = [cell for row in book.active.iter_rows() for cell in row]
    assert all(cell.data_type != "f" for cell in cells)
    # XML reads a carriage return back as a line feed; the apostrophe still leads.
    read = "'" + hostile.replace("\r", "\n")
    assert book.active["A3"].value == read
    assert book.active["B2"].value == read


def test_json_holds_the_marking_and_each_row_by_header() -> None:
    document = json.loads(to_json(SHEET))
    assert document["marking"] == MARKING
    assert document["title"] == "Current allocation"
    assert document["rows"][0] == {
        "Reference": "CT-0001",
        "Name": "Sam Example",
        "Release date": "2026-12-03",
        "Opened": "2026-12-01T09:30",
        "Hours a week": 7.5,
        "Cases": 3,
    }
    assert document["rows"][1]["Name"] is None


def test_a_title_excel_refuses_as_a_sheet_name_is_made_one_it_takes() -> None:
    sheet = Sheet("Run 3: changes [all] of a very long title indeed", ["A"], [])
    name = load_workbook(io.BytesIO(write(sheet, FileFormat.XLSX))).active.title
    assert len(name) <= 31 and not set(name) & set("[]:*?/\\")


def test_a_download_is_named_with_its_day_and_never_cached(app: Flask) -> None:
    assert file_name("current-allocation", date(2026, 12, 3)) == "current-allocation-2026-12-03"
    with app.test_request_context():
        response = download(SHEET, FileFormat.XLSX, "current-allocation-2026-12-03")
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="current-allocation-2026-12-03.xlsx"'
    )
    assert response.headers["Cache-Control"] == "no-store"
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert read_xlsx(response.get_data())[0][0] == MARKING
