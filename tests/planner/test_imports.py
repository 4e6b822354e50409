"""Importing records by the command: all or nothing, every problem named, idempotent, audited."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from planner.cases.services import NeedDetails, add_need, set_need
from planner.domain.reach import Reach
from planner.domain.vocabulary import AbsenceKind, Grade, NeedSource, Role, Rosh, UserRole, Vetting
from planner.extensions import db
from planner.imports.columns import ImportKind
from planner.imports.records import RECORD_SHEETS
from planner.models import Absence, AuditEvent, Case, Need, Region, StaffMember
from planner.web.spreadsheets import to_csv, to_xlsx
from tests.conftest import AppFactory, add_user, load_demo
from tests.planner.imports import (
    EXAMPLES,
    FILES,
    GOOD,
    TODAY,
    audit_count,
    csv_bytes,
    problem_lines,
    row,
    run_import,
    write,
)
from tests.planner.world import World


@pytest.fixture
def app(app_factory: AppFactory) -> Flask:
    """The tiny world of two regions on a fixed day: London's people S-001 and S-002, Wales's
    S-003, and a case in each."""
    app = app_factory("imports", TODAY=TODAY)
    with app.app_context():
        world = World(db.session)
        _, _, wales_office = world.elsewhere("Wales")
        world.person()
        world.person(role=Role.PRISON)
        world.person(site=wales_office)
        world.case(reference="CT-LON-0001", name="Lon Don")
        world.case(reference="CT-WAL-0001", name="Wyn Wales", site=wales_office)
        db.session.commit()
    return app


def counts(app: Flask) -> tuple[int, int, int, int]:
    """How many people, cases, needs and absences are stored."""
    with app.app_context():
        return tuple(  # type: ignore[return-value]
            db.session.scalar(select(func.count()).select_from(model))
            for model in (StaffMember, Case, Need, Absence)
        )


def test_a_good_file_of_each_kind_is_imported_and_the_same_file_again_changes_nothing(
    app: Flask, tmp_path: Path
) -> None:
    for kind in ImportKind:
        path = write(tmp_path, f"{kind}.csv", csv_bytes(kind, [row(kind)]))
        first = run_import(app, kind, path)
        assert first.exit_code == 0, first.output
        assert f"Imported {kind} from {kind}.csv: 1 created, 0 updated, 0 unchanged" in first.output
        lines = audit_count(app)
        stored = counts(app)
        again = run_import(app, kind, path)
        assert again.exit_code == 0, again.output
        assert "0 created, 0 updated, 1 unchanged" in again.output
        assert counts(app) == stored
        # The second import changed nothing: its own line is all the log gains.
        assert audit_count(app) == lines + 1


def test_an_import_is_audited_with_who_the_kind_the_file_and_its_totals(
    app: Flask, tmp_path: Path
) -> None:
    path = write(tmp_path, "people.csv", csv_bytes(ImportKind.STAFF, [row(ImportKind.STAFF)]))
    assert run_import(app, "staff", path).exit_code == 0
    with app.app_context():
        line = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "import"))
        created = db.session.scalar(
            select(AuditEvent).where(
                AuditEvent.entity == "staff member",
                AuditEvent.action == "create",
                AuditEvent.actor == line.actor,
            )
        )
    assert line.actor.startswith("cli:")
    assert line.summary == "Imported staff from people.csv: 1 created, 0 updated, 0 unchanged"
    assert line.after == {"kind": "staff", "file": "people.csv", "create": 1, "update": 0,
                          "unchanged": 0}  # fmt: skip
    assert created.after["staff_ref"] == "S-NEW-001"


def test_a_changed_row_updates_its_record_and_says_what_changed(app: Flask, tmp_path: Path) -> None:
    kind = ImportKind.STAFF
    path = write(
        tmp_path, "s.csv", csv_bytes(kind, [row(kind, staff_id="S-001", name="Test Person 1")])
    )
    result = run_import(app, kind, path, "--dry-run")
    assert "0 created, 1 updated, 0 unchanged (nothing saved)" in result.output
    assert run_import(app, kind, path).exit_code == 0
    with app.app_context():
        person = db.session.scalar(select(StaffMember).where(StaffMember.staff_ref == "S-001"))
        assert person.vetting_expiry.isoformat() == "2028-03-31"


def test_a_staff_file_keeps_the_email_set_on_a_persons_page(app: Flask, tmp_path: Path) -> None:
    with app.app_context():
        person = db.session.scalar(select(StaffMember).where(StaffMember.staff_ref == "S-001"))
        person.email, person.emailed = "test.person@probation.test", False
        db.session.commit()
    kind = ImportKind.STAFF
    path = write(
        tmp_path, "s.csv", csv_bytes(kind, [row(kind, staff_id="S-001", name="Renamed Person")])
    )
    assert run_import(app, kind, path).exit_code == 0
    with app.app_context():
        person = db.session.scalar(select(StaffMember).where(StaffMember.staff_ref == "S-001"))
        assert (person.name, person.email, person.emailed) == (
            "Renamed Person",
            "test.person@probation.test",
            False,
        )


def test_a_dry_run_writes_nothing(app: Flask, tmp_path: Path) -> None:
    before, lines = counts(app), audit_count(app)
    path = write(tmp_path, "c.csv", csv_bytes(ImportKind.CASES, [row(ImportKind.CASES)]))
    result = run_import(app, "cases", path, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Dry run of cases from c.csv: 1 created, 0 updated, 0 unchanged (nothing saved)" in (
        result.output
    )
    assert counts(app) == before
    assert audit_count(app) == lines


def test_derived_needs_follow_the_rules_and_a_managers_need_is_kept(
    app: Flask, tmp_path: Path
) -> None:
    with app.app_context():
        case = db.session.scalar(select(Case).where(Case.reference == "CT-LON-0001"))
        kept = case.needs[0]
        kept.source, kept.hours, kept.rule = NeedSource.MANAGER, 9.0, "Set by a manager: why"
        db.session.commit()
        kept_key = kept.key
    cells = row(ImportKind.CASES, reference="CT-LON-0001", name="Lon Don", setting="community",
                site="NSD-TEST", rosh="very_high", sentence_date="2020-01-06",
                release_date="2024-01-08", released_on="2024-01-08")  # fmt: skip
    path = write(tmp_path, "c.csv", csv_bytes(ImportKind.CASES, [cells]))
    result = run_import(app, "cases", path)
    assert "0 created, 1 updated, 0 unchanged" in result.output, result.output
    with app.app_context():
        case = db.session.scalar(select(Case).where(Case.reference == "CT-LON-0001"))
        assert case.rosh == Rosh.VERY_HIGH
        needs = {need.key: need for need in case.needs if need.active}
        assert needs[kept_key].source == NeedSource.MANAGER and needs[kept_key].hours == 9.0
        # Very high risk in the community needs a co-worker, derived by the rules.
        assert any(
            need.source == NeedSource.RULES and "coworker" in need.key for need in needs.values()
        )


# A cell of a good row made bad, and what the command says of it (row 2: under the header).
RULES: list[tuple[ImportKind, dict[str, str], str, str]] = [
    (ImportKind.STAFF, {"name": ""}, "name", "Enter the full name"),
    (ImportKind.STAFF, {"grade": "Chief"}, "grade", "'Chief' is not one of PSO, PQiP, PO or SPO"),
    (ImportKind.STAFF, {"site": "HMP-NOWHERE"}, "site", "There is no site with the code HMP-NOWHERE"),
    (ImportKind.STAFF, {"site": "HMP-TEST"}, "site", "Select a probation delivery unit or NSD team"),
    (ImportKind.STAFF, {"vetting_expiry": "31/02/2028"}, "vetting_expiry", "must be a real date"),
    (ImportKind.STAFF, {"vetting_expiry": "next year"}, "vetting_expiry", "Enter a date like"),
    (ImportKind.STAFF, {"contracted_hours": "nan"}, "contracted_hours", "as a number"),
    (ImportKind.STAFF, {"contracted_hours": "1e-320"}, "contracted_hours", "as a number"),
    (ImportKind.STAFF, {"contracted_hours": "inf"}, "contracted_hours", "as a number"),
    (ImportKind.STAFF, {"contracted_hours": "61"}, "contracted_hours", "between 0.1 and 60"),
    (ImportKind.STAFF, {"name": "Nia\u202eweN"}, "name", "must not include hidden characters"),
    (ImportKind.STAFF, {"name": "Nia\x07New"}, "name", "must not include hidden characters"),
    (ImportKind.STAFF, {"skills": "juggling"}, "skills", "'juggling' is not one of"),
    (ImportKind.STAFF, {"active": "maybe"}, "active", "Enter yes or no"),
    (ImportKind.STAFF, {"staff_id": "S 1"}, "staff_id", "letters, numbers and hyphens"),
    (ImportKind.CASES, {"release_date": "2021-01-01"}, "release_date",
     "The release date must be on or after the sentence date"),
    (ImportKind.CASES, {"release_date": ""}, "release_date", "Enter the release date"),
    (ImportKind.CASES, {"tier": "Z9"}, "tier", "'Z9' is not a tier"),
    (ImportKind.CASES, {"rosh": "extreme"}, "rosh", "'extreme' is not one of"),
    (ImportKind.CASES, {"mappa_level": ""}, "mappa_level", "Choose both the MAPPA category and level"),
    (ImportKind.CASES, {"site": "NSD-TEST"}, "site", "A person in custody must be at a prison"),
    (ImportKind.CASES, {"reference": "CT_1"}, "reference", "2 to 20 letters, digits and hyphens"),
    (ImportKind.CASES, {"sentence_date": "2022-13-01"}, "sentence_date", "must be a real date"),
    (ImportKind.ABSENCES, {"staff_id": "S-999"}, "staff_id", "There is nobody with the staff ID S-999"),
    (ImportKind.ABSENCES, {"end_date": "2027-01-01"}, "end_date", "same as or after the start date"),
    (ImportKind.ABSENCES, {"kind": "holiday"}, "kind", "'holiday' is not one of"),
    (ImportKind.ABSENCES, {"start_date": ""}, "start_date", "Enter the start date"),
    (ImportKind.REDUCTIONS, {"hours_per_week": "40"}, "hours_per_week",
     "no more than their contracted hours (37)"),
    (ImportKind.REDUCTIONS, {"hours_per_week": ""}, "hours_per_week", "Enter the hours a week"),
    (ImportKind.NEEDS, {"need": "pom2"}, "need", "Case CT-LON-0001 has no need pom2: name a need it has"),
    (ImportKind.NEEDS, {"reference": "CT-NOPE-0001"}, "reference", "There is no case CT-NOPE-0001 that you can change"),
    (ImportKind.NEEDS, {"hours": "40"}, "hours", "between 0.1 and 37"),
    (ImportKind.NEEDS, {"reason": ""}, "reason", "Enter the reason for this need"),
    (ImportKind.NEEDS, {"same_site": "perhaps"}, "same_site", "Enter yes or no"),
    (ImportKind.NEEDS, {"skills": "charm"}, "skills", "'charm' is not one of"),
]  # fmt: skip


@pytest.mark.parametrize(("kind", "changes", "column", "message"), RULES)
def test_each_rule_names_the_row_and_column_and_nothing_is_written(
    app: Flask, tmp_path: Path, kind: ImportKind, changes: dict[str, str], column: str, message: str
) -> None:
    before, lines = counts(app), audit_count(app)
    good = row(kind, **{key: value for key, value in GOOD_OTHER[kind].items()})
    path = write(tmp_path, "f.csv", csv_bytes(kind, [good, row(kind, **changes)]))
    result = run_import(app, kind, path)
    assert result.exit_code == 1
    found = problem_lines(result)
    assert len(found) == 1, result.output
    assert found[0].startswith(f"row 3, column {column}: ")
    assert message in found[0]
    assert "1 problem; nothing was imported" in result.output
    assert "Traceback" not in result.output
    assert counts(app) == before and audit_count(app) == lines


# The good row beside the bad one: another record, so that the two are not duplicates.
GOOD_OTHER: dict[ImportKind, dict[str, Any]] = {
    ImportKind.STAFF: {"staff_id": "S-NEW-002"},
    ImportKind.CASES: {"reference": "CT-NEW-0002"},
    ImportKind.ABSENCES: {"start_date": "2027-03-01", "end_date": "2027-03-05"},
    ImportKind.REDUCTIONS: {"start_date": "2028-01-01", "end_date": "2028-02-01"},
    ImportKind.NEEDS: {"need": "manager_2"},
}


@pytest.mark.parametrize(
    ("kind", "column", "message"),
    [
        (ImportKind.STAFF, "staff_id", "Staff ID S-NEW-001 is also on row 2"),
        (ImportKind.CASES, "reference", "Case CT-NEW-0001 is also on row 2"),
        (ImportKind.ABSENCES, "start_date", "Row 2 has the same person and dates"),
        (ImportKind.NEEDS, "need", "Row 2 sets the same need of case CT-LON-0001"),
    ],
)
def test_a_duplicate_reference_is_a_problem(
    app: Flask, tmp_path: Path, kind: ImportKind, column: str, message: str
) -> None:
    path = write(tmp_path, "d.csv", csv_bytes(kind, [row(kind), row(kind)]))
    result = run_import(app, kind, path)
    assert result.exit_code == 1
    assert problem_lines(result) == [f"row 3, column {column}: {message}"]


def test_unknown_and_missing_columns_are_named_on_the_header_row(
    app: Flask, tmp_path: Path
) -> None:
    columns = [name for name in GOOD[ImportKind.STAFF] if name != "grade"] + ["shoe_size"]
    path = write(tmp_path, "h.csv", csv_bytes(ImportKind.STAFF, [row(ImportKind.STAFF)], columns))
    result = run_import(app, "staff", path)
    assert result.exit_code == 1
    lines = problem_lines(result)
    assert lines[0].startswith("row 1, column shoe_size: Unknown column: a staff file has staff_id")
    assert lines[1] == "row 1, column grade: Missing column: add it, even if its cells are empty"


def test_every_problem_of_a_file_is_listed_one_line_each(app: Flask, tmp_path: Path) -> None:
    rows = [row(ImportKind.STAFF, staff_id=f"S-X-{n}", grade="Boss") for n in range(5)]
    path = write(tmp_path, "many.csv", csv_bytes(ImportKind.STAFF, rows))
    result = run_import(app, "staff", path)
    assert [line.split(":")[0] for line in problem_lines(result)] == [
        f"row {n}, column grade" for n in range(2, 7)
    ]
    assert "5 problems; nothing was imported" in result.output


def test_one_bad_row_among_two_thousand_changes_nothing(app: Flask, tmp_path: Path) -> None:
    rows = [row(ImportKind.CASES, reference=f"CT-BIG-{n:04d}") for n in range(2000)]
    rows[1499]["release_date"] = "2020-01-01"
    before, lines = counts(app), audit_count(app)
    result = run_import(app, "cases", write(tmp_path, "big.csv", csv_bytes(ImportKind.CASES, rows)))
    assert result.exit_code == 1
    assert problem_lines(result) == [
        "row 1501, column release_date: The release date must be on or after the sentence date"
    ]
    assert counts(app) == before and audit_count(app) == lines


def test_a_manager_of_one_region_cannot_change_another(app: Flask, tmp_path: Path) -> None:
    with app.app_context():
        region = db.session.scalar(select(Region.id).where(Region.name == "London"))
    add_user(app, "manager.london", UserRole.MANAGER, regions=[region])
    add_user(app, "viewer.london", UserRole.VIEWER, regions=[region])
    cells = row(ImportKind.CASES, reference="CT-WAL-0001", name="Wyn Wales")
    moved = row(ImportKind.CASES, reference="CT-NEW-0002", site="HMP-WALES")
    rows = [row(ImportKind.CASES), cells, moved]
    path = write(tmp_path, "c.csv", csv_bytes(ImportKind.CASES, rows))
    result = run_import(app, "cases", path, "--as", "manager.london")
    assert problem_lines(result) == [
        "row 3, column reference: Case CT-WAL-0001 is one you cannot change",
        "row 4, column site: HMP Wales is in a region you cannot change",
    ]
    staff = write(
        tmp_path, "s.csv", csv_bytes(ImportKind.STAFF, [row(ImportKind.STAFF, staff_id="S-003")])
    )
    assert problem_lines(run_import(app, "staff", staff, "--as", "manager.london")) == [
        "row 2, column staff_id: Staff ID S-003 is someone you cannot change"
    ]
    # National by default, as a nightly extract of the whole service.
    assert run_import(app, "cases", path).exit_code == 0
    refused = run_import(app, "cases", path, "--as", "viewer.london")
    assert refused.exit_code == 1
    assert "viewer.london is not an active manager's username" in refused.output


def test_a_file_that_cannot_be_read_is_one_line(app: Flask, tmp_path: Path) -> None:
    result = run_import(app, "staff", write(tmp_path, "s.csv", b"\xff\xfe\x00b\x00a\x00d"))
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "Error: s.csv: The file must be a spreadsheet saved as CSV (UTF-8) or as an Excel "
        "workbook (.xlsx)"
    ]
    missing = run_import(app, "staff", tmp_path / "gone.csv")
    assert (
        missing.exit_code == 1
        and "gone.csv" in missing.output
        and "Traceback" not in missing.output
    )


def export_then_import(app: Flask, tmp_path: Path, kind: ImportKind, file_format: str) -> str:
    """Export a kind's records as a file, import it, and give what the command said."""
    with app.app_context():
        sheet = RECORD_SHEETS[kind](Reach.everything())
        content = to_xlsx(sheet) if file_format == "xlsx" else to_csv(sheet)
    result = run_import(app, kind, write(tmp_path, f"{kind}.{file_format}", content))
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_exporting_then_importing_changes_nothing_for_each_kind(
    app_factory: AppFactory, tmp_path: Path, file_format: str
) -> None:
    app = app_factory("round_trip", TODAY=TODAY)
    load_demo(app, seed=3, start=TODAY)
    with app.app_context():
        # The demo data has no reductions: two, one with a note over two lines.
        people = db.session.scalars(select(StaffMember).order_by(StaffMember.id).limit(2)).all()
        for person, note in zip(
            people, ["Branch secretary", "Phased return,\nweek one"], strict=True
        ):
            person.absences.append(
                Absence(kind=AbsenceKind.OTHER, start_date=date(2026, 12, 1),
                        end_date=date(2027, 3, 31), hours_per_week=7.5, note=note)
            )  # fmt: skip
        # Nor needs set by hand: one the rules gave, changed, and one they do not give.
        case = db.session.scalars(select(Case).order_by(Case.id)).first()
        details = NeedDetails(Role.PROBATION, Grade.SPO, 4.5, Vetting.DV, ["ct_trained", "urdu"],
                              False, "A senior officer: threats to staff")  # fmt: skip
        set_need(case.needs[0], details, "demo.manager")
        add_need(case, details, "demo.manager")
        db.session.commit()
    for kind in ImportKind:
        before, lines = counts(app), audit_count(app)
        said = export_then_import(app, tmp_path, kind, file_format)
        assert " 0 created, 0 updated, " in said, said
        with app.app_context():
            stored = {
                ImportKind.STAFF: StaffMember,
                ImportKind.CASES: Case,
                ImportKind.NEEDS: Need,
            }.get(kind, Absence)
            total = db.session.scalar(select(func.count()).select_from(stored))
        assert total > 0
        assert counts(app) == before and audit_count(app) == lines + 1


