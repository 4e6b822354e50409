"""Look-ahead, what if, the staffing ask and the dashboard's figures, on exact small worlds."""

from __future__ import annotations

import csv
import io
import json
import math
import re
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from optimisation import Plan, Problem, plan_from_dict, solve
from planner.dashboard.queries import (
    gaps_over_runs,
    held_by_risk,
    workload_bands,
)
from planner.domain.policy import DEFAULT_POLICY
from planner.domain.reach import Reach
from planner.domain.vocabulary import (
    AbsenceKind,
    JobStatus,
    Role,
    Rosh,
    Setting,
    UserRole,
)
from planner.domain.weeks import IsoWeek
from planner.extensions import db
from planner.jobs.queue import perform
from planner.models import AuditEvent, Case, Forecast, PlanRun, WhatIf
from planner.plans.batch import RunRefused, run_week
from planner.plans.exports import STAFFING_HEADERS, staffing_rows
from planner.plans.lookahead import look_ahead_here, queue_forecast
from planner.plans.review import stored_problem
from planner.plans.staffing import staffing_ask
from planner.plans.whatif import Change, ask_what_if
from planner.staff.queries import practitioners, staff_loads
from planner.web.spreadsheets import Sheet, to_csv
from tests.conftest import add_user, sign_in
from tests.planner.pages import text_of
from tests.planner.world import MONDAY, World

WEEK = IsoWeek.containing(MONDAY)
# Commands and the tests of figures see every region.
EVERYWHERE = Reach.everything()


@pytest.fixture
def app_settings() -> dict[str, Any]:
    """Today is the tiny world's Monday."""
    return {"TODAY": MONDAY.isoformat()}


def test_the_look_ahead_sees_a_gap_coming_with_a_long_absence(world: World) -> None:
    only = world.person()
    # Away for six weeks from the third: a week of leave would not move the case, this does.
    world.away(only, MONDAY + timedelta(weeks=2), MONDAY + timedelta(weeks=8), AbsenceKind.SICKNESS)
    world.hold(world.case(rosh=Rosh.HIGH), "com", only)
    db.session.commit()
    forecast = look_ahead_here(db.session, WEEK, 4, "highs", 5, "test")
    assert forecast.status == JobStatus.FINISHED
    assert all(week["optimal"] for week in forecast.results)
    gaps = [len(week["high_risk_gaps"]) for week in forecast.results]
    assert [week["week"] for week in forecast.results] == [
        "2026-W49",
        "2026-W50",
        "2026-W51",
        "2026-W52",
    ]
    assert gaps == [0, 0, 1, 1]
    (gap,) = forecast.results[2]["high_risk_gaps"]
    assert gap["need"] == "COM" and gap["remedy"].startswith("2.81 hours a week of a probation PO")


def test_the_look_ahead_carries_each_weeks_holders_into_the_next(world: World) -> None:
    first, second = world.person(), world.person()
    case = world.case(rosh=Rosh.HIGH)
    world.hold(case, "com", first)
    world.away(first, MONDAY, MONDAY + timedelta(days=4))
    assert second
    db.session.commit()
    forecast = look_ahead_here(db.session, WEEK, 2, "highs", 5, "t")
    assert [week["uncovered"] for week in forecast.results] == [0, 0]


def test_one_look_ahead_at_a_time(world: World) -> None:
    db.session.commit()
    queue_forecast(db.session, WEEK, 2, "highs", 5, None, "manager.one")
    with pytest.raises(RunRefused, match=r"already queued: manager\.one started it on "):
        queue_forecast(db.session, WEEK, 2, "highs", 5, None, "manager.two")


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
        "2026-W49: 1 needs uncovered (0 very high, 1 high); coverage 100.00% of the proven best (proven best)",
        "2026-W50: 1 needs uncovered (0 very high, 1 high); coverage 100.00% of the proven best (proven best)",
    ]


