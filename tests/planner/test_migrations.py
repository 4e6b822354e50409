"""The migrations build the schema the models describe, on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import check, downgrade, upgrade
from sqlalchemy import inspect, select, text

from planner import create_app
from planner.extensions import db
from planner.models import PlanRun

# Each test here names its databases: the SQLite pass of `make test` runs them all.
pytestmark = pytest.mark.own_database

TODAY = "2026-11-30"  # the demo data is built around it, and the plan is for the week after


@pytest.fixture
def migrated_app() -> Iterator[Callable[[str], Flask]]:
    """Makes apps whose database is built only by the migrations; closes their connections."""
    apps: list[Flask] = []

    def make(url: str) -> Flask:
        app = create_app(
            {"TESTING": True, "SECRET_KEY": "test", "SQLALCHEMY_DATABASE_URI": url, "TODAY": TODAY}
        )
        apps.append(app)
        return app

    yield make
    for app in apps:
        with app.app_context():
            db.engine.dispose()


def assert_migrations_match_models(app: Flask) -> None:
    """Upgrade from empty, find nothing for `flask db check` to report, and downgrade cleanly."""
    with app.app_context():
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert set(db.metadata.tables) <= tables
        check()  # raises when the models and the migrations disagree
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()


def test_migrations_match_the_models_on_sqlite(
    tmp_path: Path, migrated_app: Callable[[str], Flask]
) -> None:
    assert_migrations_match_models(migrated_app(f"sqlite:///{tmp_path / 'migrated.db'}"))


def test_migrations_match_the_models_on_postgresql(
    postgres_url: str, migrated_app: Callable[[str], Flask]
) -> None:
    app = migrated_app(postgres_url)
    with app.app_context():
        assert db.session.execute(text("select version()")).scalar().startswith("PostgreSQL")
        downgrade(revision="base")
    assert_migrations_match_models(app)
    with app.app_context():
        downgrade(revision="base")


@pytest.mark.parametrize("url_name", ["sqlite", "postgresql"])
def test_demo_data_loads_and_plans_through_the_migrated_schema(
    url_name: str,
    tmp_path: Path,
    request: pytest.FixtureRequest,
    migrated_app: Callable[[str], Flask],
) -> None:
    url = (
        f"sqlite:///{tmp_path / 'demo.db'}"
        if url_name == "sqlite"
        else request.getfixturevalue("postgres_url")
    )
    app = migrated_app(url)
    with app.app_context():
        upgrade()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo-data", "--scale", "small", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert "60 cases" in result.output
    # The whole weekly batch, with its partial unique index and JSON columns, on this database.
    planned = runner.invoke(args=["plan", "--time-limit", "10", "--approve"])
    assert planned.exit_code == 0, planned.output
    with app.app_context():
        run = db.session.scalars(select(PlanRun)).one()
        assert (run.week, run.approved_at is not None) == ("2026-W50", True)
    listed = runner.invoke(args=["alerts", "--format", "json"])
    assert listed.exit_code == 0
    kinds = {alert["kind"] for alert in json.loads(listed.output)}
    assert "Need uncovered" in kinds  # the demo data is short-staffed
    with app.app_context():
        downgrade(revision="base")


@pytest.mark.parametrize("url_name", ["sqlite", "postgresql"])
def test_runs_made_before_the_job_system_keep_their_meaning(
    url_name: str,
    tmp_path: Path,
    request: pytest.FixtureRequest,
    migrated_app: Callable[[str], Flask],
) -> None:
    url = (
        f"sqlite:///{tmp_path / 'old.db'}"
        if url_name == "sqlite"
        else request.getfixturevalue("postgres_url")
    )
    app = migrated_app(url)
    with app.app_context():
        upgrade(revision="9d9dcd23b198")
        with db.engine.begin() as connection:
            for week, status in (("2026-W49", "optimal"), ("2026-W50", "feasible"),
                                 ("2026-W51", "running"), ("2026-W52", "error")):  # fmt: skip
                connection.execute(
                    text(
                        "INSERT INTO plan_run (week, status, solver, time_limit, started_at, "
                        "started_by_name) VALUES (:week, :status, 'highs', 60, "
                        "'2026-12-01 10:00:00', 'spo')"
                    ),
                    {"week": week, "status": status},
                )
        upgrade()
        rows = db.session.execute(
            text("SELECT week, status, optimal, queued_at IS NOT NULL FROM plan_run ORDER BY week")
        ).all()
        assert [tuple(row) for row in rows] == [
            ("2026-W49", "finished", True, True),
            ("2026-W50", "finished", False, True),
            ("2026-W51", "failed", None, True),
            ("2026-W52", "failed", None, True),
        ]
        db.session.rollback()
        downgrade(revision="base")


@pytest.mark.parametrize("url_name", ["sqlite", "postgresql"])
def test_users_made_before_need_to_know_are_national_and_no_case_is_restricted(
    url_name: str,
    tmp_path: Path,
    request: pytest.FixtureRequest,
    migrated_app: Callable[[str], Flask],
) -> None:
    url = (
        f"sqlite:///{tmp_path / 'users.db'}"
        if url_name == "sqlite"
        else request.getfixturevalue("postgres_url")
    )
    app = migrated_app(url)
    with app.app_context():
        upgrade(revision="e663f920f90d")
        with db.engine.begin() as connection:
            for name, role in (("spo.one", "manager"), ("head.unit", "admin")):
                connection.execute(
                    text(
                        "INSERT INTO app_user (username, password_hash, role, active, created_at, "
                        "session_token, failed_sign_ins) VALUES (:name, 'x', :role, true, "
                        "'2026-12-01 10:00:00', :name, 0)"
                    ),
                    {"name": name, "role": role},
                )
        upgrade()
        rows = db.session.execute(text("SELECT username, national FROM app_user ORDER BY id"))
        # Nobody is locked out of what they saw before: an admin narrows them afterwards.
        assert [(name, bool(national)) for name, national in rows] == [
            ("spo.one", True),
            ("head.unit", True),
        ]
        assert db.session.execute(text("SELECT count(*) FROM region_access")).scalar() == 0
        db.session.rollback()
        downgrade(revision="base")


@pytest.mark.parametrize("url_name", ["sqlite", "postgresql"])
def test_rows_stored_before_versions_start_at_version_1(
    url_name: str,
    tmp_path: Path,
    request: pytest.FixtureRequest,
    migrated_app: Callable[[str], Flask],
) -> None:
    url = (
        f"sqlite:///{tmp_path / 'unversioned.db'}"
        if url_name == "sqlite"
        else request.getfixturevalue("postgres_url")
    )
    app = migrated_app(url)
    with app.app_context():
        upgrade(revision="e663f920f90d")
        with db.engine.begin() as connection:
            for statement in (
                "INSERT INTO region (id, name) VALUES (1, 'London')",
                "INSERT INTO site (id, code, name, kind, region_id) "
                "VALUES (1, 'NSD-TEST', 'NSD Test', 'nsd', 1)",
                "INSERT INTO staff_member (id, staff_ref, name, role, grade, site_id, "
                "contracted_hours, other_work_hours, vetting, skills, active, created_at, "
                "updated_at) VALUES (1, 'S-001', 'Test Person', 'probation', 'PO', 1, 37, 0, "
                "'SC', '[]', true, '2026-12-01 10:00:00', '2026-12-01 10:00:00')",
                "INSERT INTO absence (staff_member_id, kind, start_date, end_date) "
                "VALUES (1, 'training', '2026-12-07', '2026-12-11')",
            ):
                connection.execute(text(statement))
        upgrade()
        versions = db.session.execute(
            text("SELECT version FROM staff_member UNION ALL SELECT version FROM absence")
        ).scalars()
        assert list(versions) == [1, 1]
        db.session.rollback()
        downgrade(revision="base")
