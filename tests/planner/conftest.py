"""Fixtures shared by the planner's tests beyond those every test shares."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from planner.extensions import db
from tests.planner.world import World


@pytest.fixture
def world(app: Flask) -> Iterator[World]:
    """The tiny world, in an app context, for a test to fill."""
    with app.app_context():
        yield World(db.session)
