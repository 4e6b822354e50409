"""Sessions end on the server: at sign-out, a new password, deactivation, idleness and old age."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from planner.domain.vocabulary import UserRole
from planner.extensions import db
from planner.models import AuditEvent, User
from planner.models.policy import load_policy, save_policy
from planner.web.sessions import LAST_USED_AT, SIGNED_IN_AT, in_words
from tests.conftest import PASSWORD, AppFactory, add_user, sign_in

NEW_PASSWORD = "a different long password"


def user_id(app: Flask, username: str) -> int:
    """The id of a user."""
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.username == username))


def browser(app: Flask, username: str) -> FlaskClient:
    """A browser of its own, signed in: no context of another client's request is shared."""
    client = app.test_client()
    assert sign_in(client, username).status_code == 302
    return client


def copy_of(app: Flask, client: FlaskClient) -> FlaskClient:
    """Another browser holding a copy of this client's session cookie."""
    other = app.test_client()
    other.set_cookie("session", client.get_cookie("session").value)
    return other


def signed_in(client: FlaskClient) -> bool:
    """Whether the client's session still opens a page."""
    return client.get("/").status_code == 200


def age(client: FlaskClient, key: str, seconds: float) -> None:
    """Move one of the session's times back, as if that long had passed."""
    with client.session_transaction() as session:
        session[key] -= seconds


def set_idle_minutes(app: Flask, minutes: float) -> None:
    """Store the policy's idle time-out."""
    with app.app_context():
        save_policy(
            db.session, dataclasses.replace(load_policy(db.session), idle_minutes=minutes), "test"
        )
        db.session.commit()


# --- Ended on the server --------------------------------------------------------------------


def test_a_copied_cookie_stops_working_after_sign_out(
    app: Flask, users: dict[UserRole, str]
) -> None:
    manager = browser(app, users[UserRole.MANAGER])
    thief = copy_of(app, manager)
    assert signed_in(thief)
    manager.post("/sign-out")
    assert not signed_in(thief)
    assert thief.get("/").headers["Location"].startswith("/sign-in")


def test_signing_out_ends_the_users_sessions_in_every_browser(
    app: Flask, users: dict[UserRole, str]
) -> None:
    here = browser(app, users[UserRole.MANAGER])
    there = browser(app, users[UserRole.MANAGER])
    here.post("/sign-out")
    assert not signed_in(there)


def test_signing_out_ends_only_the_users_own_sessions(
    app: Flask, users: dict[UserRole, str]
) -> None:
    manager = browser(app, users[UserRole.MANAGER])
    viewer = browser(app, users[UserRole.VIEWER])
    manager.post("/sign-out")
    assert signed_in(viewer)


