"""The password policy: long, hard to guess, not the username; wherever a password is set."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from planner.domain.passwords import HOLDS_USERNAME, TOO_EASY, TOO_SHORT, password_problem
from planner.domain.vocabulary import UserRole
from planner.extensions import db
from planner.models import User
from tests.conftest import PASSWORD

# (password, username, what is wrong)
WEAK = [
    ("aaaaaaaaaaaa", "jo.bloggs", TOO_EASY),
    ("Password1234", "jo.bloggs", TOO_EASY),
    ("qwertyuiop12", "jo.bloggs", TOO_EASY),
    ("123456789012", "jo.bloggs", TOO_EASY),
    ("passwordpassword", "jo.bloggs", TOO_EASY),
    ("caseloadplanner", "jo.bloggs", TOO_EASY),
    ("jo.bloggs", "jo.bloggs", TOO_SHORT),
    ("jo.bloggs.2024!", "jo.bloggs", HOLDS_USERNAME),
    ("JoBloggs rules the world", "jo.bloggs", HOLDS_USERNAME),
    ("manager.user", "manager.user", HOLDS_USERNAME),
    ("short", "jo.bloggs", TOO_SHORT),
    ("elevenchars", "jo.bloggs", TOO_SHORT),
]
STRONG = [PASSWORD, "purple monkey dishwasher", "kettle garden violin", "a different long password",
          "bloggs plays the trombone", "x" * 3 + "correct horse battery staple " * 6]  # fmt: skip


@pytest.mark.parametrize(("password", "username", "problem"), WEAK, ids=[w[0] for w in WEAK])
def test_weak_passwords_are_refused_in_words(password: str, username: str, problem: str) -> None:
    assert password_problem(password, username) == problem


@pytest.mark.parametrize("password", STRONG)
def test_long_unrelated_words_will_do(password: str) -> None:
    assert password_problem(password, "jo.bloggs") is None


def test_the_messages_are_govuk_sentences() -> None:
    assert TOO_SHORT == "The password must be at least 12 characters"
    assert HOLDS_USERNAME == "The password must not contain the username"
    assert TOO_EASY == "The password is too easy to guess: use 3 or more unrelated words"


REFUSED = [("aaaaaaaaaaaa", TOO_EASY), ("jo.bloggs-2024-ok", HOLDS_USERNAME), ("short", TOO_SHORT)]


@pytest.mark.parametrize(("password", "message"), REFUSED)
def test_the_admins_add_user_form_refuses_a_weak_password(
    app: Flask, admin: FlaskClient, password: str, message: str
) -> None:
    data = {"username": "jo.bloggs", "role": "viewer", "regions": "national", "password": password,
            "confirm_password": password}  # fmt: skip
    page = admin.post("/settings/users/new", data=data).get_data(as_text=True)
    assert "<title>Error: Add a user – Caseload planner</title>" in page
    assert f'<a href="#password">{message}</a>' in page
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username == "jo.bloggs")) is None


@pytest.mark.parametrize(
    ("password", "message"), [*REFUSED[:1], ("manager.user.1", HOLDS_USERNAME)]
)
def test_the_admins_set_password_form_refuses_a_weak_password(
    app: Flask, admin: FlaskClient, users: dict[UserRole, str], password: str, message: str
) -> None:
    with app.app_context():
        target = db.session.scalar(select(User).where(User.username == users[UserRole.MANAGER]))
        target_id, before = target.id, target.password_hash
    data = {"password": password, "confirm_password": password}
    page = admin.post(f"/settings/users/{target_id}/password", data=data).get_data(as_text=True)
    assert f'<a href="#password">{message}</a>' in page
    with app.app_context():
        assert db.session.get(User, target_id).password_hash == before


def test_the_password_box_says_what_will_do(admin: FlaskClient) -> None:
    page = admin.get("/settings/users/new").get_data(as_text=True)
    assert "At least 12 characters, not the username." in page


@pytest.mark.parametrize(("password", "message"), REFUSED)
def test_create_user_refuses_a_weak_password(app: Flask, password: str, message: str) -> None:
    result = app.test_cli_runner().invoke(
        args=["create-user", "jo.bloggs", "--role", "viewer", "--national", "--password-stdin"],
        input=password + "\n",
    )
    assert result.exit_code != 0
    assert f"Error: {message[0].lower()}{message[1:]}" in result.output
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username == "jo.bloggs")) is None


def test_set_password_refuses_a_weak_password(app: Flask, users: dict[UserRole, str]) -> None:
    result = app.test_cli_runner().invoke(
        args=["set-password", users[UserRole.VIEWER], "--password-stdin"],
        input="aaaaaaaaaaaa\n",
    )
    assert result.exit_code != 0
    assert "Error: the password is too easy to guess" in result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == users[UserRole.VIEWER]))
        assert user.check_password(PASSWORD)
