"""Exports from the pages: every kind as CSV and XLSX read back with csv and openpyxl, with its
page's filters and sort, marked, no formula run, limited to the user's reach, and audited."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import select

from planner.domain.vocabulary import AlertSeverity, Rosh, Setting, UserRole
from planner.domain.weeks import IsoWeek
from planner.extensions import db
from planner.jobs.queue import perform
from planner.models import Alert, AuditEvent, Case, CaseAccess, Region, StaffingAsk, User
from planner.plans.batch import run_week
from planner.plans.lookahead import look_ahead_here
from planner.plans.staffing import ask_for_staff
from planner.web.spreadsheets import MARKING
from tests.conftest import AppFactory, add_user, sign_in
from tests.planner.world import World

TODAY = "2026-11-30"
WEEK = "2026-W49"
HOSTILE = '=HYPERLINK("http://example.invalid","Open")'
KINDS = ("allocation", "staff", "alerts", "plan", "changes", "uncovered", "unchanged",
         "workloads", "staffing-ask", "look-ahead")  # fmt: skip


@pytest.fixture
def app(app_factory: AppFactory) -> Flask:
    """London and Wales: a case named like a formula, one left with nobody, a Wales case, a run
    of the week with its staffing ask, a look-ahead, alerts, and a user of each reach."""
    app = app_factory("exports", TODAY=TODAY)
    with app.app_context():
        world = World(db.session)
        wales, _, wales_office = world.elsewhere("Wales")
        sam = world.person(name="Sam Holder")
        world.person(name="Pat Spare", contracted_hours=18.5)
        bryn = world.person(name="Bryn Wales", site=wales_office)
        held = world.case(reference="CT-LON-0001", name=HOSTILE, rosh=Rosh.VERY_HIGH,
                          release_date=date(2024, 3, 4))  # fmt: skip
        world.hold(held, "com", sam)
        world.case(reference="CT-LON-0002", name="Lee Low", rosh=Rosh.LOW)
        world.case(reference="CT-LON-0003", name="Kim Custody", setting=Setting.CUSTODY,
                   rosh=Rosh.MEDIUM, release_date=date(2029, 6, 4))  # fmt: skip
        # A high-risk case in a prison with no POM: a gap the staffing ask covers.
        world.case(
            reference="CT-LON-0004",
            name="Hal High",
            setting=Setting.CUSTODY,
            release_date=date(2029, 6, 4),
        )
        wales_case = world.case(reference="CT-WAL-0001", name="Wyn Wales", site=wales_office)
        world.hold(wales_case, "com", bryn)
        db.session.commit()
        run = run_week(db.session, IsoWeek.parse(WEEK), "highs", 10, None, "test")
        ask, _ = ask_for_staff(db.session, run, None, "test")
        perform(StaffingAsk.job_kind, ask.id, apart=False)
        look_ahead_here(db.session, IsoWeek.parse(WEEK), 2, "highs", 3, "test")
        for case, severity in ((held, AlertSeverity.CRITICAL), (wales_case, AlertSeverity.INFO)):
            db.session.add(Alert(key=f"no_com:case:{case.id}", kind="no_com", severity=severity,
                                 case_id=case.id, week=WEEK, reason="No COM allocated"))  # fmt: skip
        db.session.commit()
        london, wales_id = world.region.id, wales.id
    add_user(app, "viewer.london", UserRole.VIEWER, regions=[london])
    add_user(app, "viewer.wales", UserRole.VIEWER, regions=[wales_id])
    add_user(app, "viewer.national", UserRole.VIEWER)
    add_user(app, "manager.national", UserRole.MANAGER)
    return app


def signed_in(app: Flask, username: str) -> Iterator[FlaskClient]:
    """A browser signed in as the user."""
    with app.test_client() as client:
        assert sign_in(client, username).status_code == 302
        yield client


def fetch(app: Flask, username: str, address: str) -> Any:
    """The response to a download, for the user."""
    for client in signed_in(app, username):
        return client.get(address)
    raise AssertionError("not signed in")


def csv_rows(app: Flask, username: str, address: str) -> list[dict[str, str]]:
    """A CSV download read back: marked on its first line, then rows by header."""
    response = fetch(app, username, address)
    assert response.status_code == 200, address
    assert response.mimetype == "text/csv"
    assert response.headers["Cache-Control"] == "no-store"
    lines = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"), newline="")))
    assert lines[0] == [MARKING]
    return [dict(zip(lines[1], line, strict=True)) for line in lines[2:]]


def xlsx_rows(app: Flask, username: str, address: str) -> list[dict[str, Any]]:
    """An XLSX download read back with openpyxl: marked, then rows by header."""
    response = fetch(app, username, address)
    assert response.status_code == 200, address
    assert response.headers["Cache-Control"] == "no-store"
    book = load_workbook(io.BytesIO(response.get_data()))
    sheet = book.active
    assert sheet["A1"].value == MARKING
    assert sheet.oddHeader.center.text == MARKING and sheet.oddFooter.center.text == MARKING
    assert book.properties.keywords == MARKING
    lines = list(sheet.iter_rows(values_only=True))
    headers = lines[1]
    return [dict(zip(headers, line, strict=True)) for line in lines[2:]]


def references(rows: list[dict[str, Any]], column: str = "Reference") -> list[str]:
    """The distinct references of rows, in order (a line about a person alone has none)."""
    return list(dict.fromkeys(row[column] for row in rows if row[column]))


def test_the_allocation_holds_each_need_and_its_holder_with_the_case_lists_filters(
    app: Flask,
) -> None:
    rows = csv_rows(app, "viewer.national", "/exports/allocation?format=csv&rosh=very_high")
    assert references(rows) == ["CT-LON-0001"]
    com = next(row for row in rows if row["Need"] == "COM")
    # The name a spreadsheet would run as a formula is text, as typed after an apostrophe.
    assert com["Name"] == "'" + HOSTILE
    assert (com["RoSH"], com["Held by"], com["Where"], com["Region"]) == (
        "Very high", "Sam Holder", "NSD Test", "London")  # fmt: skip
    assert (com["Release date"], com["Held since"], com["Pinned"]) == (
        "2024-03-04",
        "2026-01-05",
        "No",
    )
    everyone = csv_rows(
        app, "viewer.national", "/exports/allocation?format=csv&sort=name&direction=desc"
    )
    assert references(everyone) == [
        "CT-WAL-0001", "CT-LON-0002", "CT-LON-0003", "CT-LON-0004", "CT-LON-0001"]  # fmt: skip
    custody = csv_rows(
        app, "viewer.national", "/exports/allocation?format=csv&setting=custody&page=3"
    )
    assert references(custody) == ["CT-LON-0003", "CT-LON-0004"]
    assert "POM" in {row["Need"] for row in custody}
    assert {row["Held by"] for row in custody if row["Need"] == "POM"} == {"Nobody"}


def test_the_allocation_as_xlsx_has_real_dates_and_runs_no_formula(app: Flask) -> None:
    rows = xlsx_rows(app, "viewer.national", "/exports/allocation?format=xlsx&rosh=very_high")
    com = next(row for row in rows if row["Need"] == "COM")
    assert com["Name"] == "'" + HOSTILE
    assert com["Release date"].date() == date(2024, 3, 4)
    assert com["Hours a week"] > 0
    response = fetch(app, "viewer.national", "/exports/allocation?format=xlsx")
    book = load_workbook(io.BytesIO(response.get_data()))
    assert not [cell for row in book.active.iter_rows() for cell in row if cell.data_type == "f"]
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="current-allocation-2026-11-30.xlsx"'
    )


def test_an_export_holds_only_the_users_regions(app: Flask) -> None:
    for kind in ("allocation", "alerts", "plan"):
        column = "Reference" if kind == "allocation" else "Case"
        address = f"/exports/{kind}?format=csv&run=1"
        london = references(csv_rows(app, "viewer.london", address), column)
        wales = references(csv_rows(app, "viewer.wales", address), column)
        assert "CT-WAL-0001" not in london and "CT-LON-0001" in london, kind
        assert wales == ["CT-WAL-0001"], kind
    names = [row["Name"] for row in csv_rows(app, "viewer.london", "/exports/staff?format=csv")]
    assert names == ["Pat Spare", "Sam Holder"]
    workloads = csv_rows(app, "viewer.wales", "/exports/workloads?format=csv&run=1")
    assert {row["Region"] for row in workloads} <= {"Wales"}


def test_a_restricted_case_is_shown_as_the_pages_show_it(app: Flask) -> None:
    with app.app_context():
        case = db.session.scalar(select(Case).where(Case.reference == "CT-LON-0001"))
        case.restricted = True
        named = db.session.scalar(select(User.id).where(User.username == "manager.national"))
        db.session.add(CaseAccess(case_id=case.id, user_id=named))
        db.session.commit()
    # The case list leaves it out; alerts and the plan count it without naming it.
    london = csv_rows(app, "viewer.london", "/exports/allocation?format=csv")
    assert "CT-LON-0001" not in references(london)
    alerts = csv_rows(app, "viewer.london", "/exports/alerts?format=csv")
    hidden = [row for row in alerts if row["Case"] == "A restricted case"]
    assert {(row["Case name"], row["RoSH"]) for row in hidden} == {("", "Very high")}
    assert "CT-LON-0001" not in references(alerts, "Case")
    plan = csv_rows(app, "viewer.london", "/exports/plan?format=csv&run=1")
    hidden = [row for row in plan if row["Case"] == "A restricted case"]
    assert hidden and all(row["Name"] == "" for row in hidden)
    assert HOSTILE not in str(plan) and "CT-LON-0001" not in str(plan)
    # Those named on it see it, as they would on its page.
    named = csv_rows(app, "manager.national", "/exports/alerts?format=csv")
    assert "CT-LON-0001" in references(named, "Case")


def test_the_staff_list_has_workload_and_hours_for_the_coming_weeks(app: Flask) -> None:
    rows = xlsx_rows(app, "viewer.national", "/exports/staff?format=xlsx&search=Pat")
    assert [row["Name"] for row in rows] == ["Pat Spare"]
    (pat,) = rows
    assert pat["Contracted hours"] == 18.5 and pat["Role"] == "COM" and pat["Grade"] == "PO"
    weeks = [header for header in pat if header.startswith("Hours available, week from")]
    assert weeks[0] == "Hours available, week from 30 November 2026"
    assert len(weeks) == 4
    assert pat["Workload %, week from 30 November 2026"] == 0
    assert pat["Vetting expires"].date() == date(2030, 1, 1)
    by_load = csv_rows(
        app, "viewer.national", "/exports/staff?format=csv&sort=workload&direction=desc"
    )
    assert by_load[0]["Name"] in ("Sam Holder", "Bryn Wales")
    assert int(by_load[0]["Workload %, week from 30 November 2026"]) > 0
    with app.app_context():
        wales_id = db.session.scalar(select(Region.id).where(Region.name == "Wales"))
    wales = csv_rows(app, "viewer.national", f"/exports/staff?format=csv&region={wales_id}")
    assert [row["Name"] for row in wales] == ["Bryn Wales"]
    # As on the page, a region is named by its id there: a name is not one of its choices.
    ignored = csv_rows(app, "viewer.national", "/exports/staff?format=csv&region=Wales")
    assert len(ignored) == 3


def test_the_alerts_have_the_lists_filters(app: Flask) -> None:
    every = csv_rows(app, "viewer.national", "/exports/alerts?format=csv")
    assert {"CT-LON-0001", "CT-WAL-0001"} <= set(references(every, "Case"))
    # The worst first, as the list has them.
    assert every[0]["Severity"] == "Critical" and every[-1]["Severity"] != "Critical"
    critical = csv_rows(app, "viewer.national", "/exports/alerts?format=csv&severity=critical")
    assert {row["Severity"] for row in critical} == {"Critical"}
    assert "CT-WAL-0001" not in references(critical, "Case")
    row = next(
        row
        for row in critical
        if row["Case"] == "CT-LON-0001" and row["Kind"] == "No COM allocated"
    )
    assert (row["Kind"], row["What is wrong"], row["Case name"]) == (
        "No COM allocated", "No COM allocated", "'" + HOSTILE)  # fmt: skip
    assert row["Since"].startswith("20")
    closed = csv_rows(app, "viewer.national", "/exports/alerts?format=csv&status=closed")
    assert all(row["Closed"] for row in closed)


def test_a_runs_parts_have_their_filters(app: Flask) -> None:
    plan = csv_rows(app, "viewer.national", "/exports/plan?format=csv&run=1")
    parts = {kind: csv_rows(app, "viewer.national", f"/exports/{kind}?format=csv&run=1")
             for kind in ("changes", "uncovered", "unchanged")}  # fmt: skip
    # The three parts are the whole plan, each need once.
    assert all(parts.values())
    assert len(plan) == sum(len(rows) for rows in parts.values())
    assert {row["Change"] for row in parts["unchanged"]} <= {"Unchanged"}
    assert {row["Change"] for row in parts["uncovered"]} <= {"Nobody, as now", "Loses its holder"}
    assert all(row["Why nobody can take it"] for row in parts["uncovered"])
    high = csv_rows(app, "viewer.national", "/exports/plan?format=csv&run=1&rosh=very_high")
    assert {row["RoSH"] for row in high} == {"Very high"}
    sam = csv_rows(app, "viewer.national", "/exports/plan?format=csv&run=1&person=Sam+Holder")
    assert sam and all("Sam Holder" in (row["Held now by"], row["Planned holder"]) for row in sam)
    by_case = csv_rows(
        app, "viewer.national", "/exports/plan?format=csv&run=1&sort=case&direction=desc"
    )
    assert references(by_case, "Case") == sorted(references(by_case, "Case"), reverse=True)
    workloads = xlsx_rows(app, "viewer.national", "/exports/workloads?format=xlsx&run=1")
    assert all(isinstance(row["Workload % with the plan"], int | str) for row in workloads)


def test_the_staffing_ask_and_the_look_ahead(app: Flask) -> None:
    ask = csv_rows(app, "viewer.national", "/exports/staffing-ask?format=csv&run=1")
    assert ask[-1]["Where"] == "Total"
    assert ask[0]["Where"] == "HMP Test" and ask[0]["Role"] == "POM"
    assert "CT-LON-0004" in ask[0]["Cases covered"]
    assert fetch(app, "viewer.london", "/exports/staffing-ask?format=csv&run=1").status_code == 404
    ahead = xlsx_rows(app, "viewer.national", "/exports/look-ahead?format=xlsx")
    assert [row["Week"] for row in ahead][:1] == [WEEK]
    assert {row["From"].date() for row in ahead} == {date(2026, 11, 30), date(2026, 12, 7)}
    wales = csv_rows(app, "viewer.wales", "/exports/look-ahead?format=csv")
    assert not {row["Case"] for row in wales} & {"CT-LON-0001", "CT-LON-0002", "CT-LON-0003"}


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_opens_for_a_viewer_and_is_audited(app: Flask, kind: str) -> None:
    for file_format in ("csv", "xlsx"):
        response = fetch(app, "viewer.national", f"/exports/{kind}?format={file_format}&run=1")
        assert response.status_code == 200, (kind, file_format)
        assert response.headers["Content-Disposition"].endswith(f'-2026-11-30.{file_format}"')
    with app.app_context():
        lines = db.session.scalars(
            select(AuditEvent).where(AuditEvent.entity == "export", AuditEvent.entity_id == kind)
        ).all()
    assert [(line.actor, line.action, line.after["format"]) for line in lines] == [
        ("viewer.national", "view", "csv"), ("viewer.national", "view", "xlsx")]  # fmt: skip
    assert lines[0].after["kind"] == kind and lines[0].after["rows"] >= 1
    assert lines[0].summary.startswith("Exported ")


def test_the_audit_line_says_which_filters_and_how_many_rows(app: Flask) -> None:
    address = "/exports/allocation?format=csv&rosh=low&page=2&junk=" + "x" * 5000
    rows = csv_rows(app, "viewer.london", address)
    with app.app_context():
        line = db.session.scalars(
            select(AuditEvent).where(AuditEvent.entity == "export").order_by(AuditEvent.id.desc())
        ).first()
    assert line.actor == "viewer.london" and line.entity_id == "allocation"
    assert line.after == {"kind": "allocation", "format": "csv", "options": {"rosh": "low"},
                          "rows": len(rows)}  # fmt: skip
    assert line.summary == f"Exported current allocation as CSV, {len(rows)} rows (rosh low)"


@pytest.mark.parametrize(
    "address",
    ["/exports/allocation", "/exports/allocation?format=pdf", "/exports/allocation?format=json",
     "/exports/plan?format=csv", "/exports/plan?format=csv&run=99", "/exports/plan?format=csv&run=x",
     "/exports/changes?format=csv&run=1&sort=unknown", "/exports/nothing?format=csv"],
)  # fmt: skip
def test_a_download_that_cannot_be_is_not_found_and_not_audited(app: Flask, address: str) -> None:
    assert fetch(app, "viewer.national", address).status_code == 404
    with app.app_context():
        assert db.session.scalar(select(AuditEvent.id).where(AuditEvent.entity == "export")) is None


def test_a_download_needs_a_sign_in(app: Flask) -> None:
    response = app.test_client().get("/exports/allocation?format=csv")
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


@pytest.mark.parametrize(
    ("page", "link"),
    [
        ("/cases/?rosh=high&sort=name&page=2", "/exports/allocation?rosh=high&amp;sort=name&amp;format=csv"),
        ("/staff/?search=Sam", "/exports/staff?search=Sam&amp;format=xlsx"),
        ("/alerts/?severity=critical", "/exports/alerts?severity=critical&amp;format=csv"),
        ("/plans/1/changes?rosh=high", "/exports/changes?rosh=high&amp;run=1&amp;format=xlsx"),
        ("/plans/1/uncovered", "/exports/uncovered?run=1&amp;format=csv"),
        ("/plans/1/unchanged", "/exports/unchanged?run=1&amp;format=csv"),
        ("/plans/1/workloads?region=London", "/exports/workloads?region=London&amp;run=1&amp;format=csv"),
        ("/plans/1", "/exports/plan?run=1&amp;format=xlsx"),
        ("/plans/1/staffing-ask", "/exports/staffing-ask?run=1&amp;format=csv"),
        ("/plans/look-ahead", "/exports/look-ahead?format=xlsx"),
    ],
)  # fmt: skip
def test_each_page_links_to_its_download_with_its_query_string(
    app: Flask, page: str, link: str
) -> None:
    response = fetch(app, "viewer.national", page)
    assert response.status_code in (200, 404)
    text = response.get_data(as_text=True)
    assert f'href="{link}"' in text, page
    assert "Download" in text
