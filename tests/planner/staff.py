"""Builders and per-module fixtures that the test_staff_* modules share."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from planner.domain.vocabulary import (
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
from planner.domain.weeks import IsoWeek
from planner.extensions import db
from planner.models import Allocation, Case, Need, Region, Site, StaffMember
from planner.models.auditing import set_actor
from tests.conftest import add_user, make_app, sign_in
from tests.conftest import count as count  # test_staff_pages imports it from here
from tests.databases import Databases

# The day the staff modules' apps take as today: a Wednesday, so that "this week" starts before it.
TODAY = date(2026, 12, 9)
NEXT_YEAR = str(TODAY.year + 1)


def this_monday() -> date:
    """The Monday of the week the pages count as this week."""
    return IsoWeek.containing(TODAY).monday


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
        "vetting_expiry": TODAY + timedelta(days=400),
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
                start_date=values.get("start", TODAY - timedelta(days=30)),
                end_date=values.get("end"),
                pinned=values.get("pinned", False),
                reason="test",
            )
        )
        case.needs.append(need)
        db.session.add(case)
        db.session.commit()
        return case.id


def staff_form(sites: dict[str, int], **changes: Any) -> dict[str, Any]:
    """A valid form for a new POM, with some answers changed (None leaves one out)."""
    answers = {
        "staff_ref": "S-NEW-001", "name": "Nell Newcombe", "role": "prison", "grade": "PO",
        "site_id": str(sites["HMP-ONE"]), "contracted_hours": "37", "other_work_hours": "3.5",
        "vetting": "SC", "vetting_expiry": ["1", "6", NEXT_YEAR],
        "skills": ["ct_trained", "polygraph"], "languages": "Arabic, Somali",
        "max_cases": "12", "active": "y",
    }  # fmt: skip
    answers.update(changes)
    return {name: value for name, value in answers.items() if value is not None}


# --- One app per module: these tests only read, or write rows nobody else reads ----------


def module_app(tmp_path_factory: pytest.TempPathFactory, databases: Databases) -> Iterator[Flask]:
    """An app on its own database, today fixed, with one user of each role, for a whole module."""
    # Each new app compiles the GOV.UK templates again and each password is hashed with scrypt:
    # a second or more per test, so a module shares one app and one signed-in client a role.
    database = databases.create(tmp_path_factory.mktemp("staff") / "planner.db")
    app = make_app(database, TODAY=TODAY.isoformat())
    for role in UserRole:
        add_user(app, f"{role.value}.user", role)
    yield app
    with app.app_context():
        db.engine.dispose()
    databases.drop(database)


def clients_by_role(app: Flask) -> dict[UserRole | None, FlaskClient]:
    """A client signed in as each role, and one signed out (None)."""
    clients: dict[UserRole | None, FlaskClient] = {None: app.test_client()}
    for role in UserRole:
        clients[role] = app.test_client()
        sign_in(clients[role], f"{role.value}.user")
    return clients


def module_fixtures(
    stock: Callable[[Flask, dict[str, int]], object] = lambda app, sites: None,
) -> tuple[Any, Any, Any, Any]:
    """A module's own staff_app, sites (stocked by `stock`), clients one a role, and manager."""
    # Called once in each module, so each module gets its own app: module scope per module.
    # Named in the decorator, so they are found whatever names the module binds them to.

    @pytest.fixture(scope="module", name="staff_app")
    def staff_app(
        tmp_path_factory: pytest.TempPathFactory, databases: Databases
    ) -> Iterator[Flask]:
        """This module's app."""
        yield from module_app(tmp_path_factory, databases)

    @pytest.fixture(scope="module", name="sites")
    def sites(staff_app: Flask) -> dict[str, int]:
        """This module's sites, and whatever people the module stocks them with."""
        built = build_sites(staff_app)
        stock(staff_app, built)
        return built

    @pytest.fixture(scope="module", name="clients")
    def clients(staff_app: Flask, sites: dict[str, int]) -> dict[UserRole | None, FlaskClient]:
        """This module's clients, one a role, once its people are stored."""
        return clients_by_role(staff_app)

    @pytest.fixture(scope="module", name="manager")
    def manager(clients: dict[UserRole | None, FlaskClient]) -> FlaskClient:
        """A client signed in as a manager."""
        return clients[UserRole.MANAGER]

    return staff_app, sites, clients, manager
