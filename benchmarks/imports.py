"""Benchmark importing a 20,000-row cases file at the national demo scale.

    .venv/bin/python benchmarks/imports.py [rows]

Builds the national demo data (seed 1, week of 30 November 2026) in a fresh SQLite database,
exports its cases in the import's columns, and makes a file of `rows` cases (20,000 by default):
every case there is (one in ten with its RoSH or name changed), then new cases copied from
them under new references. It times, with the process's peak memory:
- checking and previewing the file (read, every row through the case form, the plan, its
  fingerprint): target at most 10 s;
- importing it (cases created and updated, needs derived, the audit, the dates checked, one
  commit): target at most 30 s;
- checking the same file again, which must find every row unchanged.
"""

from __future__ import annotations

import csv
import io
import sys

from measure import START, Measurement, demo_database, measured

from planner.domain.reach import Reach
from planner.extensions import db
from planner.imports.applying import apply_import
from planner.imports.columns import ImportKind
from planner.imports.plan import Action
from planner.imports.records import case_sheet
from planner.imports.services import Limits, prepare
from planner.models.policy import load_policy
from planner.web.spreadsheets import to_csv

LIMITS = Limits(max_bytes=64 * 1024 * 1024, max_rows=100_000)
RISKS = ("low", "medium", "high", "very_high")


def cases_file(exported: bytes, rows: int) -> bytes:
    """The exported cases, one in ten changed, then copies under new references up to `rows`."""
    lines = list(csv.reader(io.StringIO(exported.decode("utf-8-sig"), newline="")))
    header, stored = lines[1], lines[2:]
    reference, name, rosh = (header.index(column) for column in ("reference", "name", "rosh"))
    out = [header]
    for number, cells in enumerate(stored):
        cells = list(cells)
        if number % 10 == 0:
            cells[rosh] = RISKS[(RISKS.index(cells[rosh]) + 1) % len(RISKS)]
        elif number % 10 == 5:
            cells[name] = cells[name] + " Junior"
        out.append(cells)
    copy = 0
    while len(out) - 1 < rows:
        cells = list(stored[copy % len(stored)])
        cells[reference] = f"CT-IMP-{copy:06d}"
        out.append(cells)
        copy += 1
    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n").writerows(out)
    return text.getvalue().encode("utf-8-sig")


def figures(measurement: Measurement) -> str:
    """A block's time and the peak memory of the process while it ran."""
    return f"{measurement.wall:6.1f} s, peak {measurement.peak / 1e6:5.0f} MB"


def main() -> None:
    """Make the file, then check, import and check it again, printing each figure."""
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    with demo_database("national") as app, app.app_context():
        content = cases_file(to_csv(case_sheet(Reach.everything())), rows)
        policy = load_policy(db.session)
        print(f"== a cases file of {rows:,} rows ({len(content) / 1e6:.1f} MB), national demo")
        with measured() as checking:
            prepared = prepare(db.session, ImportKind.CASES, content, "cases.csv",
                               Reach.everything(), policy, LIMITS)  # fmt: skip
            if prepared.problems or prepared.plan is None:
                raise SystemExit("\n".join(problem.line() for problem in prepared.problems[:20]))
            prepared.plan.as_json()
            prepared.plan.fingerprint()
        plan = prepared.plan
        print(f"   checked and previewed: {figures(checking)} ({plan.in_words()})")
        with measured() as importing:
            apply_import(db.session, prepared, policy, START, "benchmark", None)
            db.session.commit()
        print(f"   imported:              {figures(importing)}")
        db.session.expunge_all()
        with measured() as again:
            second = prepare(db.session, ImportKind.CASES, content, "cases.csv",
                             Reach.everything(), policy, LIMITS)  # fmt: skip
        assert second.plan is not None
        unchanged = second.plan.total(Action.UNCHANGED)
        print(f"   the same file again:   {figures(again)} ({second.plan.in_words()})")
        if unchanged != rows:
            raise SystemExit(f"the second import would change {rows - unchanged} rows")


if __name__ == "__main__":
    main()