def test_the_look_ahead_button_queues_a_job(app: Flask) -> None:
    with app.app_context():
        World(db.session).case(rosh=Rosh.HIGH)
        db.session.commit()
    add_user(app, "manager.user", UserRole.MANAGER)
    with app.test_client() as client:
        sign_in(client, "manager.user")
        form = client.get("/plans/look-ahead").get_data(as_text=True)
        # Next week by default; this week and any week of the coming year may be chosen.
        assert '<option value="2026-W50" selected>2026-W50 (from 7 December 2026)</option>' in form
        assert 'value="2026-W49"' in form and 'value="2027-W48"' in form
        assert 'value="2027-W49"' not in form
        refused = client.post(
            "/plans/look-ahead", data={"first": "2026-W50", "weeks": "0"}
        ).get_data(as_text=True)
        assert "The number of weeks must be between 1 and 26" in refused
        for week in ("", "2026-W48", "2026-W99"):
            refused = client.post("/plans/look-ahead", data={"first": week, "weeks": "2"}).get_data(
                as_text=True
            )
            assert "govuk-error-summary" in refused, week
        response = client.post("/plans/look-ahead", data={"first": "2027-W02", "weeks": "2"})
        assert response.headers["Location"] == "/plans/look-ahead"
        with app.app_context():
            forecast = db.session.query(Forecast).one()
            assert (forecast.status, forecast.started_by_name, forecast.first_week) == (
                JobStatus.FINISHED,
                "manager.user",
                "2027-W02",
            )
        page = client.get("/plans/look-ahead").get_data(as_text=True)
        assert "2 weeks from 11 January 2027" in page
        assert "2027-W03: 1 high-risk need predicted to have nobody" in page


def answered(run: PlanRun, change: Change) -> dict[str, Any]:
    """What a what-if job works out for a change on a run."""
    asked, new = ask_what_if(db.session, run, change, None, "test")
    assert new
    perform(WhatIf.job_kind, asked.id, apart=False)
    db.session.expire_all()
    answer = db.session.get(WhatIf, asked.id)
    assert answer.status == JobStatus.FINISHED, answer.message
    return answer.result


def stored(run: PlanRun) -> tuple[Problem, Plan]:
    """A finished run's problem and plan."""
    return stored_problem(run), plan_from_dict(json.loads(run.plan_json))


def solve_here(problem: Problem, solver: str, seconds: float) -> Plan:
    """The optimiser, called in this process."""
    return solve(problem, solver=solver, time_limit=seconds)


def test_what_if_someone_is_off_sick(world: World) -> None:
    holder = world.person()
    case = world.case(rosh=Rosh.HIGH)
    world.hold(case, "com", holder)
    run = run_week(db.session, WEEK, "highs", 10, None, "test")
    result = answered(run, Change("sick", staff_ref=holder.staff_ref, weeks=2))
    assert result["change"] == f"{holder.name} off sick for 2 weeks"
    # Back within the horizon, they keep the case, and it needs cover while they are away.
    assert [(a["kind"], a["subject"]) for a in result["new"]] == [
        ("Cover needed while away", case.reference)
    ]
    assert result["gone"] == []
    # Cover is unchanged; the comparison is by uncovered needs and workloads, not alerts.
    assert [row["difference"] for row in result["uncovered"]] == [0, 0, 0, 0]
    assert not result["verdict"].startswith("Better")
    high = next(row for row in result["cover"] if row["risk"] == "high")
    assert high["before"] == high["after"] == {"needs": 1, "covered": 1}


def test_what_if_someone_is_off_sick_for_the_whole_horizon(world: World) -> None:
    holder = world.person()
    case = world.case(rosh=Rosh.HIGH)
    world.hold(case, "com", holder)
    run = run_week(db.session, WEEK, "highs", 10, None, "test")
    result = answered(run, Change("sick", staff_ref=holder.staff_ref, weeks=4))
    assert [(a["kind"], a["subject"]) for a in result["new"]] == [
        ("Need uncovered", case.reference)
    ]
    high = next(row for row in result["cover"] if row["risk"] == "high")
    assert high["after"] == {"needs": 1, "covered": 0}


