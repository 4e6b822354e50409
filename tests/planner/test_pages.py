"""Pages in the service's style: error pages, assets from npm, the dashboard."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from planner.alerting.services import check_dates
from planner.domain.vocabulary import Setting, UserRole
from planner.domain.weeks import IsoWeek
from planner.extensions import db
from planner.models import Case, Need
from planner.models.policy import load_policy
from tests.conftest import AppFactory, add_user, sign_in
from tests.planner.pages import body_rows, cells, summary, text_of
from tests.planner.world import MONDAY, World

WEEK = IsoWeek.containing(MONDAY)


@pytest.fixture
def app_settings() -> dict[str, Any]:
    """Today is the tiny world's Monday."""
    return {"TODAY": MONDAY.isoformat()}


def test_a_missing_page_is_a_404_in_the_service_style(manager: FlaskClient) -> None:
    response = manager.get("/no-such-page")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "<title>Page not found – Caseload planner</title>" in page
    assert "moj-header" in page


def test_an_unexpected_error_is_a_500_page_that_saves_nothing(app_factory: AppFactory) -> None:
    app = app_factory("error", SHOW_ERROR_PAGES=True)

    @app.route("/explode")
    def explode() -> str:
        raise RuntimeError("boom")

    add_user(app, "manager.user", UserRole.MANAGER)
    with app.test_client() as client:
        sign_in(client, "manager.user")
        response = client.get("/explode")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Sorry, there is a problem with the service" in page
    assert "boom" not in page


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/assets/planner.css", "text/css"),
        ("/assets/planner.js", "text/javascript"),
        ("/assets/govuk-frontend.min.js", "text/javascript"),
        ("/assets/moj-frontend.min.js", "text/javascript"),
        ("/assets/images/favicon.ico", "image/"),
        ("/assets/images/icon-arrow-black-down.svg", "image/svg+xml"),
    ],
)
def test_front_end_assets_are_served_from_the_npm_packages(
    client: FlaskClient, path: str, content_type: str
) -> None:
    with client.get(path) as response:
        assert response.status_code == 200
        assert response.content_type.startswith(content_type)


def test_only_asset_files_are_served(client: FlaskClient) -> None:
    for path in ("/assets/planner.scss", "/assets/../setup.cfg", "/assets/package.json"):
        with client.get(path) as response:
            assert response.status_code == 404


def test_the_stylesheet_uses_arial_and_no_gds_transport(client: FlaskClient) -> None:
    with client.get("/assets/planner.css") as response:
        css = response.get_data(as_text=True)
    assert "GDS Transport" not in css
    assert "font-family:arial,sans-serif" in css


def test_the_header_is_the_moj_header_without_a_crown(manager: FlaskClient) -> None:
    page = manager.get("/").get_data(as_text=True)
    assert 'class="moj-header"' in page
    assert "Caseload planner" in page
    assert "crown" not in page
    assert "OFFICIAL-SENSITIVE" in page


def figures(page: str, caption: str) -> dict[str, list[str]]:
    """The rows of the table with this caption: each row's heading to its other cells."""
    table = page.split(caption)[1].split("</table>")[0]
    rows = re.findall(r'<th scope="row"[^>]*>(.*?)</th>(.*?)</tr>', table, re.S)
    return {text_of(heading): cells(row) for heading, row in rows}


def section(page: str, start: str, end: str) -> str:
    """The part of the page from one marker to the next."""
    return page.split(start)[1].split(end)[0]


def test_the_dashboard_shows_the_week_in_numbers(app: Flask, manager: FlaskClient) -> None:
    with app.app_context():
        world = World(db.session)
        holder = world.person(contracted_hours=4.0, vetting_expiry=MONDAY - timedelta(days=1))
        world.person(name="Idle Inactive", active=False)
        held = world.case(tier="A3")  # a COM need of 5.59 hours, held on 4 hours: 140%
        world.hold(held, "com", holder)
        soon = world.case(setting=Setting.CUSTODY, release_date=MONDAY + timedelta(days=20))
        later = world.case(setting=Setting.CUSTODY, release_date=MONDAY + timedelta(weeks=13))
        world.case(active=False)
        db.session.commit()
        check_dates(db.session, WEEK, load_policy(db.session))  # the holder's vetting has lapsed
        db.session.commit()
        need_hours = db.session.scalar(
            select(func.sum(Need.hours)).join(Case).where(Need.active, Case.active)
        )
        needs = db.session.scalar(  # every case is high risk
            select(func.count(Need.id)).join(Case).where(Need.active, Case.active)
        )
        facts = holder.name, holder.staff_ref, soon.reference, later.reference
    name, staff_ref, soon_reference, later_reference = facts
    page = manager.get("/").get_data(as_text=True)
    assert '<span class="govuk-caption-l">Week 2026-W49, from 30 November 2026</span>' in page
    numbers = summary(page)
    assert numbers["Active cases"] == "3"
    assert numbers["Practitioners"] == "1"
    assert numbers["Hours a week the cases need"] == f"{need_hours:.1f}".rstrip("0").rstrip(".")
    assert numbers["Hours they have for these cases"] == "4"
    assert numbers["Shortfall"] == f"{round((1 - 4.0 / need_hours) * 100)}%"
    assert figures(page, "Practitioners by Workload % band</caption>") == {
        "Under 50%": ["0"], "50 to 80%": ["0"], "80 to 100%": ["0"],
        "100 to 110%": ["0"], "110 to 120%": ["0"], "Over 120%": ["1"],
    }  # fmt: skip
    assert figures(page, "Needs held and needs with nobody, by risk</caption>") == {
        "Very high": ["0", "0"], "High": ["1", str(needs - 1)],
        "Medium": ["0", "0"], "Low": ["0", "0"],
    }  # fmt: skip
    critical = section(page, 'id="critical">', "</table>")
    assert critical.startswith("Critical alerts (3)</h2>")
    case_alert, handover_alert, person_alert = body_rows(critical)
    assert text_of(case_alert).startswith(soon_reference)
    assert "Due for release on 20 December 2026, and no COM is allocated" in case_alert
    # Released in 13 weeks, a TACT case: its COM has been responsible for a year.
    assert text_of(handover_alert).startswith(later_reference)
    assert "The COM is responsible from 1 December 2025, and none is allocated" in handover_alert
    assert text_of(person_alert).startswith(f"{name} {staff_ref}")
    assert "SC vetting lapsed on 29 November 2026" in person_alert
    # Both custody cases are past the day a COM was due; only one is released within 12 weeks.
    assert numbers["COM allocation overdue"] == "2 cases"
    assert numbers["Releases in the next 12 weeks"] == "1 case"
    assert numbers["Handover in progress"] == "0 cases"
    assert "No plan has been run yet." in page
    assert '<svg class="planner-chart"' in page and "<desc id=" in page
