"""Alerts: each kind raised by data built to trigger it and not by data built not to; their life."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from planner.alerting.services import check_case_dates, check_dates, check_person_dates, dates_week
from planner.domain.rules import add_months
from planner.domain.vocabulary import AlertSeverity, Cohort, Role, Rosh, Setting, UserRole, Vetting
from planner.domain.weeks import IsoWeek
from planner.extensions import db
from planner.models import Alert, AuditEvent, Case, PlanRun, StaffMember
from planner.models.auditing import set_actor
from planner.models.policy import load_policy
from planner.plans.batch import run_week
from tests.conftest import add_user, sign_in
from tests.planner.pages import body_rows, text_of
from tests.planner.world import MONDAY, World

WEEK = IsoWeek.containing(MONDAY)


@pytest.fixture
def app_settings() -> dict[str, Any]:
    """Today is the tiny world's Monday."""
    return {"TODAY": MONDAY.isoformat()}


def plan(week: IsoWeek = WEEK) -> PlanRun:
    """Commit the world and run the batch for a week."""
    db.session.commit()
    run = run_week(db.session, week, "highs", 10, None, "test")
    assert run.finished, run.message
    return run


def open_alerts(kind: str) -> list[Alert]:
    """The open alerts of a kind."""
    return list(
        db.session.scalars(select(Alert).where(Alert.kind == kind, Alert.closed_at.is_(None)))
    )


def severities(kind: str) -> dict[str, AlertSeverity]:
    """Open alerts of a kind by the case or person they are about."""
    return {
        (a.case.reference if a.case else a.staff_member.staff_ref): a.severity
        for a in open_alerts(kind)
    }


def test_uncovered_needs_are_critical_for_high_risks(world: World) -> None:
    high = world.case(rosh=Rosh.HIGH, tier="A3")
    medium = world.case(rosh=Rosh.MEDIUM, tier="C1")
    low = world.case(rosh=Rosh.LOW, tier="D1", cohort="CPPC")
    plan()
    found = severities("uncovered")
    assert found[high.reference] == AlertSeverity.CRITICAL
    assert found[medium.reference] == AlertSeverity.WARNING
    assert found[low.reference] == AlertSeverity.INFO
    alert = next(a for a in open_alerts("uncovered") if a.case_id == high.id)
    assert alert.remedy.startswith("5.59 hours a week of a probation PO or above in London")
    assert "No COM" in alert.reason


def test_nobody_uncovered_raises_no_gap(world: World) -> None:
    world.case()
    world.person()
    plan()
    assert open_alerts("uncovered") == []


def test_people_over_110_percent_are_critical_and_over_100_a_warning(world: World) -> None:
    heavy, busy, calm = world.person(), world.person(), world.person(contracted_hours=37.0)
    for _ in range(3):
        world.hold(world.case(tier="A3"), "com", heavy, pinned=True)  # 3 × 5.59 h on 4 h
    heavy.contracted_hours = 14.0
    world.hold(world.case(tier="A3"), "com", busy, pinned=True)
    busy.contracted_hours = 5.3
    assert calm
    plan()
    found = severities("overloaded")
    assert found[heavy.staff_ref] == AlertSeverity.CRITICAL
    assert found[busy.staff_ref] == AlertSeverity.WARNING
    assert calm.staff_ref not in found


def test_over_110_percent_four_weeks_running_is_excessive(world: World) -> None:
    heavy = world.person(contracted_hours=14.0)
    for _ in range(3):
        world.hold(world.case(tier="A3"), "com", heavy, pinned=True)
    for back in (3, 2, 1):
        plan(WEEK.plus(-back))
        assert open_alerts("excessive") == []
    plan()
    assert severities("excessive") == {heavy.staff_ref: AlertSeverity.CRITICAL}


def test_a_pin_to_someone_away_is_not_kept(world: World) -> None:
    away, other = world.person(), world.person()
    # Away for the whole planning horizon: a week's leave would keep the pin.
    world.away(away, MONDAY - timedelta(days=3), MONDAY + timedelta(weeks=4))
    case = world.case()
    world.hold(case, "com", away, pinned=True)
    kept = world.case()
    world.hold(kept, "com", other, pinned=True)
    plan()
    assert severities("pin_not_kept") == {case.reference: AlertSeverity.WARNING}


def release_case(world: World, release: date) -> object:
    """A custody case released on a day, its COM allocated long before."""
    return world.case(
        setting=Setting.CUSTODY, release_date=release, sentence_date=date(2022, 1, 10), tier="B2"
    )