def test_someone_off_sick_never_looks_like_an_improvement(world: World) -> None:
    # Past the safe workload with three high risk cases: their own alert clears when they are
    # off sick, and the cases they held are left with nobody.
    holder = world.person(contracted_hours=7.5)
    cases = [world.case(rosh=Rosh.HIGH) for _ in range(3)]
    for case in cases:
        world.hold(case, "com", holder)
    run = run_week(db.session, WEEK, "highs", 10, None, "test")
    result = answered(run, Change("sick", staff_ref=holder.staff_ref, weeks=4))
    high = next(row for row in result["uncovered"] if row["risk"] == "high")
    assert (high["before"], high["after"], high["difference"]) == (0, 3, 3)
    assert result["verdict"] == "Worse: 3 more high risk needs would have nobody"
    before, after = result["workloads"]["before"], result["workloads"]["after"]
    assert (before["who"], before["past_safe"]) == (holder.name, 1)
    assert round(before["highest"] * 100) == round(100 * 3 * cases[0].needs[0].hours / 7.5)
    assert (after["highest"], after["past_safe"]) == (0.0, 0)
    # Counted by alerts it would have read as fewer warnings: the overload is gone.
    assert any(alert["kind"] == "Over the safe workload" for alert in result["gone"])


def test_what_if_an_agency_practitioner_joins(world: World) -> None:
    case = world.case(rosh=Rosh.HIGH)
    run = run_week(db.session, WEEK, "highs", 10, None, "test")
    agency = Change("agency", role="probation", grade="PO", site="NSD-TEST", region="London",
                    hours=10.0, vetting="SC", skills=("ct_trained",))  # fmt: skip
    result = answered(run, agency)
    assert [a["subject"] for a in result["gone"]] == [case.reference]
    assert result["new"] == []
    assert (
        result["change"]
        == "an agency probation PO, vetted SC, CT trained, 10 hours a week at NSD-TEST"
    )


def test_what_if_a_risk_rises_needs_follow_the_rules(world: World) -> None:
    world.person()
    case = world.case(rosh=Rosh.MEDIUM, tier="B2")
    run = run_week(db.session, WEEK, "highs", 10, None, "test")
    raised = answered(run, Change("risk", case_reference=case.reference, rosh="very_high"))
    # Very high risk in the community needs a co-working COM too: one person cannot be both.
    assert [(a["kind"], a["subject"], a["severity"]) for a in raised["new"]] == [
        ("Need uncovered", case.reference, "critical")
    ]
    # Which of the two COM needs the one person takes is the optimiser's choice.
    assert re.fullmatch(
        r"No (Co-working )?COM: everyone who may hold it is full", raised["new"][0]["reason"]
    )
    assert db.session.get(type(case), case.id).rosh == Rosh.MEDIUM


def test_the_staffing_ask_packs_gaps_into_the_fewest_people(world: World) -> None:
    for _ in range(5):
        world.case(rosh=Rosh.HIGH, tier="A3")  # 5.59 h each, nobody to hold them
    prison_case = world.case(
        setting=Setting.CUSTODY, release_date=date(2030, 1, 1), rosh=Rosh.VERY_HIGH
    )
    run = run_week(db.session, WEEK, "highs", 10, None, "test")
    asks = staffing_ask(*stored(run), DEFAULT_POLICY.full_time_hours, solve_here, "highs")
    coms = next(ask for ask in asks if ask.role == Role.PROBATION)
    assert len(coms.people) == 1 and coms.people[0].contract == 28.0
    assert (coms.gaps, coms.covered) == (5, 5)
    assert coms.paragraph().startswith(
        "COMs in London: one extra person (a PO vetted SC, CT trained, 28 hours a week at NSD-TEST)"
    )
    poms = next(ask for ask in asks if ask.role == Role.PRISON)
    assert poms.place == prison_case.site.code and poms.covered == poms.gaps == 1