def test_each_example_file_imports_into_the_demo_data(app_factory: AppFactory) -> None:
    app = app_factory("examples", TODAY=TODAY)
    load_demo(app, seed=3, start=TODAY)
    for kind in ImportKind:
        path = EXAMPLES / f"{kind}.csv"
        result = run_import(app, kind, path)
        assert result.exit_code == 0, result.output
        # Everything is new, but for the example case's POM, which is set by hand.
        assert result.output.endswith(" 0 unchanged\n")
        assert " 0 created, 0 updated," in run_import(app, kind, path).output
    # The staff example as LibreOffice saves it as XLSX says just what the CSV said.
    saved = run_import(app, "staff", FILES / "staff-libreoffice.xlsx")
    assert "0 created, 0 updated, 4 unchanged" in saved.output, saved.output


def test_a_note_over_two_lines_in_excels_quotes_is_kept_and_matched_again(
    app: Flask, tmp_path: Path
) -> None:
    cells = row(ImportKind.ABSENCES, note='Course, then "study" leave\r\nBack on the 11th')
    path = write(tmp_path, "a.csv", csv_bytes(ImportKind.ABSENCES, [cells]))
    assert "1 created" in run_import(app, "absences", path).output
    with app.app_context():
        assert (
            db.session.scalar(select(Absence.note))
            == 'Course, then "study" leave\nBack on the 11th'
        )
    assert "0 created, 0 updated, 1 unchanged" in run_import(app, "absences", path).output


