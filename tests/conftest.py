"""Fixtures shared by every test: an app on a fresh database, users, and sign-in."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from planner import create_app
from planner.audit import set_actor
from planner.extensions import db
from planner.models import User
from planner.vocabulary import UserRole

PASSWORD = "correct horse battery staple"


def make_app(database: Path, **overrides: Any) -> Flask:
    """An app in testing mode on its own SQLite file, schema created from the models."""
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
        "WTF_CSRF_ENABLED": False,
        # Salted like scrypt, but quick: tests sign people in hundreds of times.
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        **overrides,
    }
    app = create_app(config)
    with app.app_context():
        db.create_all()
    return app


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    """The planner on an empty database."""
    app = make_app(tmp_path / "planner.db")
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    """Runs the app's `flask` commands."""
    return app.test_cli_runner()


def add_user(app: Flask, username: str, role: UserRole, active: bool = True) -> None:
    """Store a user with the shared test password."""
    with app.app_context():
        set_actor(db.session, "test")
        user = User(username=username, role=role, active=active)
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()


@pytest.fixture
def users(app: Flask) -> dict[UserRole, str]:
    """One user of each role."""
    names = {role: f"{role.value}.user" for role in UserRole}
    for role, name in names.items():
        add_user(app, name, role)
    return names


def sign_in(client: FlaskClient, username: str, password: str = PASSWORD) -> Any:
    """Post the sign-in form."""
    return client.post("/sign-in", data={"username": username, "password": password})


@pytest.fixture
def manager(client: FlaskClient, users: dict[UserRole, str]) -> FlaskClient:
    """A client signed in as a manager."""
    sign_in(client, users[UserRole.MANAGER])
    return client


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A throwaway PostgreSQL server on a Unix socket, for the tests that need the real thing."""
    from tests.postgres import TemporaryPostgres

    with TemporaryPostgres() as server:
        yield server.url


@pytest.fixture(autouse=True)
def _push_request_context() -> None:
    """Push no request context for the whole test (pytest-flask does by default).

    A context held for the whole test shares `g`, and with it the signed-in user, between every
    request of the test; each request then acts as whoever signed in first. Without it, each
    request gets its own context, as in production.
    """
