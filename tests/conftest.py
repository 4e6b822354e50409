"""Fixtures shared by every test: an app on a fresh database, users, and sign-in."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from hypothesis import settings
from sqlalchemy import func, select

from planner import create_app
from planner.domain.vocabulary import UserRole
from planner.extensions import db
from planner.models import RegionAccess, User
from planner.models.auditing import set_actor
from tests.databases import Databases, PostgresDatabases, SQLiteDatabases, wanted_kind

PASSWORD = "correct horse battery staple"

# Hypothesis's profiles: "ci" (the default) keeps each property test quick and prints how to
# replay a failure; "thorough" (HYPOTHESIS_PROFILE=thorough) tries far more examples. Tests that
# ask for a number of examples take at least the profile's.
settings.register_profile("ci", deadline=None, print_blob=True)
settings.register_profile("thorough", settings.get_profile("ci"), max_examples=2000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def make_app(database: str, **overrides: Any) -> Flask:
    """An app in testing mode on its own database (a URL from `databases`), its schema made."""
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database,
        "WTF_CSRF_ENABLED": False,
        # Salted like scrypt, but quick: tests sign people in hundreds of times.
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        # Each job runs at once, in the request that queues it; tests/planner/test_jobs.py
        # runs real workers on the SQLite and Redis stores.
        "JOBS_URL": "memory://",
        "JOBS_IMMEDIATE": True,
        "WEEKLY_PLAN_AT": "",
        **overrides,
    }
    app = create_app(config)
    # A copy of the PostgreSQL template holds the tables already (create_all checks first); a
    # database a test made itself, or a SQLite file, gets them here.
    with app.app_context():
        db.create_all()
    return app


AppFactory = Callable[..., Flask]
NewDatabase = Callable[[str], str]


@pytest.fixture(scope="session")
def databases(request: pytest.FixtureRequest) -> Iterator[Databases]:
    """What every app's database is made on: SQLite files, or PostgreSQL (PLANNER_TEST_DATABASE)."""
    made: Databases = (
        PostgresDatabases(request.getfixturevalue("postgres_url"))
        if wanted_kind() == "postgresql"
        else SQLiteDatabases()
    )
    yield made
    made.close()


@pytest.fixture
def new_database(databases: Databases, tmp_path: Path) -> Iterator[NewDatabase]:
    """Makes empty databases by name for the test (URLs), and drops them after it."""
    made: list[str] = []

    def make(name: str) -> str:
        made.append(databases.create(tmp_path / f"{name}.db"))
        return made[-1]

    yield make
    for url in made:
        databases.drop(url)


@pytest.fixture
def app_factory(new_database: NewDatabase) -> Iterator[AppFactory]:
    """Makes apps by make_app, each on a new database unless told one (SQLALCHEMY_DATABASE_URI);
    closes their connections after the test."""
    apps: list[Flask] = []

    def make(name: str, **overrides: Any) -> Flask:
        database = overrides.pop("SQLALCHEMY_DATABASE_URI", None) or new_database(name)
        app = make_app(database, **overrides)
        apps.append(app)
        return app

    yield make
    for app in apps:
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def app_settings() -> dict[str, Any]:
    """Settings the `app` fixture adds to make_app's: a module overrides this to fix TODAY."""
    return {}


@pytest.fixture
def app(app_factory: AppFactory, app_settings: dict[str, Any]) -> Flask:
    """The planner on an empty database."""
    return app_factory("planner", **app_settings)


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    """Runs the app's `flask` commands."""
    return app.test_cli_runner()


def load_demo(
    app: Flask, seed: int | None = None, scale: str = "small", start: str | None = None
) -> None:
    """Load the demo data by its command (its default seed and today unless told)."""
    arguments = ["demo-data", "--scale", scale]
    if seed is not None:
        arguments += ["--seed", str(seed)]
    if start is not None:
        arguments += ["--start", start]
    result = app.test_cli_runner().invoke(args=arguments)
    assert result.exit_code == 0, result.output


def count(app: Flask, model: Any) -> int:
    """How many rows a table holds."""
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def add_user(
    app: Flask,
    username: str,
    role: UserRole,
    active: bool = True,
    regions: Iterable[int] | None = None,
) -> int:
    """Store a user with the shared test password: national, unless given regions' ids."""
    with app.app_context():
        set_actor(db.session, "test")
        user = User(username=username, role=role, active=active, national=regions is None)
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.flush()
        db.session.add_all(RegionAccess(user_id=user.id, region_id=r) for r in regions or ())
        db.session.commit()
        return user.id


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
def admin(client: FlaskClient, users: dict[UserRole, str]) -> FlaskClient:
    """A client signed in as an admin."""
    sign_in(client, users[UserRole.ADMIN])
    return client


@pytest.fixture
def manager(client: FlaskClient, users: dict[UserRole, str]) -> FlaskClient:
    """A client signed in as a manager."""
    sign_in(client, users[UserRole.MANAGER])
    return client


@pytest.fixture
def viewer(client: FlaskClient, users: dict[UserRole, str]) -> FlaskClient:
    """A client signed in as a viewer."""
    sign_in(client, users[UserRole.VIEWER])
    return client


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A throwaway PostgreSQL server on a Unix socket, one for the whole run: the tests that need
    the real thing use its own database, and the PostgreSQL pass makes every app's there."""
    from tests.postgres import TemporaryPostgres

    with TemporaryPostgres() as server:
        yield server.url


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A throwaway Redis server on loopback, for the job queue's network store."""
    from tests.services import TemporaryRedis

    with TemporaryRedis() as server:
        yield server.url


def pytest_report_header(config: pytest.Config) -> str:
    """Say which database the apps are on."""
    return f"database: {wanted_kind()} (PLANNER_TEST_DATABASE)"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On the PostgreSQL pass, leave the tests that pick their own databases to the SQLite pass:
    they are reported as deselected, never skipped, and run once in every `make test`."""
    if wanted_kind() != "postgresql":
        return
    own = [item for item in items if item.get_closest_marker("own_database")]
    if own:
        config.hook.pytest_deselected(items=own)
        items[:] = [item for item in items if not item.get_closest_marker("own_database")]


@pytest.fixture(autouse=True)
def _push_request_context() -> None:
    """Push no request context for the whole test (pytest-flask does by default).

    A context held for the whole test shares `g`, and with it the signed-in user, between every
    request of the test; each request then acts as whoever signed in first. Without it, each
    request gets its own context, as in production.
    """