def test_a_holder_away_on_the_day_of_release_is_critical(world: World) -> None:
    release = MONDAY + timedelta(days=3)
    case = release_case(world, release)
    pom, com = world.person(Role.PRISON), world.person()
    world.away(com, release, release)
    world.hold(case, "pom", pom)
    world.hold(case, "com", com)
    plan()
    found = open_alerts("absent_at_release")
    assert [(a.case_id, a.staff_member_id, a.severity) for a in found] == [
        (case.id, com.id, AlertSeverity.CRITICAL)
    ]


def test_a_holder_present_at_release_raises_nothing(world: World) -> None:
    case = release_case(world, MONDAY + timedelta(days=3))
    pom, com = world.person(Role.PRISON), world.person()
    world.away(com, MONDAY + timedelta(days=20), MONDAY + timedelta(days=25))
    world.hold(case, "pom", pom)
    world.hold(case, "com", com)
    plan()
    assert open_alerts("absent_at_release") == []
    assert open_alerts("change_near_release") == []


def test_a_change_of_holder_within_28_days_of_release_is_a_warning(world: World) -> None:
    case = release_case(world, MONDAY + timedelta(days=20))
    pom, leaving, other = world.person(Role.PRISON), world.person(), world.person()
    world.away(leaving, MONDAY, MONDAY + timedelta(weeks=4))
    world.hold(case, "pom", pom)
    world.hold(case, "com", leaving)
    assert other
    plan()
    (alert,) = open_alerts("change_near_release")
    assert alert.case_id == case.id and alert.severity == AlertSeverity.WARNING
    assert "20 days before release" in alert.reason


def test_no_com_after_the_allocation_date_warns_and_near_handover_or_release_is_critical(
    world: World,
) -> None:
    # Other determinate: the COM is responsible 8 months 14 days before release, here in six
    # weeks' time, and was due to be allocated eight weeks before that, a fortnight ago.
    due = world.case(setting=Setting.CUSTODY, cohort=Cohort.TERRORIST_CONNECTED, tier="B2",
                     sentence_date=date(2022, 1, 10),
                     release_date=add_months(MONDAY + timedelta(days=14 + 42), 8))  # fmt: skip
    handing_over = release_case(world, MONDAY + timedelta(days=150))  # TACT: COM from last year
    releasing = release_case(world, MONDAY + timedelta(days=20))
    for case in (due, handing_over, releasing):
        world.hold(case, "pom", world.person(Role.PRISON))
    plan()
    found = {a.case_id: (a.severity, a.reason) for a in open_alerts("no_com")}
    assert found == {
        due.id: (
            AlertSeverity.WARNING,
            "No COM allocated, though one was due from 16 November 2026",
        ),
        handing_over.id: (
            AlertSeverity.CRITICAL,
            "The COM is responsible from 29 January 2026, and none is allocated",
        ),
        releasing.id: (
            AlertSeverity.CRITICAL,
            "Due for release on 20 December 2026, and no COM is allocated",
        ),
    }


def test_a_custody_case_before_its_com_date_needs_no_com(world: World) -> None:
    case = release_case(world, MONDAY + timedelta(days=800))
    world.hold(case, "pom", world.person(Role.PRISON))
    plan()
    assert open_alerts("no_com") == []


def test_lapsed_and_lapsing_vetting_of_holders(world: World) -> None:
    lapsed = world.person(vetting_expiry=MONDAY - timedelta(days=1))
    lapsing = world.person(vetting_expiry=MONDAY + timedelta(days=10))
    fine = world.person(vetting_expiry=MONDAY + timedelta(days=15))
    idle = world.person(vetting_expiry=MONDAY - timedelta(days=1))
    baseline = world.person(vetting=Vetting.BPSS, vetting_expiry=None)
    for person in (lapsed, lapsing, fine, baseline):
        world.hold(world.case(cohort="CPPC"), "com", person)
    assert idle
    plan()
    assert severities("vetting") == {
        lapsed.staff_ref: AlertSeverity.CRITICAL,
        lapsing.staff_ref: AlertSeverity.WARNING,
    }


def test_reviews_overdue_are_critical_and_due_soon_are_warnings(world: World) -> None:
    late = world.case(
        next_mappa_review=MONDAY - timedelta(days=1), next_erg_review=MONDAY - timedelta(days=9)
    )
    soon = world.case(next_mappa_review=MONDAY, next_erg_review=MONDAY + timedelta(days=15))
    world.person()
    world.person()
    plan()
    assert severities("mappa_review") == {
        late.reference: AlertSeverity.CRITICAL,
        soon.reference: AlertSeverity.WARNING,
    }
    assert severities("erg_review") == {late.reference: AlertSeverity.CRITICAL}


