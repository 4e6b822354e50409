"""Look-ahead, what if, the staffing ask and the dashboard's figures, on exact small worlds."""

from __future__ import annotations

import time
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask

from planner.dashboard.queries import gaps_over_runs, held_by_risk, milestones, workload_bands
from planner.domain.policy import DEFAULT_POLICY
from planner.domain.vocabulary import Role, Rosh, RunStatus, Setting, UserRole
from planner.domain.weeks import IsoWeek
from planner.extensions import db
from planner.models import Forecast
from planner.plans.batch import RunRefused, run_week
from planner.plans.lookahead import execute_forecast, start_forecast
from planner.plans.staffing import staffing_ask
from planner.plans.whatif import Change, try_change
from tests.conftest import add_user, sign_in
from tests.planner.world import MONDAY, World

WEEK = IsoWeek.containing(MONDAY)


@pytest.fixture
def app_settings() -> dict[str, Any]:
    """Today is the tiny world's Monday."""
    return {"TODAY": MONDAY.isoformat()}


def test_the_look_ahead_sees_a_gap_coming_with_leave(world: World) -> None:
    only = world.person()
    world.away(only, MONDAY + timedelta(weeks=2), MONDAY + timedelta(weeks=2, days=4))
    world.case(rosh=Rosh.HIGH)
    db.session.commit()
    forecast = start_forecast(db.session, WEEK, 4, "highs", 5, None, "test")
    forecast = execute_forecast(db.session, forecast.id)
    assert forecast.status == RunStatus.OPTIMAL
    gaps = [len(week["high_risk_gaps"]) for week in forecast.results]
    assert [week["week"] for week in forecast.results] == [
        "2026-W49",
        "2026-W50",
        "2026-W51",
        "2026-W52",
    ]
    assert gaps == [0, 0, 1, 0]
    (gap,) = forecast.results[2]["high_risk_gaps"]
    assert gap["need"] == "COM" and gap["remedy"].startswith("2.81 hours a week of a probation PO")


def test_the_look_ahead_carries_each_weeks_holders_into_the_next(world: World) -> None:
    first, second = world.person(), world.person()
    case = world.case(rosh=Rosh.HIGH)
    world.hold(case, "com", first)
    world.away(first, MONDAY, MONDAY + timedelta(days=4))
    assert second
    db.session.commit()
    forecast = execute_forecast(
        db.session, start_forecast(db.session, WEEK, 2, "highs", 5, None, "t").id
    )
    assert all(week["uncovered"] == 0 for week in forecast.results)


def test_one_look_ahead_at_a_time(world: World) -> None:
    db.session.commit()
    start_forecast(db.session, WEEK, 2, "highs", 5, None, "manager.one")
    with pytest.raises(RunRefused, match=r"already running: manager\.one started it"):
        start_forecast(db.session, WEEK, 2, "highs", 5, None, "manager.two")


def test_the_look_ahead_command_prints_each_week(app: Flask) -> None:
    with app.app_context():
        world = World(db.session)
        world.case(rosh=Rosh.HIGH)
        db.session.commit()
    result = app.test_cli_runner().invoke(
        args=["look-ahead", "--from", "2026-W49", "--weeks", "2", "--time-limit", "5"]
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "2026-W49: 1 needs uncovered (0 very high, 1 high); coverage 100.00% of the proven best (optimal)",
        "2026-W50: 1 needs uncovered (0 very high, 1 high); coverage 100.00% of the proven best (optimal)",
    ]


def test_the_look_ahead_button_runs_in_another_process(app: Flask) -> None:
    with app.app_context():
        World(db.session).case(rosh=Rosh.HIGH)
        db.session.commit()
    add_user(app, "manager.user", UserRole.MANAGER)
    with app.test_client() as client:
        sign_in(client, "manager.user")
        assert client.post("/plans/look-ahead", data={"weeks": "0"}).status_code == 200
        response = client.post("/plans/look-ahead", data={"weeks": "2"})
        assert response.status_code == 302
        deadline = time.time() + 60
        while time.time() < deadline:
            with app.app_context():
                forecast = db.session.query(Forecast).one()
                if forecast.status != RunStatus.RUNNING:
                    break
            time.sleep(0.5)
        assert forecast.status == RunStatus.OPTIMAL, forecast.message
        page = client.get("/plans/look-ahead").get_data(as_text=True)
        assert "2026-W50: 1 high-risk need predicted to have nobody" in page


def test_what_if_someone_is_off_sick(world: World) -> None:
    holder = world.person()
    case = world.case(rosh=Rosh.HIGH)
    world.hold(case, "com", holder)
    run = run_week(db.session, WEEK, "highs", 10, None, "test")
    comparison = try_change(db.session, run, Change("sick", staff_ref=holder.staff_ref, weeks=2))
    assert comparison.before == []
    assert [c.kind for c in comparison.new] == ["uncovered"]
    assert comparison.new[0].case_id == case.id
    assert comparison.change.describe() == f"{holder.staff_ref} off sick for 2 weeks"


def test_what_if_an_agency_practitioner_joins(world: World) -> None:
    case = world.case(rosh=Rosh.HIGH)
    run = run_week(db.session, WEEK, "highs", 10, None, "test")
    agency = Change("agency", role="probation", grade="PO", site="NSD-TEST", region="London",
                    hours=10.0, vetting="SC", skills=("ct_trained",))  # fmt: skip
    comparison = try_change(db.session, run, agency)
    assert [c.case_id for c in comparison.gone] == [case.id]
    assert comparison.new == []