def test_a_password_reset_by_an_admin_ends_every_session_of_the_user(
    app: Flask, users: dict[UserRole, str]
) -> None:
    admin = browser(app, users[UserRole.ADMIN])
    manager = browser(app, users[UserRole.MANAGER])
    thief = copy_of(app, manager)
    target = user_id(app, users[UserRole.MANAGER])
    data = {"password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
    assert admin.post(f"/settings/users/{target}/password", data=data).status_code == 302
    assert not signed_in(manager)
    assert not signed_in(thief)
    assert signed_in(admin)
    assert sign_in(manager, users[UserRole.MANAGER], NEW_PASSWORD).status_code == 302


def test_an_admin_who_sets_their_own_password_stays_signed_in_here_only(
    app: Flask, users: dict[UserRole, str]
) -> None:
    admin = browser(app, users[UserRole.ADMIN])
    elsewhere = browser(app, users[UserRole.ADMIN])
    own = user_id(app, users[UserRole.ADMIN])
    data = {"password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
    assert admin.post(f"/settings/users/{own}/password", data=data).status_code == 302
    page = admin.get(f"/settings/users/{own}").get_data(as_text=True)
    assert "Set a new password for admin.user" in page
    assert not signed_in(elsewhere)


def test_a_new_password_from_the_command_line_ends_every_session(
    app: Flask, users: dict[UserRole, str]
) -> None:
    manager = browser(app, users[UserRole.MANAGER])
    result = app.test_cli_runner().invoke(
        args=["set-password", users[UserRole.MANAGER], "--password-stdin"],
        input=NEW_PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    assert not signed_in(manager)


def test_deactivation_ends_every_session_and_reactivation_brings_none_back(
    app: Flask, users: dict[UserRole, str]
) -> None:
    admin = browser(app, users[UserRole.ADMIN])
    manager = browser(app, users[UserRole.MANAGER])
    thief = copy_of(app, manager)
    target = user_id(app, users[UserRole.MANAGER])
    admin.post(f"/settings/users/{target}/status", data={"active": "no"})
    assert not signed_in(thief)
    admin.post(f"/settings/users/{target}/status", data={"active": "yes"})
    assert not signed_in(thief)
    assert not signed_in(manager)
    assert sign_in(manager, users[UserRole.MANAGER]).status_code == 302


def test_a_cookie_naming_the_user_without_the_token_is_refused(
    app: Flask, manager: FlaskClient, users: dict[UserRole, str]
) -> None:
    # How a session named its user before tokens, and how a forged one might.
    with manager.session_transaction() as session:
        session["_user_id"] = str(user_id(app, users[UserRole.MANAGER]))
    assert not signed_in(manager)


def test_sign_out_is_audited(app: Flask, manager: FlaskClient) -> None:
    manager.post("/sign-out")
    with app.app_context():
        line = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (line.action, line.entity, line.actor, line.summary) == (
        "sign-out",
        "sign-in",
        "manager.user",
        "Signed out",
    )


# --- A new session at sign-in ---------------------------------------------------------------


def csrf_token(page: str) -> str:
    """The CSRF token of a page's first form."""
    return re.search(r'name="csrf_token"[^>]*?value="([^"]+)"', page).group(1)


def session_of(app: Flask, client: FlaskClient) -> dict[str, Any]:
    """What the client's session cookie holds."""
    serializer = app.session_interface.get_signing_serializer(app)
    return serializer.loads(client.get_cookie("session").value)


def test_signing_in_starts_a_new_session_with_a_new_csrf_secret(app_factory: AppFactory) -> None:
    app = app_factory("csrf", WTF_CSRF_ENABLED=True)
    add_user(app, "manager.user", UserRole.MANAGER)
    client = app.test_client()
    token = csrf_token(client.get("/sign-in").get_data(as_text=True))
    before = client.get_cookie("session").value
    secret_before = session_of(app, client)["csrf_token"]
    data = {"username": "manager.user", "password": PASSWORD, "csrf_token": token}
    assert client.post("/sign-in", data=data).status_code == 302
    client.get("/")
    after = session_of(app, client)
    assert client.get_cookie("session").value != before
    assert after["csrf_token"] != secret_before
    # The cookie from before sign-in is still signed out, and its token opens no form.
    planted = app.test_client()
    planted.set_cookie("session", before)
    assert not signed_in(planted)
    refused = client.post("/sign-out", data={"csrf_token": token})
    assert refused.status_code == 400


def test_signing_out_clears_the_session_and_its_csrf_secret(app_factory: AppFactory) -> None:
    app = app_factory("csrf", WTF_CSRF_ENABLED=True)
    add_user(app, "manager.user", UserRole.MANAGER)
    client = app.test_client()
    token = csrf_token(client.get("/sign-in").get_data(as_text=True))
    client.post(
        "/sign-in", data={"username": "manager.user", "password": PASSWORD, "csrf_token": token}
    )
    token = csrf_token(client.get("/").get_data(as_text=True))
    assert "csrf_token" in session_of(app, client)
    assert client.post("/sign-out", data={"csrf_token": token}).status_code == 302
    assert set(session_of(app, client)) == {"_flashes"}


# --- Idle and old sessions ------------------------------------------------------------------


def test_a_request_after_the_idle_limit_is_refused_and_sent_to_sign_in_with_a_message(
    manager: FlaskClient,
) -> None:
    age(manager, LAST_USED_AT, 30 * 60 + 1)
    response = manager.get("/cases/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/sign-in?next=%2Fcases%2F"
    page = manager.get(response.headers["Location"]).get_data(as_text=True)
    assert (
        "For your security, we signed you out because you had not used the planner for "
        "30 minutes. Sign in again to carry on."
    ) in page
    assert not signed_in(manager)


def test_a_change_after_the_idle_limit_is_not_made(app: Flask, manager: FlaskClient) -> None:
    age(manager, LAST_USED_AT, 31 * 60)
    response = manager.post("/cases/new", data={"reference": "CT-IDLE-1"})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")
    with app.app_context():
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.entity == "case")) is None


def test_using_the_planner_starts_the_idle_clock_again(manager: FlaskClient) -> None:
    age(manager, LAST_USED_AT, 29 * 60)
    assert signed_in(manager)
    age(manager, LAST_USED_AT, 29 * 60)
    assert signed_in(manager)


def test_the_idle_limit_is_the_policy_in_force(app: Flask, manager: FlaskClient) -> None:
    set_idle_minutes(app, 10)
    age(manager, LAST_USED_AT, 9 * 60)
    assert signed_in(manager)
    age(manager, LAST_USED_AT, 10 * 60)
    assert not signed_in(manager)


def test_an_admin_changes_the_idle_limit_on_the_settings_page(
    app: Flask, admin: FlaskClient
) -> None:
    page = admin.get("/settings/").get_data(as_text=True)
    assert "Sign out after" in page
    assert "30 minutes" in page
    response = admin.post("/settings/policy/signing-out", data={"idle_minutes": "15"})
    assert response.status_code == 302
    with app.app_context():
        assert load_policy(db.session).idle_minutes == 15
    refused = admin.post("/settings/policy/signing-out", data={"idle_minutes": "2"})
    assert "must be between 5 and 480" in refused.get_data(as_text=True)


def test_a_session_ends_hours_after_sign_in_however_busy(manager: FlaskClient) -> None:
    age(manager, SIGNED_IN_AT, 8 * 3600)
    response = manager.get("/")
    assert response.headers["Location"].startswith("/sign-in")
    page = manager.get("/sign-in").get_data(as_text=True)
    assert "because you signed in more than 8 hours ago" in page


def test_polling_a_job_is_not_using_the_planner(manager: FlaskClient) -> None:
    age(manager, LAST_USED_AT, 20 * 60)
    manager.get("/plans/jobs/plan-run/1")
    age(manager, LAST_USED_AT, 11 * 60)
    assert not signed_in(manager)


def test_a_poll_after_the_idle_limit_is_refused_and_the_next_page_says_why(
    manager: FlaskClient,
) -> None:
    age(manager, LAST_USED_AT, 31 * 60)
    assert manager.get("/plans/jobs/plan-run/1").status_code == 401
    response = manager.get("/staff/")
    assert response.headers["Location"].startswith("/sign-in")
    page = manager.get(response.headers["Location"]).get_data(as_text=True)
    assert "because you had not used the planner for 30 minutes" in page


def test_staying_signed_in_starts_the_idle_clock_again(manager: FlaskClient) -> None:
    age(manager, LAST_USED_AT, 29 * 60)
    assert manager.post("/stay-signed-in").status_code == 204
    age(manager, LAST_USED_AT, 29 * 60)
    assert signed_in(manager)


def test_staying_signed_in_needs_a_live_session(manager: FlaskClient) -> None:
    age(manager, LAST_USED_AT, 31 * 60)
    response = manager.post("/stay-signed-in")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")


def test_signed_in_pages_carry_the_warning_before_the_time_out(manager: FlaskClient) -> None:
    page = manager.get("/").get_data(as_text=True)
    assert 'data-sign-out-after="1800.0"' in page
    assert 'data-warn-before="120"' in page
    assert "You'll be signed out in <span data-countdown>2 minutes</span>" in page
    assert 'action="/stay-signed-in"' in page


def test_the_sign_in_page_carries_no_warning(client: FlaskClient) -> None:
    assert "data-sign-out-after" not in client.get("/sign-in").get_data(as_text=True)


@pytest.mark.parametrize(
    ("seconds", "words"),
    [(8 * 3600, "8 hours"), (1800, "30 minutes"), (60, "1 minute"), (90, "90 seconds"),
     (7.5, "8 seconds"), (1, "1 second")],
)  # fmt: skip
def test_lengths_of_time_are_said_as_people_say_them(seconds: float, words: str) -> None:
    assert in_words(seconds) == words
