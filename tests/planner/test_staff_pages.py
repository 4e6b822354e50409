"""The staff pages: who may reach each one (and the builders the other staff tests share)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from planner.audit import set_actor
from planner.extensions import db
from planner.models import Absence, Allocation, Case, Need, Region, Site, StaffMember
from planner.vocabulary import (
    AbsenceKind,
    Cohort,
    Grade,
    NeedSource,
    Role,
    Rosh,
    SentenceType,
    Setting,
    SiteKind,
    UserRole,
    Vetting,
)
from planner.weeks import IsoWeek
from tests.conftest import add_user, make_app, sign_in

# --- Builders, shared by the other test_staff_* modules ------------------------------------


def this_monday() -> date:
    """The Monday of the week the pages count as this week."""
    return IsoWeek.containing(date.today()).monday


def build_sites(app: Flask) -> dict[str, int]:
    """Two regions: London with a prison, a PDU and an NSD team; Wales with a prison."""
    with app.app_context():
        set_actor(db.session, "test")
        london, wales = Region(name="London"), Region(name="Wales")
        sites = [
            Site(code="HMP-ONE", name="HMP One", kind=SiteKind.PRISON, region=london),
            Site(code="PDU-ONE", name="One PDU", kind=SiteKind.PDU, region=london),
            Site(code="NSD-ONE", name="NSD One team", kind=SiteKind.NSD, region=london),
            Site(code="HMP-TWO", name="HMP Two", kind=SiteKind.PRISON, region=wales),
        ]
        db.session.add_all(sites)
        db.session.commit()
        return {site.code: site.id for site in sites}


def add_person(app: Flask, ref: str, site_id: int, **values: Any) -> int:
    """Store a practitioner: a full-time, SC-vetted PO POM unless told otherwise."""
    absences = values.pop("absences", [])
    details = {
        "name": f"Person {ref}",
        "role": Role.PRISON,
        "grade": Grade.PO,
        "contracted_hours": 37.0,
        "other_work_hours": 0.0,
        "vetting": Vetting.SC,
        "vetting_expiry": date.today() + timedelta(days=400),
        "skills": ["ct_trained"],
        "active": True,
        **values,
    }
    with app.app_context():
        set_actor(db.session, "test")
        person = StaffMember(staff_ref=ref, site_id=site_id, **details)
        person.absences.extend(absences)
        db.session.add(person)
        db.session.commit()
        return person.id


def give_case(
    app: Flask, staff_id: int, site_id: int, reference: str, hours: float, **values: Any
) -> int:
    """Store a custody case with one POM need that the person holds from last month."""
    with app.app_context():
        set_actor(db.session, "test")
        case = Case(
            reference=reference, name=f"Case {reference}", cohort=Cohort.TACT,
            rosh=values.get("rosh", Rosh.HIGH), tier="A1", setting=Setting.CUSTODY,
            site_id=site_id, sentence_type=SentenceType.DETERMINATE,
        )  # fmt: skip
        need = Need(
            key=values.get("key", "pom"), position=0, role=Role.PRISON, min_grade=Grade.PO,
            hours=hours, vetting=Vetting.SC, skills=[], same_site=True,
            source=NeedSource.RULES, rule="test",
        )  # fmt: skip
        need.allocations.append(
            Allocation(
                staff_member_id=staff_id,
                start_date=values.get("start", date.today() - timedelta(days=30)),
                end_date=values.get("end"),
                pinned=values.get("pinned", False),
                reason="test",
            )
        )
        case.needs.append(need)
        db.session.add(case)
        db.session.commit()
        return case.id


def count(app: Flask, model: type) -> int:
    """How many rows a table holds."""
    with app.app_context():
        return len(db.session.scalars(select(model)).all())


# --- One app per module: these tests only read, or write rows nobody else reads ----------


def module_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """An app on its own database with one user of each role, kept for a whole test module."""
    # Each new app compiles the GOV.UK templates again and each password is hashed with scrypt:
    # a second or more per test, so a module shares one app and one signed-in client a role.
    app = make_app(tmp_path_factory.mktemp("staff") / "planner.db")
    for role in UserRole:
        add_user(app, f"{role.value}.user", role)
    yield app
    with app.app_context():
        db.engine.dispose()


def clients_by_role(app: Flask) -> dict[UserRole | None, FlaskClient]:
    """A client signed in as each role, and one signed out (None)."""
    clients: dict[UserRole | None, FlaskClient] = {None: app.test_client()}
    for role in UserRole:
        clients[role] = app.test_client()
        sign_in(clients[role], f"{role.value}.user")
    return clients


@pytest.fixture(scope="module")
def pages_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """This module's app."""
    yield from module_app(tmp_path_factory)


@pytest.fixture(scope="module")
def sites(pages_app: Flask) -> dict[str, int]:
    """This module's sites."""
    return build_sites(pages_app)


@pytest.fixture(scope="module")
def clients(pages_app: Flask) -> dict[UserRole | None, FlaskClient]:
    """This module's clients, one a role."""
    return clients_by_role(pages_app)


@pytest.fixture
def manager(clients: dict[UserRole | None, FlaskClient]) -> FlaskClient:
    """A client signed in as a manager."""
    return clients[UserRole.MANAGER]


# --- Who may reach what ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def person(pages_app: Flask, sites: dict[str, int]) -> int:
    """A person whose absences the access table changes and deletes."""
    return add_person(pages_app, "S-TST-001", sites["HMP-ONE"])


@pytest.fixture
def absence(pages_app: Flask, person: int) -> int:
    """A new absence of that person for each test (one test deletes it)."""
    with pages_app.app_context():
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
    pages_app: Flask,
    clients: dict[UserRole | None, FlaskClient],
    person: int,
    absence: int,
    method: str,
    path: str,
    role: UserRole | None,
    status: int,
) -> None:
    before = count(pages_app, Absence)
    response = clients[role].open(path.format(staff=person, absence=absence), method=method)
    assert response.status_code == status
    if role is None:
        assert response.headers["Location"].startswith("/sign-in?next=")
    deleted = method == "POST" and path.endswith("/delete") and status == 302 and role
    assert count(pages_app, Absence) == before - (1 if deleted else 0)


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
    pages_app: Flask, manager: FlaskClient, sites: dict[str, int], absence: int
) -> None:
    other = add_person(pages_app, "S-TST-002", sites["HMP-ONE"])
    before = count(pages_app, Absence)
    assert manager.get(f"/staff/{other}/absences/{absence}/edit").status_code == 404
    assert manager.post(f"/staff/{other}/absences/{absence}/delete").status_code == 404
    assert count(pages_app, Absence) == before


def test_viewers_see_no_change_links(
    clients: dict[UserRole | None, FlaskClient], person: int, absence: int
) -> None:
    viewer = clients[UserRole.VIEWER]
    page = viewer.get(f"/staff/{person}").get_data(as_text=True)
    assert "Change details" not in page
    assert "/absences/new" not in page
    assert "/delete" not in page and "/edit" not in page
    assert "Add a person" not in viewer.get("/staff/").get_data(as_text=True)
    assert "Add a person" in clients[UserRole.MANAGER].get("/staff/").get_data(as_text=True)
