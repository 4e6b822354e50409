"""Logs and failures: no names in the log, and a database that cannot save still shows pages."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, select, text

from planner.domain.vocabulary import UserRole
from planner.extensions import db
from planner.models import AuditEvent, Case, Site, StaffMember
from tests.conftest import AppFactory, add_user, sign_in
from tests.planner.pages import opened_version
from tests.planner.world import MONDAY, World

# Its tests pick their databases (SQLite and PostgreSQL in turn), so the PostgreSQL pass leaves it
# to the SQLite pass.
pytestmark = pytest.mark.own_database

NAME = "Heron Specimen"
REFUSED = "Saving is not possible at the moment"


@pytest.fixture
def database(tmp_path: Path, app_factory: AppFactory) -> Path:
    """A database file with the tiny world and a manager in it (its app closed after the test)."""
    app = app_factory("faults", TODAY=MONDAY.isoformat())
    with app.app_context():
        world = World(db.session)
        world.case(name=NAME)
        world.person()
        db.session.commit()
    add_user(app, "manager.user", UserRole.MANAGER)
    return tmp_path / "faults.db"


def app_on(app_factory: AppFactory, name: str, uri: str, **settings: Any) -> Flask:
    """Another app (another server) on the database at `uri`."""
    return app_factory(name, TODAY=MONDAY.isoformat(), SQLALCHEMY_DATABASE_URI=uri, **settings)


def signed_in_to(app: Flask, signed_in_elsewhere: FlaskClient) -> FlaskClient:
    """A client of `app` carrying the session cookie of a client signed in to another server."""
    client = app.test_client()
    cookie = signed_in_elsewhere.get_cookie("session")
    assert cookie is not None
    client.set_cookie("session", cookie.value)
    return client


def case_answers(app: Flask, **changes: Any) -> dict[str, Any]:
    """The tiny world's case as its form sends it, with some answers changed."""
    with app.app_context():
        case = db.session.scalars(select(Case)).one()
        answers: dict[str, Any] = {
            "reference": case.reference, "name": case.name, "cohort": "TACT", "rosh": "high",
            "tier": "B2", "mappa_category": "4", "mappa_level": "2", "setting": "community",
            "site": str(case.site_id), "sentence_type": "determinate",
            "sentence_date": ["6", "1", "2020"], "release_date": ["8", "1", "2024"],
            "released_on": ["8", "1", "2024"],
        }  # fmt: skip
    answers.update(changes)
    return answers


def ids(app: Flask) -> tuple[int, int]:
    """The case's id and the person's."""
    with app.app_context():
        return (
            db.session.scalars(select(Case.id)).one(),
            db.session.scalars(select(StaffMember.id)).one(),
        )