def test_the_staffing_ask_page(app: Flask) -> None:
    with app.app_context():
        World(db.session).case(rosh=Rosh.HIGH, tier="A3")
        run_week(db.session, WEEK, "highs", 10, None, "test")
    add_user(app, "viewer.user", UserRole.VIEWER)
    add_user(app, "manager.user", UserRole.MANAGER)
    with app.test_client() as client:
        sign_in(client, "viewer.user")
        page = client.get("/plans/1/staffing-ask").get_data(as_text=True)
        assert "Nobody has worked out the staffing ask for this run yet" in page
        assert client.post("/plans/1/staffing-ask").status_code == 403
    with app.test_client() as client:
        sign_in(client, "manager.user")
        assert client.post("/plans/1/staffing-ask").headers["Location"] == "/plans/1/staffing-ask"
        page = client.get("/plans/1/staffing-ask").get_data(as_text=True)
    assert "COMs in London: one extra person" in page
    assert "would cover 1 of the 1 high-risk gap there." in page
    assert "Worked out for manager.user on" in page
    with app.app_context():
        (case,) = db.session.scalars(select(Case)).all()
        hours = case.needs[0].hours
        contract = math.ceil(hours * 2) / 2
    fte = f"{contract / 37:.1f}"
    assert (
        f"1 extra person, {contract:g} hours a week in all ({fte} full-time equivalent at 37 "
        "hours) , would cover 1 of the 1 high-risk gap." in text_of(page)
    )
    assert f'<a class="govuk-link" href="/cases/{case.id}">{case.reference}</a>' in page
    assert "NSD Test" in page
    with app.test_client() as client:
        sign_in(client, "viewer.user")
        # Its first address sends on to the exports, where every download is.
        moved = client.get("/plans/1/staffing-ask.csv")
        assert moved.status_code == 302
        assert moved.headers["Location"] == "/exports/staffing-ask?run=1&format=csv"
        response = client.get(moved.headers["Location"])
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="run-1-staffing-ask-2026-11-30.csv"'
    )
    assert response.headers["Cache-Control"] == "no-store"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    fte = f"{round(contract / 37, 2):g}"
    assert rows == [
        ["OFFICIAL-SENSITIVE"],
        ["Where", "Region", "Role", "Grade or above", "Vetting", "Skills", "Hours a week",
         "Full-time equivalent", "Cases covered"],
        ["NSD Test", "London", "COM", "PO", "SC", "CT trained", f"{contract:g}", fte,
         case.reference],
        ["Total", "", "1 people", "", "", "", f"{contract:g}", fte, ""],
    ]  # fmt: skip
    with app.app_context():
        line = db.session.scalars(
            select(AuditEvent).where(AuditEvent.entity == "export").order_by(AuditEvent.id.desc())
        ).first()
        assert (line.actor, line.action, line.entity_id) == ("viewer.user", "view", "staffing-ask")
        assert line.after == {"kind": "staffing-ask", "format": "csv", "options": {"run": "1"},
                              "rows": 2}  # fmt: skip


def test_the_staffing_ask_csv_runs_no_formula() -> None:
    place = {"role": "prison", "place": "HMP-X", "gaps": 1, "covered": 1, "people": [
        {"site": "HMP-X", "role": "prison", "grade": "PO", "vetting": "SC", "skills": [],
         "hours": 18.5, "cases": ["-CT-1"]}]}  # fmt: skip
    rows = staffing_rows([place], {"HMP-X": "=cmd|' /C calc'!A0"}, 37.0)
    text = to_csv(Sheet("Staffing ask", STAFFING_HEADERS, rows)).decode("utf-8-sig")
    assert text.splitlines()[2] == "'=cmd|' /C calc'!A0,,POM,PO,SC,,18.5,0.5,'-CT-1"


