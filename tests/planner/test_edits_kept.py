"""Edits never lost: of two managers saving the same record, the second is told and shown both."""

from __future__ import annotations

import re
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from planner.domain.vocabulary import Grade, JobStatus, label
from planner.domain.weeks import IsoWeek
from planner.extensions import db
from planner.models import Absence, Allocation, AuditEvent, Case, Need, PlanRun, StaffMember
from planner.plans.approval import approve
from planner.plans.batch import run_week
from planner.web.templating import time_on_date
from tests.conftest import AppFactory
from tests.planner.editing import (
    absence_answers,
    case_answers,
    changes_table,
    ids,
    last_change,
    need_answers,
    person_answers,
    signed_in,
    version_in,
    world_app,
)
from tests.planner.pages import opened_version, text_of
from tests.planner.world import MONDAY


@pytest.fixture
def app(app_factory: AppFactory) -> Flask:
    """The tiny world and two managers."""
    return world_app(app_factory)


@pytest.fixture
def one(app: Flask) -> FlaskClient:
    """The first manager."""
    return signed_in(app, "manager.one")


@pytest.fixture
def two(app: Flask) -> FlaskClient:
    """The second manager, in another browser."""
    return signed_in(app, "manager.two")


def assert_told(page: str, app: Flask, entity: str, entity_id: int, what: str) -> None:
    """The error summary names who saved first and when, in words."""
    line = last_change(app, entity, entity_id)
    message = f"manager.one changed {what} at {time_on_date(line.at)} since you opened it"
    assert line.actor == "manager.one"
    summary = page.split('class="govuk-error-summary"', 1)[1].split("</div>\n</div>", 1)[0]
    assert message in text_of(summary)
    assert "<title>Error: " in page
    assert re.search(r"\d{1,2}:\d\d[ap]m on \d{1,2} [A-Z][a-z]+ 20\d\d", message)


def test_the_second_save_of_a_case_is_refused_with_both_values(
    app: Flask, one: FlaskClient, two: FlaskClient
) -> None:
    case_id = ids(app)["case"]
    address = f"/cases/{case_id}/edit"
    opened_by_one, opened_by_two = opened_version(one, address), opened_version(two, address)
    saved = one.post(address, data=case_answers(app, rosh="very_high", version=opened_by_one))
    assert saved.status_code == 302
    before = audit_lines(app)
    refused = two.post(address, data=case_answers(app, tier="C1", version=opened_by_two))
    page = refused.get_data(as_text=True)
    assert refused.status_code == 409
    assert_told(page, app, "case", case_id, "this case")
    table = changes_table(page)
    assert table["Risk of serious harm (RoSH)"] == ["Very high", "High"]
    assert table["Tier"] == ["B2", "C1"]
    assert set(table) == {"Risk of serious harm (RoSH)", "Tier"}
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert (case.rosh.value, case.tier) == ("very_high", "B2")
        now = case.version
    assert audit_lines(app) == before  # nothing written, not even a line
    # Theirs are kept in the form, which now carries the version just shown.
    assert '<option value="C1" selected>' in page
    assert '<option value="high" selected>' in page
    assert version_in(page) == str(now) != opened_by_two
    again = two.post(address, data=case_answers(app, tier="C1", version=version_in(page)))
    assert again.status_code == 302
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert (case.rosh.value, case.tier) == ("high", "C1")


def audit_lines(app: Flask) -> int:
    """How many changes the audit log holds."""
    with app.app_context():
        return len(
            db.session.scalars(select(AuditEvent.id).where(AuditEvent.action != "view")).all()
        )


def test_the_second_save_of_a_person_is_refused_with_both_values(
    app: Flask, one: FlaskClient, two: FlaskClient
) -> None:
    staff_id = ids(app)["person"]
    address = f"/staff/{staff_id}/edit"
    opened_by_one, opened_by_two = opened_version(one, address), opened_version(two, address)
    answers = person_answers(app, contracted_hours="30", version=opened_by_one)
    assert one.post(address, data=answers).status_code == 302
    refused = two.post(
        address, data=person_answers(app, grade="SPO", languages="Urdu", version=opened_by_two)
    )
    page = refused.get_data(as_text=True)
    assert refused.status_code == 409
    assert_told(page, app, "staff member", staff_id, "this person’s details")
    table = changes_table(page)
    assert table == {
        "Grade": ["PO", "SPO"],
        "Contracted hours": ["30", "37"],
        "Languages other than English (optional)": ["None", "Urdu"],
    }
    with app.app_context():
        person = db.session.get(StaffMember, staff_id)
        assert (person.contracted_hours, person.grade.value, person.skills) == (
            30.0, "PO", ["ct_trained"]
        )  # fmt: skip
    assert 'value="SPO" checked' in page and 'value="Urdu"' in page


def test_the_second_save_of_a_need_is_refused_with_both_values(
    app: Flask, one: FlaskClient, two: FlaskClient
) -> None:
    found = ids(app)
    address = f"/cases/{found['case']}/needs/{found['need']}/edit"
    opened_by_one, opened_by_two = opened_version(one, address), opened_version(two, address)
    assert one.post(address, data=need_answers(hours="5", version=opened_by_one)).status_code == 302
    refused = two.post(
        address, data=need_answers(hours="4", min_grade="SPO", version=opened_by_two)
    )
    page = refused.get_data(as_text=True)
    assert refused.status_code == 409
    assert_told(page, app, "need", found["need"], "this need")
    table = changes_table(page)
    assert table["Hours a week"] == ["5", "4"]
    assert table["Lowest grade who may hold it"] == [label(Grade.PO), label(Grade.SPO)]
    assert "Why does this case need this?" not in table
    with app.app_context():
        need = db.session.get(Need, found["need"])
        assert (need.hours, need.min_grade.value) == (5.0, "PO")


