"""The import pages: upload, preview row by row, confirm once; problems listed; only managers."""

from __future__ import annotations

import io
import re
import threading
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import func, select

from planner.domain.vocabulary import Role, UserRole
from planner.extensions import db
from planner.imports.columns import ImportKind, headers
from planner.models import AuditEvent, PendingImport, Region, StaffMember
from planner.web.spreadsheets import MARKING
from tests.conftest import AppFactory, add_user, sign_in
from tests.planner.imports import TODAY, csv_bytes, row
from tests.planner.world import World


@pytest.fixture
def app(app_factory: AppFactory) -> Flask:
    """London (S-001, S-002) and Wales (S-003), a manager of each, a national one and a viewer."""
    app = app_factory("import_pages", TODAY=TODAY)
    with app.app_context():
        world = World(db.session)
        _, _, wales_office = world.elsewhere("Wales")
        world.person()
        world.person(role=Role.PRISON)
        world.person(site=wales_office, name="Wyn Wales")
        db.session.commit()
        regions = dict(db.session.execute(select(Region.name, Region.id)).all())
    add_user(app, "manager.national", UserRole.MANAGER)
    add_user(app, "manager.london", UserRole.MANAGER, regions=[regions["London"]])
    add_user(app, "other.manager", UserRole.MANAGER)
    add_user(app, "viewer.national", UserRole.VIEWER)
    return app


def client_of(app: Flask, username: str) -> FlaskClient:
    """A browser signed in as the user."""
    client = app.test_client()
    assert sign_in(client, username).status_code == 302
    return client


def upload(client: FlaskClient, kind: str, content: bytes, name: str = "staff.csv") -> Any:
    """Post a file to the import page."""
    return client.post(
        "/imports/",
        data={"kind": kind, "file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def staff_file(count: int = 2, **changes: str) -> bytes:
    """A staff file of new people."""
    rows = [row(ImportKind.STAFF, staff_id=f"S-NEW-{n:03d}", name=f"Nia New {n}", **changes)
            for n in range(1, count + 1)]  # fmt: skip
    return csv_bytes(ImportKind.STAFF, rows)


def pending_id(response: Any) -> int:
    """The upload a redirect to its preview names."""
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(re.search(r"/imports/(\d+)$", response.headers["Location"])[1])


def people(app: Flask) -> int:
    """How many people are stored."""
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(StaffMember))


def test_upload_preview_and_confirm_adds_the_people(app: Flask) -> None:
    client = client_of(app, "manager.national")
    page = client.get("/imports/?kind=staff").get_data(as_text=True)
    assert "Import from a spreadsheet" in page
    assert 'value="staff" checked' in page
    assert 'enctype="multipart/form-data"' in page
    found = pending_id(upload(client, "staff", staff_file()))
    preview = client.get(f"/imports/{found}").get_data(as_text=True)
    assert "Check the import of staff.csv" in preview
    assert "Nia New 1 (S-NEW-001)" in preview and "Added" in preview
    assert "2 to add, 0 to change, 0 unchanged." in preview
    assert people(app) == 3
    done = client.post(f"/imports/{found}/confirm")
    assert done.status_code == 302 and done.headers["Location"].endswith("/staff/")
    listed = client.get("/staff/").get_data(as_text=True)
    assert "Imported staff.csv: 2 created, 0 updated, 0 unchanged." in listed
    assert "Nia New 1" in listed and "Nia New 2" in listed
    assert people(app) == 5
    with app.app_context():
        # The file is not kept once its rows are records.
        assert db.session.get(PendingImport, found).content == b""
        line = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "import"))
        assert line.actor == "manager.national"
        assert line.summary == "Imported staff from staff.csv: 2 created, 0 updated, 0 unchanged"


def test_the_preview_says_which_fields_change_from_what_to_what(app: Flask) -> None:
    client = client_of(app, "manager.national")
    cells = row(ImportKind.STAFF, staff_id="S-001", name="Test Person 1", grade="SPO")
    found = pending_id(upload(client, "staff", csv_bytes(ImportKind.STAFF, [cells])))
    preview = client.get(f"/imports/{found}").get_data(as_text=True)
    assert "Changed" in preview
    assert "<code>grade</code>: PO → SPO" in preview
    assert "<code>vetting_expiry</code>: 1 January 2030 → 31 March 2028" in preview


