"""Lists as files a manager can open: CSV, XLSX or JSON, marked OFFICIAL-SENSITIVE, no cell a
formula."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from flask import Response
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

MARKING = "OFFICIAL-SENSITIVE"
# A cell a spreadsheet would read as a formula (or a control character it acts on).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Dates as a manager reads them ("3 December 2026"), still real dates to sort and sum.
DATE_FORMAT = "d mmmm yyyy"
DATETIME_FORMAT = "d mmmm yyyy h:mm"
UK = ZoneInfo("Europe/London")


class FileFormat(StrEnum):
    """The formats a list can be written in (JSON on the command line only)."""

    CSV = "csv"
    XLSX = "xlsx"
    JSON = "json"


# What a page offers to download.
DOWNLOADS = (FileFormat.CSV, FileFormat.XLSX)
MIMETYPES = {
    FileFormat.CSV: "text/csv",
    FileFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    FileFormat.JSON: "application/json",
}


@dataclass(frozen=True)
class Sheet:
    """A list as a table: a title, its column headers and its rows of plain values."""

    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[object]]


def safe_cell(value: object) -> object:
    """A value no spreadsheet runs: text starting like a formula gets a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _local(moment: datetime) -> datetime:
    """A moment in UK time without its zone (a spreadsheet's dates have none)."""
    return moment.astimezone(UK).replace(tzinfo=None) if moment.tzinfo else moment


def _text(value: object) -> str:
    """A cell as CSV text: dates as ISO dates, numbers without a needless `.0`."""
    value = safe_cell(value)
    if isinstance(value, datetime):
        return _local(value).isoformat(timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def to_csv(sheet: Sheet) -> bytes:
    """The sheet as CSV for Excel: UTF-8 with a byte-order mark, the marking on the first line."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([MARKING])
    writer.writerow(sheet.headers)
    writer.writerows([_text(cell) for cell in row] for row in sheet.rows)
    return out.getvalue().encode("utf-8-sig")


def _xlsx_cell(worksheet: Any, value: object) -> object:
    """A value for a written row: a date as a date cell with a format, anything else safe."""
    if isinstance(value, datetime):
        cell = WriteOnlyCell(worksheet, _local(value))
        cell.number_format = DATETIME_FORMAT
        return cell
    if isinstance(value, date):
        cell = WriteOnlyCell(worksheet, value)
        cell.number_format = DATE_FORMAT
        return cell
    return safe_cell(value)


def to_xlsx(sheet: Sheet) -> bytes:
    """The sheet as XLSX: the marking in its first row, its properties and its print header."""
    # Write-only: rows stream to the file, so a national list does not sit in memory as cells.
    workbook = Workbook(write_only=True)
    workbook.properties.title = sheet.title
    workbook.properties.keywords = MARKING
    workbook.properties.category = MARKING
    workbook.properties.subject = MARKING
    worksheet = workbook.create_sheet(_sheet_name(sheet.title))
    worksheet.oddHeader.center.text = MARKING
    worksheet.oddFooter.center.text = MARKING
    worksheet.append([MARKING])
    worksheet.append([safe_cell(header) for header in sheet.headers])
    for row in sheet.rows:
        worksheet.append([_xlsx_cell(worksheet, cell) for cell in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _sheet_name(title: str) -> str:
    """A worksheet's name from a title: at most 31 characters, none of those Excel forbids."""
    return "".join(" " if char in "[]:*?/\\" else char for char in title)[:31].strip() or "Sheet"


def _plain(value: object) -> object:
    """A value for JSON: dates as ISO text, numbers and text as they are."""
    if isinstance(value, datetime):
        return _local(value).isoformat(timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    return value


def to_json(sheet: Sheet) -> bytes:
    """The sheet as JSON: its marking and title, and each row as an object keyed by header."""
    rows = [
        {header: _plain(value) for header, value in zip(sheet.headers, row, strict=True)}
        for row in sheet.rows
    ]
    document = {"marking": MARKING, "title": sheet.title, "rows": rows}
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


WRITERS = {FileFormat.CSV: to_csv, FileFormat.XLSX: to_xlsx, FileFormat.JSON: to_json}


def write(sheet: Sheet, file_format: FileFormat) -> bytes:
    """The sheet in the format asked for."""
    return WRITERS[file_format](sheet)


def file_name(stem: str, on: date) -> str:
    """A download's name without its extension: what it is and the day it was made."""
    return f"{stem}-{on.isoformat()}"


def download(sheet: Sheet, file_format: FileFormat, filename: str) -> Response:
    """The sheet as a file to save, named `filename` plus the format's extension, never cached."""
    return Response(
        write(sheet, file_format),
        mimetype=MIMETYPES[file_format],
        headers={
            "Content-Disposition": f'attachment; filename="{filename}.{file_format}"',
            # Personal data: no browser or proxy keeps a copy.
            "Cache-Control": "no-store",
        },
    )
