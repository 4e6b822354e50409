"""Who opened what, when: a case, a person and an export each leave a line in the audit log."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from planner.domain.vocabulary import UserRole
from planner.extensions import db
from planner.models import AuditEvent, Case, StaffMember, User
from planner.models.types import utcnow
from tests.conftest import load_demo, sign_in


def views(app: Flask) -> list[AuditEvent]:
    """Every view line of the log, oldest first."""
    with app.app_context():
        query = select(AuditEvent).where(AuditEvent.action == "view").order_by(AuditEvent.id)
        lines = list(db.session.scalars(query))
        db.session.expunge_all()
        return lines


def first(app: Flask, model: type) -> tuple[int, str]:
    """The id and label of some case or person."""
    with app.app_context():
        row = db.session.scalars(select(model).order_by(model.id)).first()
        return row.id, row.reference if model is Case else row.staff_ref


def test_opening_a_case_is_audited_with_who_what_and_when(
    app: Flask, viewer: FlaskClient, users: dict[UserRole, str]
) -> None:
    load_demo(app)
    case_id, reference = first(app, Case)
    assert viewer.get(f"/cases/{case_id}").status_code == 200
    [line] = views(app)
    with app.app_context():
        viewer_id = db.session.scalar(
            select(User.id).where(User.username == users[UserRole.VIEWER])
        )
    assert (line.actor, line.user_id, line.entity, line.entity_id, line.summary) == (
        "viewer.user", viewer_id, "case", str(case_id), f"Opened case {reference}"
    )  # fmt: skip
    assert utcnow() - timedelta(minutes=1) < line.at <= utcnow()
    # A case's history is its changes: reading it is not one.
    assert line.case_id is None
    page = viewer.get(f"/cases/{case_id}").get_data(as_text=True)
    assert f"Opened case {reference}" not in page
    assert len(views(app)) == 2


def test_opening_a_person_is_audited(app: Flask, manager: FlaskClient) -> None:
    load_demo(app)
    staff_id, staff_ref = first(app, StaffMember)
    assert manager.get(f"/staff/{staff_id}").status_code == 200
    [line] = views(app)
    assert (line.actor, line.entity, line.entity_id, line.summary) == (
        "manager.user", "staff member", str(staff_id), f"Opened staff member {staff_ref}"
    )  # fmt: skip
    assert line.staff_member_id is None


def test_a_missing_case_or_person_leaves_no_line(app: Flask, manager: FlaskClient) -> None:
    assert manager.get("/cases/99999").status_code == 404
    assert manager.get("/staff/99999").status_code == 404
    assert views(app) == []


def test_an_admin_sees_who_has_opened_a_case(app: Flask, users: dict[UserRole, str]) -> None:
    load_demo(app)
    case_id, reference = first(app, Case)
    other_id, _ = first(app, StaffMember)
    for role in (UserRole.VIEWER, UserRole.MANAGER):
        reader = app.test_client()
        sign_in(reader, users[role])
        reader.get(f"/cases/{case_id}")
        reader.get(f"/staff/{other_id}")
    admin = app.test_client()
    sign_in(admin, users[UserRole.ADMIN])
    case_page = admin.get(f"/cases/{case_id}").get_data(as_text=True)
    assert f'href="/cases/{case_id}/views"' in case_page
    page = admin.get(f"/cases/{case_id}/views").get_data(as_text=True)
    assert f"<title>Who has opened {reference} – Cases – Caseload planner</title>" in page
    rows = page.split("<tbody")[1]
    assert rows.index("admin.user") < rows.index("manager.user") < rows.index("viewer.user")
    assert rows.count('<tr class="govuk-table__row">') == 3
    assert " at " in rows


def test_only_admins_see_who_has_opened_a_case(app: Flask, users: dict[UserRole, str]) -> None:
    load_demo(app)
    case_id, _ = first(app, Case)
    manager = app.test_client()
    sign_in(manager, users[UserRole.MANAGER])
    assert "Who has opened this case" not in manager.get(f"/cases/{case_id}").get_data(as_text=True)
    assert manager.get(f"/cases/{case_id}/views").status_code == 403


def test_exporting_the_alerts_is_audited(app: Flask) -> None:
    load_demo(app)
    result = app.test_cli_runner().invoke(args=["alerts", "--format", "csv"])
    assert result.exit_code == 0, result.output
    [line] = views(app)
    assert line.actor.startswith("cli:")
    assert (line.entity, line.entity_id, line.summary) == (
        "export", "open alerts", "Exported the open alerts as csv"
    )  # fmt: skip


def test_exporting_a_runs_problem_and_plan_is_audited(app: Flask, tmp_path: Path) -> None:
    load_demo(app)
    result = app.test_cli_runner().invoke(
        args=["plan", "--time-limit", "5", "--save-json", str(tmp_path / "out")]
    )
    assert result.exit_code == 0, result.output
    [line] = views(app)
    assert (line.entity, line.entity_id, line.summary) == (
        "export", "plan run 1", "Exported the problem and plan of plan run 1 as JSON"
    )  # fmt: skip