def test_a_second_confirmation_imports_nothing_more(app: Flask) -> None:
    client = client_of(app, "manager.national")
    found = pending_id(upload(client, "staff", staff_file()))
    assert client.post(f"/imports/{found}/confirm").status_code == 302
    again = client.post(f"/imports/{found}/confirm")
    assert again.headers["Location"].endswith("/staff/")
    assert "This file has been imported already." in client.get("/staff/").get_data(as_text=True)
    assert client.get(f"/imports/{found}").status_code == 404
    assert people(app) == 5
    with app.app_context():
        imports = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "import")
        assert db.session.scalar(imports) == 1


def test_a_stale_preview_is_refused_and_shown_again(app: Flask) -> None:
    client = client_of(app, "manager.national")
    cells = row(ImportKind.STAFF, staff_id="S-001", name="Renamed")
    found = pending_id(upload(client, "staff", csv_bytes(ImportKind.STAFF, [cells])))
    with app.app_context():
        person = db.session.scalar(select(StaffMember).where(StaffMember.staff_ref == "S-001"))
        person.name = "Renamed Elsewhere"
        db.session.commit()
    refused = client.post(f"/imports/{found}/confirm")
    assert refused.headers["Location"].endswith(f"/imports/{found}")
    preview = client.get(f"/imports/{found}").get_data(as_text=True)
    assert "The records have changed since you previewed this file" in preview
    assert "Renamed Elsewhere → Renamed" in preview
    with app.app_context():
        assert db.session.scalar(
            select(StaffMember.name).where(StaffMember.staff_ref == "S-001")
        ) == ("Renamed Elsewhere")
    assert client.post(f"/imports/{found}/confirm").status_code == 302
    with app.app_context():
        assert db.session.scalar(
            select(StaffMember.name).where(StaffMember.staff_ref == "S-001")
        ) == ("Renamed")


def test_a_bad_file_lists_each_problem_by_row_and_column_in_the_error_summary(app: Flask) -> None:
    client = client_of(app, "manager.national")
    response = upload(client, "staff", staff_file(3, grade="Boss"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Error: Import from a spreadsheet" in page
    assert "There is a problem" in page
    for number in (2, 3, 4):
        assert (
            f"Row {number}, column grade: &#39;Boss&#39; is not one of PSO, PQiP, PO or SPO" in page
        )
    assert "The file has 3 problems" in page
    assert people(app) == 3
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PendingImport)) == 0


def test_many_problems_are_capped_with_their_total(app: Flask) -> None:
    client = client_of(app, "manager.national")
    page = upload(client, "staff", staff_file(150, grade="Boss")).get_data(as_text=True)
    assert "The file has 150 problems: the first 100 are listed" in page
    assert "And 50 more problems: 150 in all" in page
    assert "Row 101, column grade" in page and "Row 102, column grade" not in page


def test_a_file_that_is_not_a_spreadsheet_is_one_message(app: Flask) -> None:
    client = client_of(app, "manager.national")
    page = upload(client, "staff", b"%PDF-1.4", "report.pdf").get_data(as_text=True)
    assert "The file must be a spreadsheet saved as CSV (UTF-8) or as an Excel workbook" in page


def test_a_file_above_the_limit_is_refused(app_factory: AppFactory) -> None:
    app = app_factory(
        "import_limit", TODAY=TODAY, IMPORT_MAX_BYTES=2048, MAX_CONTENT_LENGTH=100_000
    )
    add_user(app, "manager.national", UserRole.MANAGER)
    client = client_of(app, "manager.national")
    large = upload(client, "staff", b"name\r\n" + b"x" * 4096)
    assert "The file must be smaller than 2 KB" in large.get_data(as_text=True)
    huge = upload(client, "staff", b"name\r\n" + b"x" * 200_000)
    assert huge.status_code == 413
    assert "The file is too large" in huge.get_data(as_text=True)


