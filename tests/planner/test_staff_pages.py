"""The staff pages: who may reach each one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from planner.domain.vocabulary import AbsenceKind, UserRole
from planner.extensions import db
from planner.models import Absence
from planner.models.auditing import set_actor
from tests.planner.staff import add_person, count, module_fixtures, this_monday

staff_app, sites, clients, manager = module_fixtures()


# --- Who may reach what ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def person(staff_app: Flask, sites: dict[str, int]) -> int:
    """A person whose absences the access table changes and deletes."""
    return add_person(staff_app, "S-TST-001", sites["HMP-ONE"])


@pytest.fixture
def absence(staff_app: Flask, person: int) -> int:
    """A new absence of that person for each test (one test deletes it)."""
    with staff_app.app_context():
        set_actor(db.session, "test")
        leave = Absence(
            staff_member_id=person,
            kind=AbsenceKind.ANNUAL_LEAVE,
            start_date=this_monday() + timedelta(weeks=2),
            end_date=this_monday() + timedelta(weeks=2, days=4),
        )
        db.session.add(leave)
        db.session.commit()
        return leave.id


READ = {None: 302, UserRole.VIEWER: 200, UserRole.MANAGER: 200, UserRole.ADMIN: 200}
NOT_ALLOWED = {None: 302, UserRole.VIEWER: 405, UserRole.MANAGER: 405, UserRole.ADMIN: 405}
# An empty form comes back with its errors (200); a viewer may not even see it.
CHANGE = {None: 302, UserRole.VIEWER: 403, UserRole.MANAGER: 200, UserRole.ADMIN: 200}
CONFIRMED = {None: 302, UserRole.VIEWER: 403, UserRole.MANAGER: 302, UserRole.ADMIN: 302}
ROUTES = [
    ("GET", "/staff/", READ),
    ("POST", "/staff/", NOT_ALLOWED),
    ("GET", "/staff/{staff}", READ),
    ("POST", "/staff/{staff}", NOT_ALLOWED),
    ("GET", "/staff/new", CHANGE),
    ("POST", "/staff/new", CHANGE),
    ("GET", "/staff/{staff}/edit", CHANGE),
    ("POST", "/staff/{staff}/edit", CHANGE),
    ("GET", "/staff/{staff}/absences/new", CHANGE),
    ("POST", "/staff/{staff}/absences/new", CHANGE),
    ("GET", "/staff/{staff}/absences/{absence}/edit", CHANGE),
    ("POST", "/staff/{staff}/absences/{absence}/edit", CHANGE),
    ("GET", "/staff/{staff}/absences/{absence}/delete", CHANGE),
    ("POST", "/staff/{staff}/absences/{absence}/delete", CONFIRMED),
]


@pytest.mark.parametrize(
    ("method", "path", "role", "status"),
    [
        (method, path, role, statuses[role])
        for method, path, statuses in ROUTES
        for role in (None, *UserRole)
    ],
)
def test_each_role_reaches_exactly_what_it_should(
    staff_app: Flask,
    clients: dict[UserRole | None, FlaskClient],
    person: int,
    absence: int,
    method: str,
    path: str,
    role: UserRole | None,
    status: int,
) -> None:
    before = count(staff_app, Absence)
    # A confirmation is sent at the version it was shown at: a new absence's first.
    data = {"version": "1"} if method == "POST" else None
    response = clients[role].open(
        path.format(staff=person, absence=absence), method=method, data=data
    )
    assert response.status_code == status
    if role is None:
        assert response.headers["Location"].startswith("/sign-in?next=")
    deleted = method == "POST" and path.endswith("/delete") and status == 302 and role
    assert count(staff_app, Absence) == before - (1 if deleted else 0)


@pytest.mark.parametrize(
    "path",
    [
        "/staff/999",
        "/staff/999/edit",
        "/staff/999/absences/new",
        "/staff/{staff}/absences/999/edit",
        "/staff/{staff}/absences/999/delete",
    ],
)
def test_unknown_people_and_absences_are_not_found(
    manager: FlaskClient, person: int, path: str
) -> None:
    assert manager.get(path.format(staff=person)).status_code == 404


def test_one_persons_absence_cannot_be_changed_through_another(
    staff_app: Flask, manager: FlaskClient, sites: dict[str, int], absence: int
) -> None:
    other = add_person(staff_app, "S-TST-002", sites["HMP-ONE"])
    before = count(staff_app, Absence)
    assert manager.get(f"/staff/{other}/absences/{absence}/edit").status_code == 404
    assert manager.post(f"/staff/{other}/absences/{absence}/delete").status_code == 404
    assert count(staff_app, Absence) == before


def test_viewers_see_no_change_links(
    clients: dict[UserRole | None, FlaskClient], person: int, absence: int
) -> None:
    viewer = clients[UserRole.VIEWER]
    page = viewer.get(f"/staff/{person}").get_data(as_text=True)
    assert "<title>Person S-TST-001 – Caseload planner</title>" in page
    assert "Change details" not in page
    assert "/absences/new" not in page
    assert "/delete" not in page and "/edit" not in page
    listing = viewer.get("/staff/").get_data(as_text=True)
    assert 'href="/staff/' + str(person) + '">Person S-TST-001</a>' in listing
    assert "Add a person" not in listing
    assert "Add a person" in clients[UserRole.MANAGER].get("/staff/").get_data(as_text=True)
