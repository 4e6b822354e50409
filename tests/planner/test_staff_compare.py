"""Comparing up to four people: each figure against the data it comes from, and the page."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from planner.domain.policy import DEFAULT_POLICY
from planner.domain.reach import Reach
from planner.domain.vocabulary import AbsenceKind, Role, Rosh, Setting, UserRole
from planner.domain.weeks import IsoWeek
from planner.extensions import db
from planner.models import ProposedAssignment
from planner.plans.batch import run_week
from planner.staff.comparison import compare
from tests.conftest import add_user, sign_in
from tests.planner.pages import text_of
from tests.planner.world import MONDAY, World

EVERYWHERE = Reach.everything()


@pytest.fixture
def app_settings() -> dict[str, Any]:
    """Today is the tiny world's Monday, 30 November 2026."""
    return {"TODAY": MONDAY.isoformat()}


@pytest.fixture
def people(app: Flask) -> dict[str, Any]:
    """A busy POM and COM, an idle COM, and a COM away for two weeks of the coming twelve."""
    with app.app_context():
        world = World(db.session)
        busy = world.person(Role.PRISON, name="Bea Busy")
        idle = world.person(name="Ida Idle")
        away = world.person(name="Al Away", contracted_hours=10.0)
        releasing = world.case(
            setting=Setting.CUSTODY, rosh=Rosh.VERY_HIGH, release_date=MONDAY + timedelta(weeks=6)
        )
        world.hold(releasing, "pom", busy)
        level_three = world.case(setting=Setting.CUSTODY, release_date=date(2030, 6, 3),
                                 mappa_level=3)  # fmt: skip
        world.hold(level_three, "pom", busy)
        world.hold(level_three, "pom_coworker", away)  # a co-worker may be of another role here
        given = world.case(rosh=Rosh.MEDIUM, tier="C1")
        world.hold(given, "com", away)
        given.needs[0].allocations[0].start_date = MONDAY - timedelta(days=10)
        taken = world.case(rosh=Rosh.LOW, tier="D1")
        world.hold(taken, "com", away)
        taken.needs[0].allocations[0].end_date = MONDAY - timedelta(days=5)
        world.away(away, MONDAY + timedelta(weeks=3), MONDAY + timedelta(weeks=4, days=4),
                   AbsenceKind.SICKNESS)  # fmt: skip
        db.session.commit()
        return {
            "busy": busy.id, "idle": idle.id, "away": away.id,
            "releasing": releasing.reference, "level_three": level_three.reference,
            "given": given.reference, "taken": taken.reference,
        }  # fmt: skip


def test_each_figure_comes_from_what_the_person_holds(app: Flask, people: dict[str, Any]) -> None:
    with app.app_context():
        busy, idle, away = compare(
            db.session,
            [people["busy"], people["idle"], people["away"]],
            EVERYWHERE,
            MONDAY,
            DEFAULT_POLICY,
        )
        assert [c.person.name for c in (busy, idle, away)] == ["Bea Busy", "Ida Idle", "Al Away"]
        assert busy.cases_by_risk == {Rosh.VERY_HIGH: 1, Rosh.HIGH: 1, Rosh.MEDIUM: 0, Rosh.LOW: 0}
        assert busy.very_high == 1 and busy.mappa_level_3 == 1
        assert busy.needs_by_role == {"POM": 2}
        assert [(d.event, d.held.case.reference, d.day) for d in busy.due] == [
            ("Release", people["releasing"], MONDAY + timedelta(weeks=6))
        ]
        assert idle.held == [] and idle.now.load.workload == 0 and idle.weeks_over(1.1) == 0
        assert away.needs_by_role == {"COM": 1, "Co-working POM": 1}
        assert [item.case.reference for item in away.moved_to] == [people["given"]]
        assert [item.case.reference for item in away.moved_from] == [people["taken"]]
        assert [(a.start_date, a.kind) for a in away.absences] == [
            (MONDAY + timedelta(weeks=3), AbsenceKind.SICKNESS)
        ]
        # Off sick for the whole of weeks 4 and 5: no hours, so no Workload % then.
        assert [w.load.available for w in away.weeks[3:5]] == [0, 0]
        assert len(away.weeks) == 12 and away.weeks[0].week == IsoWeek.containing(MONDAY)
        assert away.busiest.load.workload == max(w.load.workload or 0 for w in away.weeks)