def test_the_second_save_of_an_absence_is_refused_with_both_values(
    app: Flask, one: FlaskClient, two: FlaskClient
) -> None:
    found = ids(app)
    address = f"/staff/{found['person']}/absences/{found['absence']}/edit"
    opened_by_one, opened_by_two = opened_version(one, address), opened_version(two, address)
    ended = absence_answers(end_date=["16", "12", "2026"], version=opened_by_one)
    assert one.post(address, data=ended).status_code == 302
    refused = two.post(address, data=absence_answers(note="Booked in May", version=opened_by_two))
    page = refused.get_data(as_text=True)
    assert refused.status_code == 409
    assert_told(page, app, "absence", found["absence"], "this absence")
    assert changes_table(page) == {
        "End date": ["16 December 2026", "18 December 2026"],
        "Note (optional)": ["None", "Booked in May"],
    }
    with app.app_context():
        absence = db.session.get(Absence, found["absence"])
        assert (absence.end_date, absence.note) == (date(2026, 12, 16), None)


def test_deleting_an_absence_changed_since_it_was_shown_is_refused(
    app: Flask, one: FlaskClient, two: FlaskClient
) -> None:
    found = ids(app)
    absence = f"/staff/{found['person']}/absences/{found['absence']}"
    shown_to_two = opened_version(two, f"{absence}/delete")
    ended = absence_answers(end_date=["16", "12", "2026"])
    ended["version"] = opened_version(one, f"{absence}/edit")
    assert one.post(f"{absence}/edit", data=ended).status_code == 302
    refused = two.post(f"{absence}/delete", data={"version": shown_to_two})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 409
    assert_told(page, app, "absence", found["absence"], "this absence")
    assert "16 December 2026" in page  # the absence as it is now, to confirm again
    with app.app_context():
        assert db.session.get(Absence, found["absence"]) is not None
    assert two.post(f"{absence}/delete", data={"version": version_in(page)}).status_code == 302
    with app.app_context():
        assert db.session.get(Absence, found["absence"]) is None


def test_a_form_without_its_version_saves_nothing(app: Flask, one: FlaskClient) -> None:
    case_id = ids(app)["case"]
    page = one.post(f"/cases/{case_id}/edit", data=case_answers(app, rosh="low"))
    assert "This form is out of date" in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Case, case_id).rosh.value == "high"


def test_saving_unchanged_answers_raises_no_version(app: Flask, one: FlaskClient) -> None:
    case_id = ids(app)["case"]
    version = opened_version(one, f"/cases/{case_id}/edit")
    answers = case_answers(app, version=version)
    assert one.post(f"/cases/{case_id}/edit", data=answers).status_code == 302
    assert opened_version(one, f"/cases/{case_id}/edit") == version


def test_a_run_that_derives_a_need_again_is_named_and_approval_changes_no_version(
    app: Flask, one: FlaskClient
) -> None:
    found = ids(app)
    need_form = f"/cases/{found['case']}/needs/{found['need']}/edit"
    case_form = f"/cases/{found['case']}/edit"
    need_opened, case_opened = opened_version(one, need_form), opened_version(one, case_form)
    with app.app_context():
        # The stored need has drifted from the rules, as after a change of policy: the run
        # derives it again, raising its version, and is never refused for doing so.
        db.session.execute(update(Need).where(Need.id == found["need"]).values(hours=99.0))
        db.session.commit()
        run = run_week(db.session, IsoWeek.containing(MONDAY), "highs", 20, None, "test")
        assert run.status == JobStatus.FINISHED
        run_id = run.id
        assert db.session.get(Need, found["need"]).version == int(need_opened) + 1
    refused = one.post(need_form, data=need_answers(hours="4", version=need_opened))
    page = refused.get_data(as_text=True)
    assert refused.status_code == 409
    line = last_change(app, "need", found["need"])
    assert line.actor == f"plan run {run_id}"
    assert f"Plan run {run_id} changed this need at {time_on_date(line.at)}" in text_of(page)
    with app.app_context():
        approve(db.session, db.session.get(PlanRun, run_id), None, "manager.one")
        db.session.commit()
        assert db.session.scalar(select(Allocation.id).where(Allocation.plan_run_id == run_id))
        case = db.session.get(Case, found["case"])
        assert case.version == int(case_opened)
        assert db.session.get(Need, found["need"]).version == int(need_opened) + 1
    # Approval changed who holds the case, which the case form does not show: no conflict.
    saved = one.post(case_form, data=case_answers(app, tier="C1", version=case_opened))
    assert saved.status_code == 302


def test_handing_back_a_need_changed_since_it_was_shown_is_refused(
    app: Flask, one: FlaskClient, two: FlaskClient
) -> None:
    found = ids(app)
    need_form = f"/cases/{found['case']}/needs/{found['need']}/edit"
    taken = need_answers(hours="5", version=opened_version(one, need_form))
    assert one.post(need_form, data=taken).status_code == 302
    restore = f"/cases/{found['case']}/needs/{found['need']}/restore"
    shown_to_two = opened_version(two, restore)
    changed = need_answers(hours="6", version=opened_version(one, need_form))
    assert one.post(need_form, data=changed).status_code == 302
    refused = two.post(restore, data={"version": shown_to_two})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 409
    assert_told(page, app, "need", found["need"], "this need")
    with app.app_context():
        need = db.session.get(Need, found["need"])
        assert (need.source.value, need.hours) == ("manager", 6.0)
    assert two.post(restore, data={"version": version_in(page)}).status_code == 302
    with app.app_context():
        assert db.session.get(Need, found["need"]).source.value == "rules"
