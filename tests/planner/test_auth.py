"""Signing in and out: every page needs sign-in, the next address stays on this site."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from planner.domain.vocabulary import UserRole
from tests.conftest import PASSWORD, AppFactory, add_user, sign_in


@pytest.mark.parametrize(
    ("path", "next_address"),
    [
        ("/", "%2F"),
        ("/cases/", "%2Fcases%2F"),
        ("/staff/?page=2", "%2Fstaff%2F%3Fpage%3D2"),
        ("/alerts/", "%2Falerts%2F"),
        ("/plans/", "%2Fplans%2F"),
        ("/settings/users", "%2Fsettings%2Fusers"),
    ],
)
def test_every_page_sends_a_signed_out_person_to_sign_in(
    client: FlaskClient, path: str, next_address: str
) -> None:
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/sign-in?next={next_address}"


def test_unknown_pages_also_need_sign_in_first(client: FlaskClient) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 302
    assert response.headers["Location"] == "/sign-in?next=%2Fno-such-page"


def test_signing_in_returns_to_the_page_first_asked_for(
    client: FlaskClient, users: dict[UserRole, str]
) -> None:
    sign_in_address = client.get("/staff/?page=2").headers["Location"]
    data = {"username": users[UserRole.VIEWER], "password": PASSWORD}
    response = client.post(sign_in_address, data=data)
    assert response.headers["Location"] == "/staff/?page=2"


def test_the_sign_in_page_is_a_govuk_form(client: FlaskClient) -> None:
    page = client.get("/sign-in").get_data(as_text=True)
    assert "<title>Sign in – Caseload planner</title>" in page
    assert 'autocomplete="current-password"' in page
    assert "novalidate" in page


def test_signing_in_opens_the_dashboard(client: FlaskClient, users: dict[UserRole, str]) -> None:
    response = sign_in(client, users[UserRole.VIEWER])
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert "<title>Dashboard – Caseload planner</title>" in page
    assert '<h1 class="govuk-heading-l">Dashboard</h1>' in page
    assert "viewer.user (Viewer)" in page


@pytest.mark.parametrize(
    ("username", "password"), [("manager.user", "wrong password"), ("nobody", PASSWORD)]
)
def test_a_wrong_username_or_password_gets_one_message(
    client: FlaskClient, users: dict[UserRole, str], username: str, password: str
) -> None:
    response = sign_in(client, username, password)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Error: Sign in – Caseload planner</title>" in page
    assert "There is a problem" in page
    assert "Enter a correct username and password" in page
    assert 'value="' + username + '"' in page
    assert client.get("/").headers["Location"] == "/sign-in?next=%2F"


def test_empty_fields_are_named_in_the_error_summary(client: FlaskClient) -> None:
    page = client.post("/sign-in", data={"username": "", "password": ""}).get_data(as_text=True)
    assert '<a href="#username">Enter your username</a>' in page
    assert '<a href="#password">Enter your password</a>' in page


def test_a_deactivated_user_cannot_sign_in(app: Flask, client: FlaskClient) -> None:
    add_user(app, "gone.user", UserRole.MANAGER, active=False)
    response = sign_in(client, "gone.user")
    assert response.status_code == 200
    assert "Enter a correct username and password" in response.get_data(as_text=True)
    assert client.get("/").headers["Location"] == "/sign-in?next=%2F"


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/staff?page=2", "/staff?page=2"),
        ("https://elsewhere.example/", "/"),
        ("//elsewhere.example/", "/"),
        ("/\\elsewhere.example", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_next_only_leads_back_into_this_site(
    client: FlaskClient, users: dict[UserRole, str], target: str, expected: str
) -> None:
    response = client.post(
        "/sign-in",
        query_string={"next": target},
        data={"username": users[UserRole.MANAGER], "password": PASSWORD},
    )
    assert response.headers["Location"] == expected


def test_signing_out_ends_the_session(manager: FlaskClient) -> None:
    assert manager.get("/").status_code == 200
    response = manager.post("/sign-out")
    assert response.headers["Location"] == "/sign-in"
    page = manager.get("/sign-in").get_data(as_text=True)
    assert "<title>Sign in – Caseload planner</title>" in page
    assert "You have signed out" in page
    assert manager.get("/").headers["Location"] == "/sign-in?next=%2F"


def test_signing_out_needs_a_post(manager: FlaskClient) -> None:
    assert manager.get("/sign-out").status_code == 405


def test_passwords_are_stored_hashed(app: Flask, users: dict[UserRole, str]) -> None:
    from sqlalchemy import select

    from planner.extensions import db
    from planner.models import User

    with app.app_context():
        stored = db.session.scalar(select(User.password_hash).limit(1))
    assert PASSWORD not in stored
    assert stored.startswith(("scrypt:", "pbkdf2:"))


def test_forms_without_a_csrf_token_are_refused(app_factory: AppFactory) -> None:
    app = app_factory("csrf", WTF_CSRF_ENABLED=True)
    add_user(app, "manager.user", UserRole.MANAGER)
    with app.test_client() as client:
        response = client.post("/sign-in", data={"username": "manager.user", "password": PASSWORD})
        assert response.status_code == 400
        assert "Your session has expired" in response.get_data(as_text=True)
        assert client.get("/").headers["Location"] == "/sign-in?next=%2F"


def test_responses_carry_protective_headers(manager: FlaskClient) -> None:
    headers = manager.get("/").headers
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Cache-Control"] == "no-store"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in headers["Content-Security-Policy"]
