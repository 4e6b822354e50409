"""Reading import files: CSV as Excel writes it, XLSX from openpyxl and LibreOffice, and refusals."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime

import pytest
from openpyxl import Workbook

from planner.imports.columns import ImportKind, headers
from planner.imports.reading import NOT_A_SPREADSHEET, FileRefused, read_table
from planner.web.spreadsheets import MARKING
from tests.planner.imports import FILES, csv_bytes, row, xlsx_bytes

LIMIT = 1024 * 1024


def read(content: bytes, name: str, max_rows: int = 1000) -> tuple[list[str], list[list[str]]]:
    """The header and the rows' cells of a file."""
    table = read_table(content, name, LIMIT, max_rows)
    return table.headers, [cells for _, cells in table.rows]


@pytest.mark.parametrize("bom", [True, False])
def test_csv_is_read_with_or_without_a_byte_order_mark(bom: bool) -> None:
    content = csv_bytes(ImportKind.STAFF, [row(ImportKind.STAFF)], bom=bom)
    assert content.startswith(b"\xef\xbb\xbf") is bom
    found, rows = read(content, "staff.csv")
    assert found == headers(ImportKind.STAFF)
    assert rows[0][:2] == ["S-NEW-001", "Nia New"]


def test_excels_dialect_is_read_quoted_commas_quotes_and_line_breaks() -> None:
    content = (
        "staff_id,kind,start_date,end_date,note\r\n"
        'S-001,other,2027-01-04,2027-01-08,"Course, then ""study"" leave\r\nsecond line"\r\n'
    ).encode("utf-8-sig")
    _, rows = read(content, "a.CSV")
    assert rows == [["S-001", "other", "2027-01-04", "2027-01-08",
                     'Course, then "study" leave\r\nsecond line']]  # fmt: skip


def test_the_marking_line_of_an_export_and_empty_rows_are_passed_over() -> None:
    content = f"{MARKING}\r\n\r\nStaff ID,Name\r\n,\r\nS-1,Ann\r\n".encode()
    table = read_table(content, "s.csv", LIMIT, 10)
    assert table.headers == ["staff_id", "name"]
    assert table.header_row == 3
    # Rows keep the number a spreadsheet shows them at.
    assert table.rows == [(5, ["S-1", "Ann"])]


def test_an_apostrophe_an_export_put_before_formula_text_is_taken_off() -> None:
    _, rows = read(b"name\r\n'=not a formula\r\n'plain\r\n", "s.csv")
    assert rows == [["=not a formula"], ["'plain"]]


def test_xlsx_written_by_openpyxl_is_read_with_numbers_and_dates_as_text() -> None:
    cells = row(ImportKind.STAFF)
    cells.update(contracted_hours=37, other_work_hours=7.5, vetting_expiry=datetime(2028, 3, 31))
    cells.update(training_start=date(2026, 9, 1), max_cases=None)
    found, rows = read(xlsx_bytes(ImportKind.STAFF, [cells]), "staff.xlsx")
    assert found == headers(ImportKind.STAFF)
    values = dict(zip(found, rows[0], strict=False))
    assert values["contracted_hours"] == "37"
    assert values["other_work_hours"] == "7.5"
    assert values["vetting_expiry"] == "2028-03-31"
    assert values["training_start"] == "2026-09-01"
    assert values["max_cases"] == ""


def test_xlsx_saved_by_libreoffice_is_read() -> None:
    # Made by `libreoffice --headless --convert-to xlsx` from docs/imports/staff.csv.
    content = (FILES / "staff-libreoffice.xlsx").read_bytes()
    found, rows = read(content, "staff-libreoffice.xlsx")
    assert found == headers(ImportKind.STAFF)
    assert [cells[0] for cells in rows] == ["S-EX-001", "S-EX-002", "S-EX-003", "S-EX-004"]
    values = dict(zip(found, rows[2], strict=False))
    assert values["contracted_hours"] == "22.5"
    assert values["vetting_expiry"] == "2027-06-30"


def refusal(content: bytes, name: str, max_rows: int = 1000) -> str:
    """What the refusal of a file says."""
    with pytest.raises(FileRefused) as refused:
        read_table(content, name, LIMIT, max_rows)
    return str(refused.value)


def test_a_formula_in_a_csv_refuses_the_file_saying_where() -> None:
    content = b'staff_id,name\r\nS-1,Ann\r\nS-2,=HYPERLINK("http://x")\r\n'
    assert refusal(content, "s.csv") == (
        "The file holds a formula (row 3, column 2): save the sheet with its values only, "
        "and upload it again"
    )
    for sign in "+-@":
        assert "formula" in refusal(f"name\r\n{sign}1+1\r\n".encode(), "s.csv")


def test_a_formula_in_an_xlsx_refuses_the_file() -> None:
    workbook = Workbook()
    workbook.active.append(["name", "contracted_hours"])
    workbook.active.append(["Ann", "=30+7"])
    out = io.BytesIO()
    workbook.save(out)
    assert refusal(out.getvalue(), "s.xlsx").startswith(
        "The file holds a formula (row 2, column 2)"
    )


def test_a_file_too_large_is_refused() -> None:
    content = b"name\r\n" + b"x" * LIMIT
    assert refusal(content, "s.csv") == "The file must be smaller than 1 MB"


def test_too_many_rows_are_refused() -> None:
    content = b"name\r\n" + b"Ann\r\n" * 11
    assert refusal(content, "s.csv", max_rows=10) == "The file must hold 10 rows or fewer: split it"


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"%PDF-1.4 a report", "report.pdf"),
        (b"name\r\nAnn\r\n", "staff.txt"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old excel", "staff.xls"),
        (b"PK\x03\x04 not really a workbook", "staff.xlsx"),
        (b"caf\xe9,latin-1\r\n", "staff.csv"),
        (b"name\x00\r\n", "staff.csv"),
    ],
)
def test_a_file_that_is_not_a_spreadsheet_is_refused_in_one_message(
    content: bytes, name: str
) -> None:
    assert refusal(content, name).startswith(NOT_A_SPREADSHEET)


def test_a_zip_that_is_not_a_workbook_is_refused() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "hello")
    assert refusal(out.getvalue(), "staff.xlsx") == NOT_A_SPREADSHEET


def test_an_empty_file_or_one_without_a_header_is_refused() -> None:
    assert refusal(b"", "s.csv") == "The file is empty"
    assert refusal(b"\r\n,,\r\n", "s.csv").startswith("The file has no header row")
