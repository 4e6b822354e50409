"""Pages in the service's style: error pages, assets from npm, the dashboard."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from planner.domain.vocabulary import UserRole
from tests.conftest import AppFactory, add_user, load_demo, sign_in


def test_a_missing_page_is_a_404_in_the_service_style(manager: FlaskClient) -> None:
    response = manager.get("/no-such-page")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "Page not found" in page
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


def test_the_dashboard_shows_the_week_in_numbers(
    app: Flask, client: FlaskClient, users: dict[UserRole, str]
) -> None:
    load_demo(app)
    sign_in(client, users[UserRole.MANAGER])
    page = client.get("/").get_data(as_text=True)
    for heading in ("Critical alerts", "Needs held today, by risk", "Staffing this week",
                    "Workload % this week", "Releases and handovers in the next 12 weeks"):  # fmt: skip
        assert heading in page
    assert '<svg class="planner-chart"' in page and "<desc id=" in page
    assert "Shortfall" in page
    assert re.search(r"Active cases</dt>\s*<dd[^>]*>60</dd>", page)