def test_an_alert_stays_open_across_runs_and_closes_when_its_cause_is_fixed(world: World) -> None:
    case = world.case(rosh=Rosh.HIGH, tier="A2")
    first = plan()
    (alert,) = open_alerts("uncovered")
    second = plan()
    (still,) = open_alerts("uncovered")
    assert still.id == alert.id
    assert (still.opened_run_id, still.last_run_id) == (first.id, second.id)
    world.person()
    plan()
    assert open_alerts("uncovered") == []
    closed = db.session.get(Alert, alert.id)
    assert closed.closed_at is not None and closed.case_id == case.id


def test_the_alerts_command_closes_date_alerts_once_the_date_is_fixed(
    app: Flask, world: World
) -> None:
    case = world.case(next_mappa_review=MONDAY - timedelta(days=1))
    world.person()
    plan()
    assert len(open_alerts("mappa_review")) == 1
    case.next_mappa_review = MONDAY + timedelta(days=40)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["alerts", "--week", "2026-W49", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == []
    assert open_alerts("mappa_review") == []


def test_the_alerts_command_checks_the_latest_runs_week_unless_told(
    app: Flask, world: World
) -> None:
    ahead = WEEK.plus(2)
    world.case(next_mappa_review=ahead.monday - timedelta(days=2))
    world.person()
    plan(ahead)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["alerts"]).exit_code == 0
    assert [alert.week for alert in open_alerts("mappa_review")] == [str(ahead)]
    # The date is checked against today whichever week is asked for; the week is recorded.
    assert runner.invoke(args=["alerts", "--week", str(WEEK)]).exit_code == 0
    assert [alert.week for alert in open_alerts("mappa_review")] == [str(WEEK)]


def test_the_alerts_command_writes_table_csv_and_json(app: Flask, world: World) -> None:
    case = world.case(rosh=Rosh.VERY_HIGH, tier="A2")
    plan()
    runner = app.test_cli_runner()
    table = runner.invoke(args=["alerts"]).output
    assert table.splitlines()[0].split()[:3] == ["SEVERITY", "KIND", "CASE"]
    assert table.splitlines()[1].startswith(f"critical  Need uncovered  {case.reference}")
    assert table.splitlines()[-1] == f"{len(open_alerts('uncovered'))} open alerts"
    csv = runner.invoke(args=["alerts", "--format", "csv"]).output
    assert csv.startswith(
        "severity,kind,case,person,reason,detail,remedy,since\ncritical,Need uncovered,"
    )
    rows = json.loads(runner.invoke(args=["alerts", "--format", "json"]).output)
    assert {(row["severity"], row["kind"], row["case"]) for row in rows} == {
        ("critical", "Need uncovered", case.reference)
    }
    bad = runner.invoke(args=["alerts", "--format", "xml"])
    assert bad.exit_code == 2


def test_acknowledging_needs_a_manager_and_a_note(app: Flask) -> None:
    with app.app_context():
        World(db.session).case(rosh=Rosh.HIGH, tier="A2")
        plan()
        (alert,) = open_alerts("uncovered")
        alert_id = alert.id
    add_user(app, "viewer.user", UserRole.VIEWER)
    add_user(app, "manager.user", UserRole.MANAGER)
    with app.test_client() as client:
        sign_in(client, "viewer.user")
        assert client.post(f"/alerts/{alert_id}/acknowledge", data={"note": "x"}).status_code == 403
    with app.test_client() as client:
        sign_in(client, "manager.user")
        page = client.post(f"/alerts/{alert_id}/acknowledge", data={"note": ""}).get_data(
            as_text=True
        )
        assert "Enter a note saying what is being done" in page
        response = client.post(
            f"/alerts/{alert_id}/acknowledge", data={"note": "Agency PO starts Monday"}
        )
        assert response.status_code == 302
    with app.app_context():
        acknowledged = db.session.get(Alert, alert_id)
        assert acknowledged.acknowledgement_note == "Agency PO starts Monday"
        assert acknowledged.closed_at is None
        line = db.session.scalar(select(AuditEvent).where(AuditEvent.entity == "alert"))
        assert line.actor == "manager.user"
        assert line.after["acknowledgement_note"] == "Agency PO starts Monday"


def alert_rows(page: str) -> list[str]:
    """The rows of the alerts table, as text."""
    return [text_of(row) for row in body_rows(page)]