def test_a_long_preview_is_paged(app: Flask) -> None:
    client = client_of(app, "manager.national")
    found = pending_id(upload(client, "staff", staff_file(120)))
    first = client.get(f"/imports/{found}").get_data(as_text=True)
    assert "Nia New 50 (S-NEW-050)" in first and "S-NEW-051" not in first
    third = client.get(f"/imports/{found}?page=3").get_data(as_text=True)
    assert "S-NEW-120" in third
    assert "Import 120 rows" in third
    assert client.get(f"/imports/{found}?page=4").status_code == 404


def test_only_the_uploader_sees_their_preview(app: Flask) -> None:
    found = pending_id(upload(client_of(app, "manager.national"), "staff", staff_file()))
    other = client_of(app, "other.manager")
    assert other.get(f"/imports/{found}").status_code == 404
    assert other.post(f"/imports/{found}/confirm").status_code == 404


def test_viewers_may_not_import_or_download(app: Flask) -> None:
    found = pending_id(upload(client_of(app, "manager.national"), "staff", staff_file()))
    viewer = client_of(app, "viewer.national")
    assert viewer.get("/imports/").status_code == 403
    assert upload(viewer, "staff", staff_file()).status_code == 403
    assert viewer.get(f"/imports/{found}").status_code == 403
    assert viewer.post(f"/imports/{found}/confirm").status_code == 403
    assert viewer.get("/imports/records/staff.csv").status_code == 403
    assert people(app) == 3


def test_a_regional_manager_cannot_change_another_region(app: Flask) -> None:
    client = client_of(app, "manager.london")
    cells = row(ImportKind.STAFF, staff_id="S-003", name="Wyn Wales")
    page = upload(client, "staff", csv_bytes(ImportKind.STAFF, [cells])).get_data(as_text=True)
    assert "Row 2, column staff_id: Staff ID S-003 is someone you cannot change" in page


def test_the_current_records_download_in_the_import_columns_within_reach(app: Flask) -> None:
    client = client_of(app, "manager.london")
    response = client.get("/imports/records/staff.csv")
    assert response.headers["Content-Disposition"] == 'attachment; filename="staff.csv"'
    lines = response.get_data().decode("utf-8-sig").splitlines()
    assert lines[0] == MARKING
    assert lines[1] == ",".join(headers(ImportKind.STAFF))
    assert [line.split(",")[0] for line in lines[2:]] == ["S-001", "S-002"]
    workbook = load_workbook(io.BytesIO(client.get("/imports/records/cases.xlsx").get_data()))
    assert [cell.value for cell in workbook.active[2]] == headers(ImportKind.CASES)
    assert client.get("/imports/records/plans.csv").status_code == 404
    assert client.get("/imports/records/staff.pdf").status_code == 404
    with app.app_context():
        lines = db.session.scalars(
            select(AuditEvent.summary).where(AuditEvent.entity == "export").order_by(AuditEvent.id)
        ).all()
    assert lines == ["Exported the staff records as CSV", "Exported the cases records as XLSX"]


def test_the_staff_and_case_lists_link_to_the_import_page_for_managers(app: Flask) -> None:
    client = client_of(app, "manager.national")
    assert 'href="/imports/?kind=staff">Import from a spreadsheet' in client.get(
        "/staff/"
    ).get_data(as_text=True)
    assert 'href="/imports/?kind=cases">Import from a spreadsheet' in client.get(
        "/cases/"
    ).get_data(as_text=True)
    viewer = client_of(app, "viewer.national")
    assert "Import from a spreadsheet" not in viewer.get("/staff/").get_data(as_text=True)


def test_two_confirmations_at_once_import_once(app: Flask) -> None:
    found = pending_id(upload(client_of(app, "manager.national"), "staff", staff_file()))
    clients = [client_of(app, "manager.national") for _ in range(2)]
    start = threading.Barrier(2)
    statuses: list[int] = []

    def confirm(client: FlaskClient) -> None:
        start.wait()
        statuses.append(client.post(f"/imports/{found}/confirm").status_code)

    threads = [threading.Thread(target=confirm, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Each is told something in words: imported, imported already, or saving impossible now.
    assert sorted(statuses)[0] == 302 and set(statuses) <= {302, 503}
    assert people(app) == 5
    with app.app_context():
        imports = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "import")
        assert db.session.scalar(imports) == 1