def assert_reads_work_and_saves_are_refused(
    app: Flask, client: FlaskClient, stored: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    """The lists and pages answer; a save answers 503 in words and changes nothing."""
    case_id, staff_id = ids(app)
    version = opened_version(client, f"/cases/{case_id}/edit")
    views_before = view_lines(stored)
    with caplog.at_level(logging.WARNING):
        for page in ("/cases/", f"/cases/{case_id}", "/staff/", f"/staff/{staff_id}", "/"):
            assert client.get(page).status_code == 200, page
        refused = client.post(
            f"/cases/{case_id}/edit", data=case_answers(app, rosh="very_high", version=version)
        )
    page = refused.get_data(as_text=True)
    assert refused.status_code == 503
    assert refused.headers["Retry-After"] == "60"
    assert f'<h1 class="govuk-heading-l">{REFUSED}</h1>' in page
    assert "Your change was not saved." in page
    with stored.app_context():
        assert db.session.get(Case, case_id).rosh.value == "high"
    assert view_lines(stored) == views_before
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert "The opening of a case was not audited" in " ".join(warnings)
    assert "A change was not saved" in " ".join(warnings)
    assert NAME not in caplog.text and "CT-T-" not in caplog.text


def view_lines(app: Flask) -> int:
    """How many views the audit log holds."""
    with app.app_context():
        return len(
            db.session.scalars(select(AuditEvent.id).where(AuditEvent.action == "view")).all()
        )


def test_a_read_only_database_serves_pages_and_refuses_saves(
    database: Path, app_factory: AppFactory, caplog: pytest.LogCaptureFixture
) -> None:
    writable = app_on(app_factory, "writable", f"sqlite:///{database}")
    signed_in = writable.test_client()
    sign_in(signed_in, "manager.user")
    read_only = app_on(app_factory, "read-only", f"sqlite:///file:{database}?mode=ro&uri=true")
    client = signed_in_to(read_only, signed_in)
    assert_reads_work_and_saves_are_refused(read_only, client, writable, caplog)
    assert "is read-only" in caplog.text


def test_a_locked_database_serves_pages_and_refuses_saves(
    database: Path, app_factory: AppFactory, caplog: pytest.LogCaptureFixture
) -> None:
    app = app_on(app_factory, "locked", f"sqlite:///{database}", SQLITE_BUSY_TIMEOUT=0.2)
    client = app.test_client()
    sign_in(client, "manager.user")
    holder = sqlite3.connect(database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        assert_reads_work_and_saves_are_refused(app, client, app, caplog)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert "is locked by another writer" in caplog.text
    # Once the lock is gone, the same save goes through.
    case_id, _ = ids(app)
    version = opened_version(client, f"/cases/{case_id}/edit")
    answers = case_answers(app, rosh="very_high", version=version)
    assert client.post(f"/cases/{case_id}/edit", data=answers).status_code == 302


def test_a_failing_statement_is_logged_without_its_values(
    database: Path, app_factory: AppFactory, caplog: pytest.LogCaptureFixture
) -> None:
    app = app_on(app_factory, "failing", f"sqlite:///{database}", SHOW_ERROR_PAGES=True)
    with app.app_context():
        assert db.engine.hide_parameters
        db.session.execute(
            text(
                "CREATE TRIGGER refuse_cases BEFORE INSERT ON case_record "
                "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
            )
        )
        db.session.commit()
        office = db.session.scalars(select(Site.id).where(Site.code == "NSD-TEST")).one()
    client = app.test_client()
    sign_in(client, "manager.user")
    answers = case_answers(app, reference="CT-LDN-9001", name="Amira Quill", site=str(office))
    # Every statement the engine runs is logged too, as a log set to INFO would.
    with caplog.at_level(logging.INFO, logger="sqlalchemy.engine"):
        response = client.post("/cases/new", data=answers)
    assert response.status_code == 500
    failure = next(r for r in caplog.records if r.levelno == logging.ERROR)
    assert failure.exc_info is not None
    logged = caplog.text
    assert "INSERT INTO case_record" in logged and "refused by the test" in logged
    assert "parameters hidden" in logged
    assert "Amira Quill" not in logged and "CT-LDN-9001" not in logged


@pytest.fixture
def postgres_database(postgres_url: str, tmp_path: Path) -> str:
    """A database of its own on the throwaway PostgreSQL server."""
    name = f"faults_{tmp_path.name.lower().replace('-', '_')}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return postgres_url.replace("/postgres?", f"/{name}?")


def connected_with(setting: str) -> dict[str, Any]:
    """Engine options whose every connection starts with a PostgreSQL setting."""
    return {"hide_parameters": True, "connect_args": {"options": f"-c {setting}"}}


@pytest.mark.parametrize(
    ("setting", "why"),
    [("default_transaction_read_only=on", "is read-only"), ("lock_timeout=200", "is locked")],
)
def test_postgresql_refusing_writes_still_serves_pages(
    postgres_database: str,
    app_factory: AppFactory,
    caplog: pytest.LogCaptureFixture,
    setting: str,
    why: str,
) -> None:
    stored = app_on(app_factory, "pg-writable", postgres_database)
    with stored.app_context():
        world = World(db.session)
        world.case(name=NAME)
        world.person()
        db.session.commit()
    add_user(stored, "manager.user", UserRole.MANAGER)
    signed_in = stored.test_client()
    sign_in(signed_in, "manager.user")
    options = connected_with(setting)
    app = app_on(app_factory, "pg-refusing", postgres_database, SQLALCHEMY_ENGINE_OPTIONS=options)
    client = signed_in_to(app, signed_in)
    case_id, _ = ids(app)
    version = opened_version(client, f"/cases/{case_id}/edit")
    # Another session holds the case's row, as a long save would.
    holder = create_engine(postgres_database)
    with holder.connect() as held, caplog.at_level(logging.WARNING):
        held.execute(text("SELECT id FROM case_record FOR UPDATE"))
        for page in ("/cases/", f"/cases/{case_id}"):
            assert client.get(page).status_code == 200, page
        answers = case_answers(app, rosh="very_high", version=version)
        refused = client.post(f"/cases/{case_id}/edit", data=answers)
        held.rollback()
    holder.dispose()
    assert refused.status_code == 503
    assert REFUSED in refused.get_data(as_text=True)
    assert f"A change was not saved: the database {why}" in caplog.text
    assert NAME not in caplog.text
    with stored.app_context():
        assert db.session.get(Case, case_id).rosh.value == "high"
