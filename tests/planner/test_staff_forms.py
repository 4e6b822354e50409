"""Adding and changing people and their absences: every message, nothing written when invalid."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from planner.domain.vocabulary import AbsenceKind
from planner.extensions import db
from planner.models import Absence, AuditEvent, StaffMember
from tests.planner.pages import opened_version
from tests.planner.staff import (
    NEXT_YEAR,
    add_person,
    count,
    module_fixtures,
    staff_form,
    this_monday,
)


def a_taken_staff_id(app: Flask, sites: dict[str, int]) -> int:
    """A person whose staff ID is taken: each test adds people under its own staff ID."""
    return add_person(app, "S-TST-001", sites["HMP-ONE"])


staff_app, sites, clients, manager = module_fixtures(a_taken_staff_id)


def written(app: Flask) -> tuple[int, int, int]:
    """How many people, absences and audit lines are stored."""
    return count(app, StaffMember), count(app, Absence), count(app, AuditEvent)


def stored(app: Flask, staff_ref: str) -> StaffMember:
    """A stored person, detached from the session."""
    with app.app_context():
        person = db.session.scalar(select(StaffMember).where(StaffMember.staff_ref == staff_ref))
        db.session.expunge(person)
        return person


def value_of(page: str, name: str) -> str:
    """The value a text box shows."""
    return re.search(rf'<input [^>]*name="{name}" [^>]*value="([^"]*)"', page)[1]


DATE_FIELDS = {"vetting_expiry", "training_start", "start_date", "end_date"}


def assert_error(page: str, message: str, field: str) -> None:
    """The message is in the error summary, linked to its field (a date's day box), and beside it."""
    assert "There is a problem" in page
    target = f"{field}-day" if field in DATE_FIELDS else field
    assert f'<a href="#{target}">{message}</a>' in page
    assert f'<span class="govuk-visually-hidden">Error:</span> {message}' in page


def test_adding_a_person_stores_them_and_opens_their_page(
    staff_app: Flask, manager: FlaskClient, sites: dict[str, int]
) -> None:
    response = manager.post("/staff/new", data=staff_form(sites, staff_ref=" s-new-001 "))
    person = stored(staff_app, "S-NEW-001")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/staff/{person.id}"
    assert (person.name, person.role, person.grade, person.site_id) == (
        "Nell Newcombe", "prison", "PO", sites["HMP-ONE"],
    )  # fmt: skip
    assert (person.contracted_hours, person.other_work_hours) == (37.0, 3.5)
    assert (person.vetting, person.vetting_expiry) == ("SC", date(int(NEXT_YEAR), 6, 1))
    assert person.skills == ["ct_trained", "polygraph", "arabic", "somali"]
    assert (person.max_cases, person.training_start, person.active) == (12, None, True)
    page = manager.get(response.headers["Location"]).get_data(as_text=True)
    assert "Nell Newcombe has been added." in page
    assert "manager.user added the person on" in page and "by manager.user" in page


def test_optional_answers_may_be_left_out(
    staff_app: Flask, manager: FlaskClient, sites: dict[str, int]
) -> None:
    form = staff_form(
        sites, staff_ref="S-NEW-002", vetting="BPSS", vetting_expiry=None, other_work_hours="",
        skills=None, languages="", max_cases="", active=None,
    )  # fmt: skip
    assert manager.post("/staff/new", data=form).status_code == 302
    person = stored(staff_app, "S-NEW-002")
    assert (person.vetting_expiry, person.other_work_hours, person.skills) == (None, 0.0, [])
    assert (person.max_cases, person.active) == (None, False)


@pytest.mark.parametrize(("grade", "kept"), [("PQiP", date(2026, 9, 1)), ("PO", None)])
def test_a_training_start_date_is_kept_for_trainees_only(
    staff_app: Flask,
    manager: FlaskClient,
    sites: dict[str, int],
    grade: str,
    kept: date | None,
) -> None:
    ref = f"S-NEW-{grade.upper()}"
    form = staff_form(
        sites, staff_ref=ref, role="probation", site_id=str(sites["PDU-ONE"]), grade=grade,
        training_start=["1", "9", "2026"],
    )  # fmt: skip
    assert manager.post("/staff/new", data=form).status_code == 302
    assert stored(staff_app, ref).training_start == kept


LONG = "x" * 121
# One line each, so that each mistake reads beside its message.
# fmt: off
STAFF_MISTAKES = [
    ({"staff_ref": ""}, "staff_ref", "Enter the staff ID"),
    ({"staff_ref": "S LDN 1"}, "staff_ref", "Staff ID must only include letters, numbers and hyphens, like S-LDN-001"),
    ({"staff_ref": "S-" + "1" * 19}, "staff_ref", "Staff ID must be 20 characters or fewer"),
    ({"staff_ref": "s-tst-001"}, "staff_ref", "Staff ID S-TST-001 is already used by someone else"),
    ({"name": " "}, "name", "Enter the full name"),
    ({"name": LONG}, "name", "Full name must be 120 characters or fewer"),
    ({"role": None}, "role", "Select the role"),
    ({"role": "boss"}, "role", "Select the role"),
    ({"grade": None}, "grade", "Select the grade"),
    ({"site_id": ""}, "site_id", "Select the site"),
    ({"site_id": "999"}, "site_id", "Select the site"),
    ({"site": "PDU-ONE"}, "site_id", "Select a prison for a prison offender manager (POM)"),
    ({"role": "probation"}, "site_id", "Select a probation delivery unit or NSD team for a community offender manager (COM)"),
    ({"contracted_hours": ""}, "contracted_hours", "Enter the contracted hours, like 37 or 22.5"),
    ({"contracted_hours": "lots"}, "contracted_hours", "Enter the contracted hours as a number, like 37 or 22.5"),
    ({"contracted_hours": "61"}, "contracted_hours", "The contracted hours must be between 0.1 and 60"),
    ({"other_work_hours": "x"}, "other_work_hours", "Enter the other work hours as a number, like 0 or 7.5"),
    ({"other_work_hours": "37.5"}, "other_work_hours", "Other work hours must be no more than the contracted hours"),
    ({"vetting": None}, "vetting", "Select the vetting level"),
    ({"vetting_expiry": None}, "vetting_expiry", "Enter the date the SC vetting expires"),
    ({"vetting": "none"}, "vetting_expiry", "Remove the vetting expiry date, or select the vetting level it belongs to"),
    ({"vetting_expiry": ["31", "2", NEXT_YEAR]}, "vetting_expiry", "Vetting expiry date must be a real date"),
    ({"vetting_expiry": ["1", "", NEXT_YEAR]}, "vetting_expiry", "Vetting expiry date must include a month"),
    ({"skills": ["flying"]}, "skills", "Select skills from the list"),
    ({"languages": "Arabic, 123"}, "languages", "Languages must only include letters, separated by commas, like Arabic, Urdu"),
    ({"max_cases": "ten"}, "max_cases", "Maximum cases must be a whole number, like 12"),
    ({"max_cases": "-1"}, "max_cases", "Maximum cases must be a whole number, like 12"),
    ({"max_cases": "101"}, "max_cases", "Maximum cases must be 100 or fewer"),
    ({"grade": "PQiP", "role": "probation", "site": "PDU-ONE"}, "training_start", "Enter the date their PQiP training started"),
]
# fmt: on


@pytest.mark.parametrize(("changes", "field", "message"), STAFF_MISTAKES)
def test_each_mistake_in_a_persons_details_is_named_and_nothing_is_written(
    staff_app: Flask,
    manager: FlaskClient,
    sites: dict[str, int],
    changes: dict[str, Any],
    field: str,
    message: str,
) -> None:
    changes = dict(changes)
    if "site" in changes:
        changes["site_id"] = str(sites[changes.pop("site")])
    form = staff_form(sites, **{"name": "Typed Name", **changes})
    before = written(staff_app)
    response = manager.post("/staff/new", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Error: Add a person – Caseload planner</title>" in page
    assert_error(page, message, field)
    assert written(staff_app) == before
    if field != "name":
        assert value_of(page, "name") == "Typed Name"
    if field != "contracted_hours":
        assert value_of(page, "contracted_hours") == "37"
    assert value_of(page, "languages") == form["languages"]
    if field != "skills":
        assert 'value="ct_trained" checked' in page


def test_the_edit_form_shows_what_is_stored(
    staff_app: Flask, manager: FlaskClient, sites: dict[str, int]
) -> None:
    staff_id = add_person(
        staff_app, "S-EDT-001", sites["HMP-ONE"], skills=["erg_assessor", "urdu"],
        vetting_expiry=date(2030, 3, 27), max_cases=9,
    )  # fmt: skip
    page = manager.get(f"/staff/{staff_id}/edit").get_data(as_text=True)
    assert "<title>Change Person S-EDT-001’s details – Caseload planner</title>" in page
    assert 'value="S-EDT-001"' in page
    assert 'value="prison" checked' in page and 'value="PO" checked' in page
    assert f'<option value="{sites["HMP-ONE"]}" selected>HMP One (London)</option>' in page
    assert 'value="erg_assessor" checked' in page and 'value="ct_trained" checked' not in page
    assert 'value="Urdu"' in page
    assert 'value="27"' in page and 'value="2030"' in page
    assert value_of(page, "max_cases") == "9"


def test_changing_a_person_stores_the_change_and_logs_before_and_after(
    staff_app: Flask, manager: FlaskClient, sites: dict[str, int]
) -> None:
    staff_id = add_person(staff_app, "S-EDT-002", sites["HMP-ONE"], name="Nell Newcombe")
    form = staff_form(
        sites, staff_ref="S-EDT-002", contracted_hours="22.5", other_work_hours="0",
        version=opened_version(manager, f"/staff/{staff_id}/edit"),
    )  # fmt: skip
    response = manager.post(f"/staff/{staff_id}/edit", data=form)
    assert response.headers["Location"] == f"/staff/{staff_id}"
    assert stored(staff_app, "S-EDT-002").contracted_hours == 22.5
    with staff_app.app_context():
        line = db.session.scalars(
            select(AuditEvent).where(AuditEvent.staff_member_id == staff_id)
        ).all()[-1]
        assert (line.action, line.actor) == ("update", "manager.user")
        assert (line.before["contracted_hours"], line.after["contracted_hours"]) == (37.0, 22.5)
    page = manager.get(f"/staff/{staff_id}").get_data(as_text=True)
    assert "Nell Newcombe’s details have been saved." in page


def test_saving_unchanged_details_logs_nothing(
    staff_app: Flask, manager: FlaskClient, sites: dict[str, int]
) -> None:
    staff_id = add_person(
        staff_app, "S-EDT-003", sites["HMP-ONE"], vetting_expiry=date(2030, 3, 27), skills=[]
    )
    form = staff_form(
        sites, staff_ref="S-EDT-003", name="Person S-EDT-003", other_work_hours="0",
        vetting_expiry=["27", "3", "2030"], skills=None, languages="", max_cases="",
        version=opened_version(manager, f"/staff/{staff_id}/edit"),
    )  # fmt: skip
    before = written(staff_app)
    assert manager.post(f"/staff/{staff_id}/edit", data=form).status_code == 302
    assert written(staff_app) == before


def test_a_mistake_while_changing_writes_nothing_and_keeps_what_was_typed(
    staff_app: Flask, manager: FlaskClient, sites: dict[str, int]
) -> None:
    staff_id = add_person(staff_app, "S-EDT-004", sites["HMP-ONE"])
    form = staff_form(sites, staff_ref="S-EDT-004", contracted_hours="99", name="New Name")
    before = written(staff_app)
    page = manager.post(f"/staff/{staff_id}/edit", data=form).get_data(as_text=True)
    assert "<title>Error: Change Person S-EDT-004’s details – Caseload planner</title>" in page
    assert_error(page, "The contracted hours must be between 0.1 and 60", "contracted_hours")
    assert value_of(page, "contracted_hours") == "99"
    assert value_of(page, "name") == "New Name"
    assert written(staff_app) == before
    assert stored(staff_app, "S-EDT-004").name == "Person S-EDT-004"


# --- Absences and reductions ----------------------------------------------------------------


@pytest.fixture(scope="module")
def absent(staff_app: Flask, sites: dict[str, int]) -> int:
    """A person whose absences these tests record."""
    return add_person(staff_app, "S-ABS-001", sites["HMP-ONE"])


def day_month_year(day: date) -> list[str]:
    """A date as it is typed into the three boxes."""
    return [str(day.day), str(day.month), str(day.year)]


def absence_form(**changes: Any) -> dict[str, Any]:
    """A valid form for a week's training at 7.4 hours (None leaves an answer out)."""
    start = this_monday() + timedelta(weeks=1)
    end = start + timedelta(days=4)
    answers = {
        "kind": "training", "start_date": day_month_year(start), "end_date": day_month_year(end),
        "extent": "part", "hours_per_week": "7.4", "note": "Extremism risk course",
    }  # fmt: skip
    answers.update(changes)
    return {name: value for name, value in answers.items() if value is not None}


def test_adding_an_absence_stores_it_and_shows_the_coming_weeks(
    staff_app: Flask, manager: FlaskClient, absent: int
) -> None:
    form_page = manager.get(f"/staff/{absent}/absences/new").get_data(as_text=True)
    assert "available hours as they stand" in form_page
    response = manager.post(f"/staff/{absent}/absences/new", data=absence_form())
    assert response.headers["Location"] == f"/staff/{absent}#availability"
    with staff_app.app_context():
        absence = db.session.scalars(select(Absence).where(Absence.staff_member_id == absent))
        (stored_absence,) = absence.all()
        assert stored_absence.kind == AbsenceKind.TRAINING
        assert stored_absence.start_date == this_monday() + timedelta(weeks=1)
        assert stored_absence.end_date == this_monday() + timedelta(weeks=1, days=4)
        assert (stored_absence.hours_per_week, stored_absence.note) == (
            7.4,
            "Extremism risk course",
        )
    page = manager.get(f"/staff/{absent}").get_data(as_text=True)
    assert "The absence has been added." in page
    weeks = page.split('id="availability"')[1]
    assert "Training: 7.4 hours a week" in weeks and ">29.6<" in weeks


def test_all_working_time_needs_no_hours(
    staff_app: Flask, manager: FlaskClient, sites: dict[str, int]
) -> None:
    staff_id = add_person(staff_app, "S-ABS-002", sites["HMP-ONE"])
    form = absence_form(kind="sickness", extent="whole", hours_per_week="")
    assert manager.post(f"/staff/{staff_id}/absences/new", data=form).status_code == 302
    with staff_app.app_context():
        absence = db.session.scalar(select(Absence).where(Absence.staff_member_id == staff_id))
        assert (absence.kind, absence.hours_per_week) == (AbsenceKind.SICKNESS, None)


# fmt: off
ABSENCE_MISTAKES = [
    ({"kind": None}, "kind", "Select the kind of absence or reduction"),
    ({"start_date": None}, "start_date", "Enter the start date"),
    ({"end_date": ["", "", ""]}, "end_date", "Enter the end date"),
    ({"start_date": ["31", "2", NEXT_YEAR]}, "start_date", "Start date must be a real date"),
    ({"end_date": ["1", "2", ""]}, "end_date", "End date must include a year"),
    ({"end_date": ["1", "1", "2020"]}, "end_date", "End date must be the same as or after the start date"),
    ({"extent": None}, "extent", "Select whether it takes all their time or some hours a week"),
    ({"extent": "whole"}, "hours_per_week", "Remove the hours a week, or select some hours each week"),
    ({"hours_per_week": ""}, "hours_per_week", "Enter the hours a week, like 7.4 or 3.7"),
    ({"hours_per_week": "abc"}, "hours_per_week", "Enter the hours a week as a number, like 7.4 or 3.7"),
    ({"hours_per_week": "0"}, "hours_per_week", "The hours a week must be between 0.1 and 60"),
    ({"hours_per_week": "40"}, "hours_per_week", "Hours a week must be no more than their contracted hours (37)"),
    ({"note": "x" * 201}, "note", "Note must be 200 characters or fewer"),
]
# fmt: on


@pytest.mark.parametrize(("changes", "field", "message"), ABSENCE_MISTAKES)
def test_each_mistake_in_an_absence_is_named_and_nothing_is_written(
    staff_app: Flask,
    manager: FlaskClient,
    absent: int,
    changes: dict[str, Any],
    field: str,
    message: str,
) -> None:
    before = written(staff_app)
    response = manager.post(f"/staff/{absent}/absences/new", data=absence_form(**changes))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Error: Add an absence or reduction – Caseload planner</title>" in page
    assert_error(page, message, field)
    assert written(staff_app) == before
    if field != "note":
        assert "Extremism risk course" in page


def test_changing_and_deleting_an_absence(
    staff_app: Flask, manager: FlaskClient, sites: dict[str, int]
) -> None:
    staff_id = add_person(staff_app, "S-ABS-003", sites["HMP-ONE"])
    manager.post(f"/staff/{staff_id}/absences/new", data=absence_form())
    with staff_app.app_context():
        absence_id = db.session.scalar(
            select(Absence.id).where(Absence.staff_member_id == staff_id)
        )
    address = f"/staff/{staff_id}/absences/{absence_id}"
    page = manager.get(f"{address}/edit").get_data(as_text=True)
    assert 'value="training" checked' in page and 'value="7.4"' in page

    version = opened_version(manager, f"{address}/edit")
    response = manager.post(
        f"{address}/edit", data=absence_form(hours_per_week="3.7", version=version)
    )
    assert response.headers["Location"] == f"/staff/{staff_id}#availability"
    with staff_app.app_context():
        assert db.session.get(Absence, absence_id).hours_per_week == 3.7

    confirm = manager.get(f"{address}/delete").get_data(as_text=True)
    assert "Are you sure you want to delete this absence or reduction?" in confirm
    assert "3.7 hours a week" in confirm
    before = count(staff_app, Absence)
    response = manager.post(
        f"{address}/delete", data={"version": opened_version(manager, f"{address}/delete")}
    )
    assert response.headers["Location"] == f"/staff/{staff_id}#availability"
    assert count(staff_app, Absence) == before - 1
    with staff_app.app_context():
        assert db.session.get(Absence, absence_id) is None
    page = manager.get(f"/staff/{staff_id}").get_data(as_text=True)
    assert "The absence has been deleted." in page
    history = page.split('id="history"')[1]
    assert "manager.user deleted the training from" in history
    assert "manager.user changed the training from" in history
    assert "the hours a week from 7.4 to 3.7" in history
