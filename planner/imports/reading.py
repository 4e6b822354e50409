"""Reading an uploaded file as a table of text: CSV (Excel's dialect) or XLSX (openpyxl)."""

from __future__ import annotations

import csv
import io
import warnings
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from planner.web.spreadsheets import FORMULA_STARTS, MARKING

NOT_A_SPREADSHEET = (
    "The file must be a spreadsheet saved as CSV (UTF-8) or as an Excel workbook (.xlsx)"
)
# What a spreadsheet runs as a formula when it starts a cell (tab and carriage return, which
# the export also guards, are hidden characters and refused cell by cell instead).
FORMULA_SIGNS = tuple(sign for sign in FORMULA_STARTS if sign.isprintable())
ZIP_SIGNATURE = b"PK\x03\x04"
# No kind has half as many columns: a workbook's cells beyond are never read (a small file can
# unpack into a very wide sheet).
MAX_COLUMNS = 60


class FileRefused(Exception):
    """The file as a whole cannot be read: one message says why."""


@dataclass(frozen=True)
class Table:
    """A file's header and its rows of text, each row numbered as a spreadsheet numbers it."""

    headers: list[str]
    header_row: int
    rows: list[tuple[int, list[str]]]


def read_table(content: bytes, filename: str, max_bytes: int, max_rows: int) -> Table:
    """The file as a table, or FileRefused: too large, not CSV or XLSX, formulas, or no header."""
    if not content:
        raise FileRefused("The file is empty")
    if len(content) > max_bytes:
        raise FileRefused(too_large(max_bytes))
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension == "xlsx" and content.startswith(ZIP_SIGNATURE):
        records = _xlsx_records(content)
    elif extension == "csv" and not content.startswith(ZIP_SIGNATURE):
        records = _csv_records(content)
    else:
        raise FileRefused(NOT_A_SPREADSHEET)
    return _table(records, max_rows)


def too_large(limit: int) -> str:
    """The refusal of a file over the size limit, in words: 4 MB, or 200 KB."""
    megabytes = limit / (1024 * 1024)
    size = f"{megabytes:g} MB" if megabytes >= 1 else f"{limit // 1024} KB"
    return f"The file must be smaller than {size}"


def _csv_records(content: bytes) -> Iterator[list[str]]:
    """The CSV's records as text: UTF-8 with or without a byte-order mark, Excel's dialect."""
    if b"\x00" in content:
        raise FileRefused(NOT_A_SPREADSHEET)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileRefused(NOT_A_SPREADSHEET + ": save it as CSV UTF-8") from None
    try:
        for number, record in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
            for index, cell in enumerate(record):
                if cell.startswith(FORMULA_SIGNS):
                    raise _formula(number, index)
            yield [_unquoted(cell) for cell in record]
    except csv.Error:
        raise FileRefused(NOT_A_SPREADSHEET) from None


def _xlsx_records(content: bytes) -> Iterator[list[str]]:
    """The first sheet's rows as text; a formula anywhere refuses the file."""
    try:
        # openpyxl warns of features it ignores (data validation, unknown extensions): what a
        # file's author styled is no concern of an import, which reads only values.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise FileRefused(NOT_A_SPREADSHEET) from None
    try:
        sheet = workbook.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS), start=1):
            cells = []
            for index, cell in enumerate(row):
                if getattr(cell, "data_type", None) == "f":
                    raise _formula(number, index)
                cells.append(_unquoted(_xlsx_text(cell.value)))
            yield cells
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, IndexError):
        raise FileRefused(NOT_A_SPREADSHEET) from None
    finally:
        workbook.close()


def _formula(number: int, index: int) -> FileRefused:
    """The refusal of a file holding a formula, saying where the first one is."""
    return FileRefused(
        f"The file holds a formula (row {number}, column {index + 1}): save the sheet "
        "with its values only, and upload it again"
    )


def _unquoted(cell: str) -> str:
    """A cell without the apostrophe an export puts before text that starts like a formula."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS) else cell


def _xlsx_text(value: object) -> str:
    """A cell's value as the text a CSV would hold: dates as ISO dates, numbers plainly."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _table(records: Iterable[list[str]], max_rows: int) -> Table:
    """The header (after the marking line, if any) and the rows that hold anything."""
    found: list[str] | None = None
    header_row = 0
    rows: list[tuple[int, list[str]]] = []
    for number, record in enumerate(records, start=1):
        if not any(cell.strip() for cell in record):
            continue
        if found is None:
            if [cell.strip() for cell in record if cell.strip()] == [MARKING]:
                continue
            found, header_row = [_header(cell) for cell in record], number
            continue
        if len(rows) >= max_rows:
            raise FileRefused(f"The file must hold {max_rows:,} rows or fewer: split it")
        rows.append((number, record))
    if found is None:
        raise FileRefused("The file has no header row: its first row must name the columns")
    while found and not found[-1]:
        found.pop()
    return Table(found, header_row, rows)


def _header(cell: str) -> str:
    """A header as the columns are named: "Staff ID" is staff_id."""
    return "_".join(cell.strip().lower().split())