def test_the_alerts_page_lists_the_worst_first_and_filters(app: Flask) -> None:
    with app.app_context():
        world = World(db.session)
        medium = world.case(
            rosh=Rosh.MEDIUM, tier="C1", next_mappa_review=MONDAY - timedelta(days=5)
        )
        worst = world.case(rosh=Rosh.VERY_HIGH, tier="A2")
        plan()
        medium_case = f"{medium.reference} Medium {medium.name}, NSD Test"
        worst_case = f"{worst.reference} Very high {worst.name}, NSD Test"
    add_user(app, "viewer.user", UserRole.VIEWER)
    with app.test_client() as client:
        sign_in(client, "viewer.user")
        every = alert_rows(client.get("/alerts/").get_data(as_text=True))
        warnings = alert_rows(
            client.get("/alerts/", query_string={"severity": "warning"}).get_data(as_text=True)
        )
    expected = [  # the worst first, then the highest risk; all opened by the latest run
        f"Critical New {worst_case} Need uncovered. No COM:",
        f"Critical New {worst_case} Need uncovered. No Co-working COM:",
        f"Critical New {medium_case} MAPPA review due. The MAPPA review is overdue: it was due on 25 November 2026",
        f"Warning New {medium_case} Need uncovered. No COM:",
    ]
    assert len(every) == len(expected)
    assert all(row.startswith(start) for row, start in zip(every, expected, strict=True))
    assert warnings == every[3:]


def test_a_manager_can_check_the_dates_again_from_the_page(app: Flask) -> None:
    with app.app_context():
        world = World(db.session)
        case = world.case(next_mappa_review=MONDAY - timedelta(days=2))
        world.person()
        plan()
        case.next_mappa_review = MONDAY + timedelta(days=60)
        db.session.commit()
    add_user(app, "viewer.user", UserRole.VIEWER)
    add_user(app, "manager.user", UserRole.MANAGER)
    with app.test_client() as client:
        sign_in(client, "viewer.user")
        assert client.post("/alerts/check-dates").status_code == 403
    with app.test_client() as client:
        sign_in(client, "manager.user")
        page = client.post("/alerts/check-dates", follow_redirects=True).get_data(as_text=True)
        assert "Dates checked for 2026-W49: 0 alerts opened, 1 closed." in page
    with app.app_context():
        assert open_alerts("mappa_review") == []


def test_saving_a_case_checks_its_own_dates_at_once(app: Flask, world: World) -> None:
    case = world.case(next_mappa_review=MONDAY - timedelta(days=2))
    other = world.case(next_erg_review=MONDAY - timedelta(days=3))
    db.session.commit()
    check_dates(db.session, WEEK, load_policy(db.session))
    case.next_mappa_review = MONDAY + timedelta(days=60)
    other.next_erg_review = MONDAY + timedelta(days=60)
    check_case_dates(db.session, case, WEEK, load_policy(db.session))
    assert open_alerts("mappa_review") == []
    # The other case was not looked at, so its alert waits for the next check.
    assert [alert.case for alert in open_alerts("erg_review")] == [other]
    case.next_erg_review = MONDAY - timedelta(days=1)
    check_case_dates(db.session, case, WEEK, load_policy(db.session))
    assert {alert.case.reference for alert in open_alerts("erg_review")} == {
        case.reference,
        other.reference,
    }
    case.active = False
    check_case_dates(db.session, case, WEEK, load_policy(db.session))
    assert [alert.case for alert in open_alerts("erg_review")] == [other]


def test_saving_a_person_checks_their_vetting_at_once(app: Flask, world: World) -> None:
    lapsed = world.person(vetting_expiry=MONDAY - timedelta(days=10))
    lapsing = world.person(vetting_expiry=MONDAY + timedelta(days=10))
    world.hold(world.case(), "com", lapsed)
    world.hold(world.case(), "com", lapsing)
    db.session.commit()
    check_dates(db.session, WEEK, load_policy(db.session))
    assert severities("vetting") == {
        lapsed.staff_ref: AlertSeverity.CRITICAL,
        lapsing.staff_ref: AlertSeverity.WARNING,
    }
    lapsed.vetting_expiry = lapsing.vetting_expiry = date(2031, 1, 31)
    check_person_dates(db.session, lapsed, WEEK, load_policy(db.session))
    assert severities("vetting") == {lapsing.staff_ref: AlertSeverity.WARNING}


def test_the_dates_are_checked_for_the_latest_runs_week_unless_it_is_past(
    app: Flask, world: World
) -> None:
    world.case()
    world.person()
    assert dates_week(db.session) == WEEK
    plan(WEEK.plus(2))
    assert dates_week(db.session) == WEEK.plus(2)
    plan(WEEK.plus(-3))
    assert dates_week(db.session) == WEEK