def test_what_if_a_risk_rises_needs_follow_the_rules(world: World) -> None:
    world.person()
    case = world.case(rosh=Rosh.MEDIUM, tier="B2")
    run = run_week(db.session, WEEK, "highs", 10, None, "test")
    raised = try_change(
        db.session, run, Change("risk", case_reference=case.reference, rosh="very_high")
    )
    # Very high risk in the community needs a co-working COM too: one person cannot be both.
    assert [(c.kind, c.case_id, c.severity) for c in raised.new] == [
        ("uncovered", case.id, "critical")
    ]
    assert "COM" in raised.new[0].reason
    assert db.session.get(type(case), case.id).rosh == Rosh.MEDIUM


def test_the_staffing_ask_packs_gaps_into_the_fewest_people(world: World) -> None:
    for _ in range(5):
        world.case(rosh=Rosh.HIGH, tier="A3")  # 5.59 h each, nobody to hold them
    prison_case = world.case(
        setting=Setting.CUSTODY, release_date=date(2030, 1, 1), rosh=Rosh.VERY_HIGH
    )
    run = run_week(db.session, WEEK, "highs", 10, None, "test")
    asks = staffing_ask(run, DEFAULT_POLICY)
    coms = next(ask for ask in asks if ask.role == Role.PROBATION)
    assert len(coms.people) == 1 and coms.people[0].contract == 28.0
    assert (coms.gaps, coms.covered) == (5, 5)
    assert coms.paragraph().startswith(
        "COMs in London: one extra person (a PO vetted SC, ct_trained, 28 h"
    )
    poms = next(ask for ask in asks if ask.role == Role.PRISON)
    assert poms.place == prison_case.site.code and poms.covered == poms.gaps == 1


def test_the_staffing_ask_page(app: Flask) -> None:
    with app.app_context():
        World(db.session).case(rosh=Rosh.HIGH, tier="A3")
        run_week(db.session, WEEK, "highs", 10, None, "test")
    add_user(app, "viewer.user", UserRole.VIEWER)
    with app.test_client() as client:
        sign_in(client, "viewer.user")
        page = client.get("/plans/1/staffing-ask").get_data(as_text=True)
    assert "COMs in London: one extra person" in page
    assert "would cover 1 of the 1 high-risk gap there." in page


def test_the_dashboard_figures(world: World) -> None:
    busy = world.person(contracted_hours=5.0)
    held = world.case(rosh=Rosh.HIGH)
    world.hold(held, "com", busy)
    world.case(rosh=Rosh.HIGH)
    releasing = world.case(setting=Setting.CUSTODY, release_date=MONDAY + timedelta(days=30))
    db.session.commit()
    cover = {c.rosh: (c.needs, c.held) for c in held_by_risk(db.session, MONDAY)}
    assert cover[Rosh.HIGH] == (4, 1)  # two COMs, and the releasing case's POM and COM
    bands = dict(workload_bands(db.session, WEEK, DEFAULT_POLICY))
    assert bands["Under 50%"] == 0 and sum(bands.values()) == 1
    events = [(m.event, m.case.reference) for m in milestones(db.session, MONDAY, DEFAULT_POLICY)]
    assert ("Release", releasing.reference) in events
    assert gaps_over_runs(db.session) == []
    run_week(db.session, WEEK, "highs", 10, None, "test")
    (trend,) = gaps_over_runs(db.session)
    assert trend.high >= 1 and trend.week == "2026-W49"


def test_the_what_if_page_needs_a_manager_names_mistakes_and_compares(app: Flask) -> None:
    with app.app_context():
        world = World(db.session)
        holder = world.person()
        case = world.case(rosh=Rosh.HIGH)
        world.hold(case, "com", holder)
        run_week(db.session, WEEK, "highs", 10, None, "test")
        holder_ref, reference = holder.staff_ref, case.reference
    add_user(app, "viewer.user", UserRole.VIEWER)
    add_user(app, "manager.user", UserRole.MANAGER)
    with app.test_client() as client:
        sign_in(client, "viewer.user")
        assert client.get("/plans/1/what-if").status_code == 403
    with app.test_client() as client:
        sign_in(client, "manager.user")
        assert "Someone off sick" in client.get("/plans/1/what-if").get_data(as_text=True)
        wrong = client.post(
            "/plans/1/what-if", data={"kind": "risk", "risk-case": "CT-NOPE", "risk-rosh": "high"}
        )
        page = wrong.get_data(as_text=True)
        assert "<title>Error: What if" in page
        assert "Enter the reference of a case in this plan" in page
        assert 'value="CT-NOPE"' in page
        sick = client.post(
            "/plans/1/what-if", data={"kind": "sick", "sick-person": holder_ref, "sick-weeks": "2"}
        )
        page = sick.get_data(as_text=True)
        assert f"With {holder_ref} off sick for 2 weeks" in page
        assert "These are the alerts of week 2026-W49, the first of the absence" in page
        assert "1 alert would appear and 0 would clear" in page
        assert (
            reference
            in page.split("Alerts that would appear")[1].split("Alerts that would clear")[0]
        )
