"""Each test's app is on the database the run asked for, empty, and apart from every other."""

from __future__ import annotations

from flask import Flask

from planner.domain.vocabulary import UserRole
from planner.extensions import db
from planner.models import User
from tests.conftest import AppFactory, add_user, count
from tests.databases import wanted_kind


def test_the_app_is_on_the_database_the_run_asked_for(app: Flask) -> None:
    with app.app_context():
        assert db.engine.dialect.name == wanted_kind()


def test_each_app_starts_with_the_empty_schema(app: Flask) -> None:
    with app.app_context():
        assert set(db.metadata.tables) <= set(db.inspect(db.engine).get_table_names())
    assert count(app, User) == 0


def test_two_apps_of_one_test_share_nothing(app_factory: AppFactory) -> None:
    first, second = app_factory("first"), app_factory("second")
    add_user(first, "only.here", UserRole.MANAGER)
    assert (count(first, User), count(second, User)) == (1, 0)