def staff_answers(person: StaffMember, expiry: date) -> dict[str, Any]:
    """The staff form as a manager posts it, with a new vetting expiry."""
    return {
        "staff_ref": person.staff_ref, "name": person.name, "role": person.role.value,
        "grade": person.grade.value, "site_id": str(person.site_id),
        "contracted_hours": "37", "other_work_hours": "0", "vetting": person.vetting.value,
        "vetting_expiry": [str(expiry.day), str(expiry.month), str(expiry.year)],
        "skills": ["ct_trained"], "languages": "", "max_cases": "", "active": "y",
        "version": str(person.version),
    }  # fmt: skip


def test_renewed_vetting_saved_in_the_browser_closes_the_alert(app: Flask) -> None:
    with app.app_context():
        world = World(db.session)
        holder = world.person(vetting_expiry=MONDAY - timedelta(days=10))
        world.hold(world.case(), "com", holder)
        db.session.commit()
        check_dates(db.session, WEEK, load_policy(db.session))
        db.session.commit()
        staff_id, answers = holder.id, staff_answers(holder, date(2031, 1, 31))
        assert len(open_alerts("vetting")) == 1
    add_user(app, "manager.user", UserRole.MANAGER)
    with app.test_client() as client:
        sign_in(client, "manager.user")
        response = client.post(f"/staff/{staff_id}/edit", data=answers)
        assert response.headers["Location"] == f"/staff/{staff_id}"
    with app.app_context():
        assert open_alerts("vetting") == []


def test_an_acknowledged_alert_shows_who_acted_and_its_history(app: Flask) -> None:
    with app.app_context():
        world = World(db.session)
        case = world.case(next_mappa_review=MONDAY - timedelta(days=2))  # nobody to hold it
        plan()
        review = open_alerts("mappa_review")[0].id
        uncovered = open_alerts("uncovered")[0].id
        case_id, reference = case.id, case.reference
    add_user(app, "manager.user", UserRole.MANAGER)
    add_user(app, "viewer.user", UserRole.VIEWER)
    with app.test_client() as client:
        sign_in(client, "manager.user")
        client.post(f"/alerts/{review}/acknowledge", data={"note": "Review booked for Friday"})
        listed = {
            "open": alert_rows(client.get("/alerts/").get_data(as_text=True)),
            "acknowledged": alert_rows(client.get("/alerts/?status=acknowledged").data.decode()),
            "unacknowledged": alert_rows(
                client.get("/alerts/?status=unacknowledged").get_data(as_text=True)
            ),
        }
    (acknowledged,) = listed["acknowledged"]
    assert acknowledged.startswith(f"Critical Acknowledged {reference}")
    assert "New" not in acknowledged.split(reference)[0]
    assert "Acknowledged by manager.user on " in acknowledged
    assert ": Review booked for Friday" in acknowledged
    assert len(listed["open"]) == len(listed["unacknowledged"]) + 1
    assert acknowledged in listed["open"] and acknowledged not in listed["unacknowledged"]
    assert all(row.startswith("Critical New") for row in listed["unacknowledged"])

    with app.app_context():
        set_actor(db.session, "manager.user")
        saved = db.session.get(Case, case_id)
        saved.next_mappa_review = MONDAY + timedelta(days=60)
        check_case_dates(db.session, saved, WEEK, load_policy(db.session))
        db.session.commit()
    with app.test_client() as client:
        sign_in(client, "viewer.user")
        history = text_of(client.get(f"/alerts/{review}").get_data(as_text=True))
        still = client.get(f"/alerts/{uncovered}").get_data(as_text=True)
        closed = alert_rows(client.get("/alerts/?status=closed").get_data(as_text=True))
    assert re.search(
        r"Raised on \d+ \w+ \d{4} at [\d:]+[ap]m by run 1\. "
        r"Acknowledged by manager\.user on \d+ \w+ \d{4} at [\d:]+[ap]m: Review booked for Friday "
        r"Cleared on \d+ \w+ \d{4} at [\d:]+[ap]m by a save of the case by manager\.user\.",
        history,
    ), history
    assert "Record the next review" not in history  # nothing to do about a cleared alert
    assert "Still open: it clears when a run or a save finds its cause fixed." in still
    assert "Acknowledge this alert" not in still  # a viewer acts on nothing
    assert [row.split()[0:2] for row in closed] == [["Critical", reference]]