def test_a_need_set_by_hand_from_a_file_is_the_managers_and_kept_when_the_case_changes(
    app: Flask, tmp_path: Path
) -> None:
    with app.app_context():
        case = db.session.scalar(select(Case).where(Case.reference == "CT-LON-0001"))
        key = case.needs[0].key
    cells = row(ImportKind.NEEDS, need=key, hours="6", reason="Weekly visits: a risk to children")
    result = run_import(
        app, "needs", write(tmp_path, "n.csv", csv_bytes(ImportKind.NEEDS, [cells]))
    )
    assert "0 created, 1 updated, 0 unchanged" in result.output, result.output
    case_row = row(ImportKind.CASES, reference="CT-LON-0001", name="Lon Don", setting="community",
                   site="NSD-TEST", rosh="low", sentence_date="2020-01-06",
                   release_date="2024-01-08", released_on="2024-01-08")  # fmt: skip
    changed = run_import(
        app, "cases", write(tmp_path, "c.csv", csv_bytes(ImportKind.CASES, [case_row]))
    )
    assert "1 updated" in changed.output, changed.output
    with app.app_context():
        need = db.session.scalar(
            select(Need).join(Case).where(Case.reference == "CT-LON-0001", Need.key == key)
        )
        assert need.source == NeedSource.MANAGER and need.hours == 6.0 and need.active
        assert need.rule.endswith(": Weekly visits: a risk to children")
