"""Helpers for the import tests: files written as a spreadsheet would, and the command run."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from click.testing import Result
from flask import Flask
from openpyxl import Workbook
from sqlalchemy import func, select

from planner.extensions import db
from planner.imports.columns import ImportKind, headers
from planner.models import AuditEvent

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "imports"
FILES = Path(__file__).resolve().parent / "files"
TODAY = "2026-11-30"

# A good row of each kind, for the tiny world of tests/planner/world.py (London: HMP-TEST and
# NSD-TEST; people S-001 upwards as the test adds them; the case CT-LON-0001).
GOOD: dict[ImportKind, dict[str, str]] = {
    ImportKind.STAFF: {
        "staff_id": "S-NEW-001",
        "name": "Nia New",
        "role": "probation",
        "grade": "PO",
        "site": "NSD-TEST",
        "contracted_hours": "37",
        "other_work_hours": "",
        "vetting": "SC",
        "vetting_expiry": "2028-03-31",
        "skills": "ct_trained",
        "languages": "",
        "max_cases": "",
        "training_start": "",
        "active": "yes",
    },
    ImportKind.CASES: {
        "reference": "CT-NEW-0001",
        "name": "Nico Newcase",
        "cohort": "TACT",
        "rosh": "high",
        "tier": "B2",
        "mappa_category": "4",
        "mappa_level": "2",
        "setting": "custody",
        "site": "HMP-TEST",
        "sentence_type": "determinate",
        "sentence_date": "2022-05-09",
        "release_date": "2027-11-08",
        "parole_eligibility_date": "",
        "tariff_expiry_date": "",
        "parole_hearing_date": "",
        "released_on": "",
        "licence_end_date": "",
        "next_mappa_review": "",
        "next_erg_review": "",
    },
    ImportKind.ABSENCES: {
        "staff_id": "S-001",
        "kind": "annual_leave",
        "start_date": "2027-01-04",
        "end_date": "2027-01-08",
        "note": "",
    },
    ImportKind.REDUCTIONS: {
        "staff_id": "S-001",
        "kind": "union_duties",
        "start_date": "2026-12-01",
        "end_date": "2027-11-30",
        "hours_per_week": "3.7",
        "note": "",
    },
    ImportKind.NEEDS: {
        "reference": "CT-LON-0001",
        "need": "manager_1",
        "role": "probation",
        "min_grade": "PO",
        "hours": "2",
        "vetting": "SC",
        "skills": "urdu",
        "same_site": "no",
        "reason": "Speaks Urdu with the family",
    },
}


def row(kind: ImportKind, /, **changes: str) -> dict[str, str]:
    """A good row of a kind with some cells changed."""
    return {**GOOD[kind], **changes}


def csv_bytes(
    kind: ImportKind,
    rows: Sequence[dict[str, str]],
    columns: Sequence[str] | None = None,
    bom: bool = True,
) -> bytes:
    """Rows as Excel writes CSV: a header, quoted where needed, CRLF, UTF-8 (with a BOM)."""
    names = list(columns or headers(kind))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(names)
    writer.writerows([found.get(name, "") for name in names] for found in rows)
    return out.getvalue().encode("utf-8-sig" if bom else "utf-8")


def xlsx_bytes(kind: ImportKind, rows: Sequence[dict[str, Any]]) -> bytes:
    """Rows as an openpyxl workbook: a header, then the cells as given (text, numbers, dates)."""
    workbook = Workbook()
    sheet = workbook.active
    names = headers(kind)
    sheet.append(names)
    for found in rows:
        sheet.append([found.get(name) for name in names])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def write(tmp_path: Path, name: str, content: bytes) -> Path:
    """A file in the test's folder."""
    path = tmp_path / name
    path.write_bytes(content)
    return path


def run_import(app: Flask, kind: ImportKind | str, path: Path, *options: str) -> Result:
    """`flask import KIND FILE [options]`."""
    return app.test_cli_runner().invoke(args=["import", str(kind), str(path), *options])


def problem_lines(result: Result) -> list[str]:
    """The lines naming a row and a column, as the command prints its problems."""
    return [line for line in result.output.splitlines() if line.startswith("row ")]


def audit_count(app: Flask) -> int:
    """How many audit lines there are."""
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEvent))


def pending_for(app: Flask, username: str) -> int:
    """An upload of one new person, previewed by the user and waiting for them to confirm it."""
    from planner.imports.plan import Action, ImportPlan, PlannedRow
    from planner.models import PendingImport, User

    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.username == username))
        plan = ImportPlan(ImportKind.STAFF, (PlannedRow(2, "Nia New (S-NEW-001)", Action.CREATE),))
        pending = PendingImport(
            user_id=user_id,
            kind="staff",
            filename="staff.csv",
            content=csv_bytes(ImportKind.STAFF, [GOOD[ImportKind.STAFF]]),
            plan=plan.as_json(),
            fingerprint=plan.fingerprint(),
        )
        db.session.add(pending)
        db.session.commit()
        return pending.id