def test_the_page_sets_them_side_by_side(app: Flask, people: dict[str, Any]) -> None:
    add_user(app, "viewer.user", UserRole.VIEWER)
    with app.test_client() as client:
        sign_in(client, "viewer.user")
        ids = (people["busy"], people["idle"], people["away"])
        page = client.get("/staff/compare", query_string={"person": ids}).get_data(as_text=True)
        one = client.get("/staff/compare", query_string={"person": ids[0]}).get_data(as_text=True)
        five = client.get(
            "/staff/compare", query_string={"person": [*ids, ids[0] + 100, ids[0] + 101]}
        ).get_data(as_text=True)
        listed = client.get("/staff/").get_data(as_text=True)
        assert client.get("/staff/compare?person=x&person=1").status_code == 404
        assert client.get(f"/staff/compare?person={ids[0]}&person=999").status_code == 404
    # Each row of the staff list has a box for the comparison form below it.
    assert f'name="person" type="checkbox" value="{ids[1]}" form="compare-form"' in listed
    assert '<form id="compare-form" method="get" action="/staff/compare">' in listed
    text = text_of(page)
    assert "Bea Busy" in text and "Ida Idle" in text and "Al Away" in text
    assert f"Release of {people['releasing']} on 11 January 2027" in text
    assert "Sickness, 21 December 2026 to 1 January 2027 (all working time)" in text
    assert f"{people['given']} (COM), 20 November 2026" in text
    assert f"{people['taken']} (COM), 25 November 2026" in text
    assert "MAPPA level 3 cases 1 0 1" in text
    assert "Very high risk cases 1 0 0" in text
    assert "Choose " not in text  # not comparing for a proposal: nothing to choose
    assert "There is a problem" in one and "Choose at least two people to compare" in one
    assert "Choose up to 4 people to compare" in five


def test_candidates_compared_from_a_proposal_can_be_chosen(app: Flask) -> None:
    with app.app_context():
        world = World(db.session)
        first, second = world.person(name="Fay First"), world.person(name="Sid Second")
        untrained = world.person(name="Una Untrained", skills=[])
        case = world.case(rosh=Rosh.HIGH)
        db.session.commit()
        run = run_week(db.session, IsoWeek.containing(MONDAY), "highs", 10, None, "test")
        proposal = db.session.scalar(
            select(ProposedAssignment.id).where(
                ProposedAssignment.run_id == run.id,
                ProposedAssignment.need_id == case.needs[0].id,
            )
        )
        ids = [first.id, second.id, untrained.id]
        second_ref, run_id = second.staff_ref, run.id
    add_user(app, "manager.user", UserRole.MANAGER)
    with app.test_client() as client:
        sign_in(client, "manager.user")
        override = client.get(f"/plans/{run_id}/proposals/{proposal}/override").data.decode()
        assert 'form="compare-form"' in override and "Compare the people ticked" in override
        page = client.get(
            "/staff/compare", query_string={"person": ids, "run": run_id, "proposal": proposal}
        ).get_data(as_text=True)
        chosen = client.get(
            f"/plans/{run_id}/proposals/{proposal}/override?person={second_ref}"
        ).get_data(as_text=True)
        assert (
            client.get(
                "/staff/compare", query_string={"person": ids, "run": run_id, "proposal": 99999}
            ).status_code
            == 404
        )
    assert "Choose Fay First" in page and "Choose Sid Second" in page
    assert "Choose Una Untrained" not in page and "May not hold this need" in page
    link = f"/plans/{run_id}/proposals/{proposal}/override?person={second_ref}"
    assert link in page
    assert f'value="{second_ref}" checked' in chosen
