"""`flask export KIND`: JSON, CSV and XLSX to standard output or a file, the pages' filters as
options, audited; a bad kind or option stops with one readable line and a non-zero status."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from openpyxl import load_workbook
from sqlalchemy import select

from planner.domain.vocabulary import Rosh
from planner.domain.weeks import IsoWeek
from planner.extensions import db
from planner.models import AuditEvent
from planner.plans.batch import run_week
from planner.web.spreadsheets import MARKING
from tests.conftest import AppFactory
from tests.planner.world import World

HOSTILE = '=HYPERLINK("http://example.invalid","Open")'


@pytest.fixture
def app(app_factory: AppFactory) -> Flask:
    """Two London cases (one named like a formula), a Wales case, and a run of the week."""
    app = app_factory("export_cli", TODAY="2026-11-30")
    with app.app_context():
        world = World(db.session)
        _, _, wales_office = world.elsewhere("Wales")
        sam = world.person(name="Sam Holder")
        held = world.case(reference="CT-LON-0001", name=HOSTILE, rosh=Rosh.VERY_HIGH)
        world.hold(held, "com", sam)
        world.case(reference="CT-LON-0002", name="Lee Low", rosh=Rosh.LOW)
        world.case(reference="CT-WAL-0001", name="Wyn Wales", site=wales_office)
        db.session.commit()
        run_week(db.session, IsoWeek.parse("2026-W49"), "highs", 10, None, "test")
    return app


def test_json_to_standard_output_is_marked_with_rows_by_header(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["export", "allocation", "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["marking"] == MARKING
    assert document["title"] == "Current allocation"
    com = next(row for row in document["rows"] if row["Reference"] == "CT-LON-0001")
    # JSON is for other tools, not spreadsheets: the name as it is.
    assert (com["Name"], com["Held by"], com["RoSH"]) == (HOSTILE, "Sam Holder", "Very high")
    assert com["Held since"] == "2026-01-05"


def test_csv_to_standard_output_takes_the_pages_filters(runner: FlaskCliRunner) -> None:
    result = runner.invoke(
        args=["export", "allocation", "--region", "london", "--rosh", "very high"]
    )
    assert result.exit_code == 0, result.output
    lines = list(csv.reader(io.StringIO(result.stdout.lstrip("\ufeff"))))
    assert lines[0] == [MARKING]
    assert {line[0] for line in lines[2:]} == {"CT-LON-0001"}
    assert lines[2][1] == "'" + HOSTILE


def test_xlsx_to_a_file(runner: FlaskCliRunner, tmp_path: Path) -> None:
    target = tmp_path / "plan.xlsx"
    result = runner.invoke(
        args=["export", "plan", "--run", "1", "--format", "xlsx", "--output", str(target),
              "--region", "Wales"]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.output == f"Wrote 1 row of a run's plan to {target}.\n"
    sheet = load_workbook(target).active
    assert sheet["A1"].value == MARKING
    assert [row[0] for row in sheet.iter_rows(min_row=3, values_only=True)] == ["CT-WAL-0001"]


def test_each_export_from_the_command_line_is_audited(app: Flask, runner: FlaskCliRunner) -> None:
    assert (
        runner.invoke(args=["export", "staff", "--format", "json", "--search", "Sam"]).exit_code
        == 0
    )
    with app.app_context():
        line = db.session.scalars(select(AuditEvent).where(AuditEvent.entity == "export")).one()
    assert line.actor.startswith("cli:") and line.entity_id == "staff"
    assert line.after == {
        "kind": "staff",
        "format": "json",
        "options": {"search": "Sam"},
        "rows": 1,
    }


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["nothing"], "Error: there is no export 'nothing': choose from allocation, staff, "),
        (["allocation", "--format", "pdf"], "Error: --format cannot be 'pdf': choose from csv, xlsx, json"),
        (["allocation", "--rosh", "extreme"], "Error: --rosh cannot be 'extreme': choose from Low, Medium, High, Very high"),
        (["allocation", "--region", "Atlantis"], "Error: --region cannot be 'Atlantis': choose from London, Wales"),
        (["allocation", "--run", "1"], "Error: the allocation export takes no --run (its options: --region, "),
        (["allocation", "--sort", "shoe"], "Error: --sort cannot be 'shoe': choose from reference, "),
        (["staff", "--direction", "up"], "Error: --direction cannot be 'up': choose from asc, desc"),
        (["changes"], "Error: give the plan run with --run, like --run 3"),
        (["changes", "--run", "9"], "Error: there is no finished plan run 9"),
        (["changes", "--run", "1", "--kind", "unchanged"], "Error: --kind cannot be 'unchanged': choose from "),
        (["staffing-ask", "--run", "1"], "Error: nobody has worked out the staffing ask of plan run 1 yet"),
        (["look-ahead"], "Error: there is no finished look-ahead: look ahead first"),
        (["staff", "--search", "Sam\u202e"], "Error: --search must not include hidden characters"),
        (["allocation", "--output", "/no/such/folder/x.csv"], "Error: /no/such/folder/x.csv could not be written"),
    ],
)  # fmt: skip
def test_a_bad_kind_or_option_stops_in_one_line(
    runner: FlaskCliRunner, arguments: list[str], message: str
) -> None:
    result = runner.invoke(args=["export", *arguments])
    assert result.exit_code != 0
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith(message), lines[0]
    assert "Traceback" not in result.output