def test_the_dashboard_figures(world: World) -> None:
    busy = world.person(contracted_hours=5.0)
    held = world.case(rosh=Rosh.HIGH)
    world.hold(held, "com", busy)
    world.case(rosh=Rosh.HIGH)
    world.case(setting=Setting.CUSTODY, release_date=MONDAY + timedelta(days=30))
    db.session.commit()
    cover = {c.rosh: (c.needs, c.held) for c in held_by_risk(db.session, MONDAY, EVERYWHERE)}
    assert cover[Rosh.HIGH] == (4, 1)  # two COMs, and the releasing case's POM and COM
    staff = practitioners(db.session, EVERYWHERE, WEEK)
    loads = staff_loads(db.session, staff, WEEK, DEFAULT_POLICY).values()
    bands = dict(workload_bands(loads))
    assert bands["Under 50%"] == 0 and sum(bands.values()) == 1
    assert gaps_over_runs(db.session, EVERYWHERE) == []
    run_week(db.session, WEEK, "highs", 10, None, "test")
    (trend,) = gaps_over_runs(db.session, EVERYWHERE)
    assert trend.high >= 1 and trend.week == "2026-W49"


def test_the_what_if_page_needs_a_manager_names_mistakes_and_compares(app: Flask) -> None:
    with app.app_context():
        world = World(db.session)
        holder = world.person()
        case = world.case(rosh=Rosh.HIGH)
        world.hold(case, "com", holder)
        run_week(db.session, WEEK, "highs", 10, None, "test")
        holder_ref, holder_name, reference = holder.staff_ref, holder.name, case.reference
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
        assert sick.headers["Location"] == "/plans/1/what-if/1"
        page = client.get("/plans/1/what-if/1").get_data(as_text=True)
        assert f"With {holder_name} off sick for 2 weeks" in page
        assert "This is the plan of the first week of the absence" in page
        assert "Needs with nobody, by risk" in page and "Highest Workload %" in page
        assert holder_ref not in page
        appear = page.split("Alerts that would appear")[1].split("Alerts that would clear")[0]
        assert reference in appear
        # Asked again, the same change is answered from the kept answer, not solved again.
        again = client.post(
            "/plans/1/what-if", data={"kind": "sick", "sick-person": holder_ref, "sick-weeks": "2"}
        )
        assert again.headers["Location"] == "/plans/1/what-if/1"
        assert f"{holder_name} off sick for 2 weeks" in client.get("/plans/1/what-if").get_data(
            as_text=True
        )
    with app.app_context():
        assert db.session.query(WhatIf).count() == 1


def test_the_dashboard_says_what_the_staffing_ask_would_cover(app: Flask) -> None:
    with app.app_context():
        world = World(db.session)
        for _ in range(3):
            world.case(rosh=Rosh.HIGH, tier="A3")  # nobody to hold them
        run_week(db.session, WEEK, "highs", 10, None, "test")
    add_user(app, "manager.user", UserRole.MANAGER)
    add_user(app, "london.manager", UserRole.MANAGER, regions=[1])
    with app.test_client() as client:
        sign_in(client, "manager.user")
        before = text_of(client.get("/").get_data(as_text=True))
        client.post("/plans/1/staffing-ask")
        after = text_of(client.get("/").get_data(as_text=True))
    with app.test_client() as client:
        sign_in(client, "london.manager")
        regional = text_of(client.get("/").get_data(as_text=True))
    said = (
        "0 very high and 3 high risk needs have nobody holding them today. The staffing ask for "
        "run 1: 1 probation officer at NSD Test would cover 3 of the 3 very high and high risk "
        "needs its plan leaves with nobody there."
    )
    assert said in after
    assert "The staffing ask" not in before
    # The ask weighs every region's gaps: a regional manager is not shown it.
    assert "3 high risk needs have nobody" in regional and "The staffing ask" not in regional
