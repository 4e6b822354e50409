"""Lists as files a manager can open: CSV or XLSX, marked OFFICIAL-SENSITIVE, no cell a formula."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from flask import Response
from openpyxl import Workbook

MARKING = "OFFICIAL-SENSITIVE"
# A cell a spreadsheet would read as a formula (or a control character it acts on).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class FileFormat(StrEnum):
    """The formats a list can be downloaded in."""

    CSV = "csv"
    XLSX = "xlsx"


MIMETYPES = {
    FileFormat.CSV: "text/csv",
    FileFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class Sheet:
    """A list as a table: a title, its column headers and its rows of plain values."""

    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence[object]]


def safe_cell(value: object) -> object:
    """A value no spreadsheet runs: text starting like a formula gets a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _text(value: object) -> str:
    """A cell as CSV text: dates as ISO dates, numbers without a needless `.0`."""
    value = safe_cell(value)
    if isinstance(value, datetime | date):
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


def to_xlsx(sheet: Sheet) -> bytes:
    """The sheet as XLSX: the marking in its first row, its properties and its print header."""
    # Write-only: rows stream to the file, so a national list does not sit in memory as cells.
    workbook = Workbook(write_only=True)
    workbook.properties.title = sheet.title
    workbook.properties.keywords = MARKING
    workbook.properties.category = MARKING
    worksheet = workbook.create_sheet(sheet.title[:31])
    worksheet.oddHeader.center.text = MARKING
    worksheet.oddFooter.center.text = MARKING
    worksheet.append([MARKING])
    worksheet.append(list(sheet.headers))
    for row in sheet.rows:
        worksheet.append([safe_cell(cell) for cell in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def write(sheet: Sheet, file_format: FileFormat) -> bytes:
    """The sheet in the format asked for."""
    return to_xlsx(sheet) if file_format is FileFormat.XLSX else to_csv(sheet)


def download(sheet: Sheet, file_format: FileFormat, filename: str) -> Response:
    """The sheet as a file to save, named `filename` plus the format's extension."""
    return Response(
        write(sheet, file_format),
        mimetype=MIMETYPES[file_format],
        headers={"Content-Disposition": f'attachment; filename="{filename}.{file_format}"'},
    )
