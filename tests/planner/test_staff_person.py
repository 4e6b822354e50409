"""A person's page: their facts, this week's load, cases, absences, coming weeks, history."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from planner.domain.vocabulary import AbsenceKind, Grade, Role, Rosh
from planner.extensions import db
from planner.models import Absence, Exclusion
from planner.models.auditing import set_actor
from tests.planner.pages import body_rows, opened_version, text_of
from tests.planner.staff import (
    TODAY,
    add_person,
    give_case,
    module_fixtures,
    staff_form,
    this_monday,
)

staff_app, sites, clients, manager = module_fixtures()


@pytest.fixture(scope="module")
def busy_person(staff_app: Flask, sites: dict[str, int]) -> dict[str, int]:
    """A POM with other work, two cases (one pinned), a reduction and leave in week 3."""
    app = staff_app
    monday = this_monday()
    absences = [
        Absence(
            kind=AbsenceKind.UNION_DUTIES, start_date=monday - timedelta(days=60),
            end_date=monday + timedelta(days=200), hours_per_week=7.4,
        ),
        Absence(
            kind=AbsenceKind.ANNUAL_LEAVE, start_date=monday + timedelta(weeks=3),
            end_date=monday + timedelta(weeks=3, days=4), note="Booked in the spring",
        ),
    ]  # fmt: skip
    staff_id = add_person(
        app, "S-TST-010", sites["HMP-ONE"], name="Wren Sampleton", other_work_hours=7.4,
        skills=["ct_trained", "urdu"], max_cases=12, absences=absences,
    )  # fmt: skip
    first = give_case(app, staff_id, sites["HMP-ONE"], "CT-T-0001", 8.0, rosh=Rosh.VERY_HIGH)
    give_case(app, staff_id, sites["HMP-ONE"], "CT-T-0002", 4.5, rosh=Rosh.LOW, pinned=True)
    # Ended last week: neither shown nor counted.
    give_case(app, staff_id, sites["HMP-ONE"], "CT-T-0003", 9.0, end=monday - timedelta(days=3))
    # Starts in two weeks: counted from then on.
    give_case(app, staff_id, sites["HMP-ONE"], "CT-T-0004", 6.0, start=monday + timedelta(weeks=2))
    return {"staff": staff_id, "case": first}


def test_a_persons_page_shows_their_facts_and_this_weeks_load(
    manager: FlaskClient, busy_person: dict[str, int]
) -> None:
    page = manager.get(f"/staff/{busy_person['staff']}").get_data(as_text=True)
    assert "<title>Wren Sampleton – Caseload planner</title>" in page
    assert '<span class="govuk-caption-l">S-TST-010</span>' in page
    assert "2026-W50, from 7 December 2026" in page  # today is Wednesday 9 December
    assert "HMP One, London" in page
    assert "Counter-terrorism trained" in page
    assert "Urdu" in page
    assert "2 of at most 12" in page
    # 37 - 7.4 union duties = 29.6 available; other work 7.4 × 29.6/37 = 5.92; held 12.5.
    assert "29.6 hours" in page
    assert "5.92 hours" in page
    assert "12.5 hours" in page
    assert "62%" in page  # (5.92 + 12.5) / 29.6


def test_a_persons_page_lists_the_cases_they_hold_now(
    manager: FlaskClient, busy_person: dict[str, int]
) -> None:
    page = manager.get(f"/staff/{busy_person['staff']}").get_data(as_text=True)
    cases = page.split('id="cases"')[1].split('id="absences"')[0]
    rows = [text_of(row) for row in body_rows(cases)]
    since = "9 November 2026"  # a month before today, 9 December
    assert rows == [  # highest risk first; neither the ended holding nor the one to come
        f"CT-T-0001 Case CT-T-0001 Very high POM Custody {since} 8",
        f"CT-T-0002 Case CT-T-0002 Low POM Pinned Custody {since} 4.5",
    ]
    assert f'href="/cases/{busy_person["case"]}">CT-T-0001</a>' in cases
    assert "govuk-tag--red" in cases


def test_a_persons_page_shows_absences_and_the_coming_weeks(
    manager: FlaskClient, busy_person: dict[str, int]
) -> None:
    page = manager.get(f"/staff/{busy_person['staff']}").get_data(as_text=True)
    absences = page.split('id="absences"')[1].split('id="availability"')[0]
    assert "Union duties" in absences and "7.4 hours a week" in absences
    assert "Annual leave" in absences and "All working time" in absences
    assert "Booked in the spring" in absences
    weeks = page.split('id="availability"')[1].split('id="history"')[0]
    rows = weeks.split('<tr class="govuk-table__row">')[2:]
    assert len(rows) == 12
    assert "Union duties: 7.4 hours a week" in rows[0]
    assert ">29.6<" in rows[0] and ">12.5<" in rows[0]
    assert ">18.5<" in rows[2]  # the case that starts in two weeks is counted then
    assert "Annual leave: 5 days" in rows[3] and ">0<" in rows[3]
    assert "No hours available" in rows[3]


def test_a_trainees_protected_time_is_shown_week_by_week(
    staff_app: Flask, manager: FlaskClient, sites: dict[str, int]
) -> None:
    staff_id = add_person(
        staff_app, "S-TST-020", sites["PDU-ONE"], role=Role.PROBATION, grade=Grade.PQIP,
        training_start=this_monday() - timedelta(days=30),
    )  # fmt: skip
    page = manager.get(f"/staff/{staff_id}").get_data(as_text=True)
    weeks = page.split('id="availability"')[1].split('id="history"')[0]
    assert "PQiP training: 80% of their time" in weeks
    assert re.search(r"Training started</dt>\s*<dd[^>]*>7 November 2026</dd>", page)


@pytest.mark.parametrize(("days", "tag"), [(-1, "Expired"), (10, "Expires soon"), (60, None)])
def test_vetting_that_has_lapsed_or_lapses_soon_is_flagged(
    staff_app: Flask, manager: FlaskClient, sites: dict[str, int], days: int, tag: str | None
) -> None:
    expiry = TODAY + timedelta(days=days)
    staff_id = add_person(staff_app, f"S-VET-{days + 10}", sites["HMP-ONE"], vetting_expiry=expiry)
    details = manager.get(f"/staff/{staff_id}").get_data(as_text=True).split('id="details"')[1]
    assert ("Expire" in details) == (tag is not None)
    if tag:
        assert tag in details


def test_a_persons_history_shows_who_changed_what_from_what_to_what(
    staff_app: Flask, manager: FlaskClient, sites: dict[str, int]
) -> None:
    leave = Absence(
        kind=AbsenceKind.UNION_DUTIES, start_date=this_monday(),
        end_date=this_monday() + timedelta(days=30), hours_per_week=3.7,
    )  # fmt: skip
    staff_id = add_person(staff_app, "S-TST-040", sites["HMP-ONE"], absences=[leave])
    case_id = give_case(staff_app, staff_id, sites["HMP-ONE"], "CT-T-0040", 2.0)
    with staff_app.app_context():
        set_actor(db.session, "test")
        db.session.add(Exclusion(case_id=case_id, staff_member_id=staff_id, reason="A conflict"))
        db.session.commit()
    form = staff_form(
        sites, staff_ref="S-TST-040", name="Person S-TST-040", contracted_hours="30",
        other_work_hours="0", vetting_expiry=["1", "6", str(TODAY.year + 2)],
        skills=["ct_trained"], languages=None, max_cases=None,
        version=opened_version(manager, f"/staff/{staff_id}/edit"),
    )  # fmt: skip
    assert manager.post(f"/staff/{staff_id}/edit", data=form).status_code == 302
    page = manager.get(f"/staff/{staff_id}").get_data(as_text=True)
    history = text_of(page.split('id="history"')[1])
    latest = history.split("Recorded on")[0]
    assert re.search(
        r"manager\.user changed the contracted hours from 37 to 30 and changed the vetting "
        r"expiry date from \d+ \w+ \d{4} to 1 June \d{4} on \d+ \w+ \d{4}\.",
        latest,
    )
    assert "by manager.user" in history
    assert re.search(r"test recorded union duties from \d+ \w+ \d{4} to \d+ \w+ \d{4} "
                     r"\(3\.7 hours a week\)", history)  # fmt: skip
    assert re.search(r"From \d+ \w+ \d{4} Person S-TST-040 holds the POM of CT-T-0040", history)
    assert "test added the person on" in history and "by test" in history
    assert "test excluded Person S-TST-040 from CT-T-0040 on" in history and "A conflict" in history
