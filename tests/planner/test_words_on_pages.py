"""Words a manager uses everywhere: no page shows an enumeration's raw value ("very_high",
"ct_trained", a bare "high" in a cell) where its label belongs."""

from __future__ import annotations

import html
import re
from enum import StrEnum

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient
from sqlalchemy import select

from planner.domain import vocabulary
from planner.domain.vocabulary import SKILLS, OverrideReason, UserRole, label
from planner.extensions import db
from planner.models import PlanRun, ProposedAssignment, StaffMember, User
from planner.plans.overrides import candidates, override
from tests.conftest import AppFactory, sign_in
from tests.planner.test_reads_write_nothing import QUERIES, arguments, demo_with_everything

ENUMS = [
    value
    for value in vars(vocabulary).values()
    if isinstance(value, type) and issubclass(value, StrEnum) and value is not StrEnum
]
# Raw values with an underscore never belong in text; the others only where a cell, a tag or
# an option holds nothing else, and only those whose label differs from the value.
UNDERSCORED = sorted({m.value for enum in ENUMS for m in enum if "_" in m.value} | set(SKILLS))
BARE = sorted(
    {m.value for enum in ENUMS for m in enum if "_" not in m.value and label(m) != m.value}
)
RAW = re.compile(r"\b(" + "|".join(map(re.escape, UNDERSCORED)) + r")\b")
CELLS = re.compile(r"<(td|th|dd|dt|li|strong|option|caption|h\d|legend)\b[^>]*>(.*?)</\1>", re.S)
# Scripts and styles are not read; code (a file's column names, as typed) is literal on purpose.
INVISIBLE = re.compile(r"<(script|style|code)\b.*?</\1>", re.S)


def visible_text(page: str) -> str:
    """What a person reads: tags, scripts and styles dropped, entities read."""
    return html.unescape(" ".join(re.sub(r"<[^>]+>", " ", INVISIBLE.sub(" ", page)).split()))


def raw_values(page: str) -> list[str]:
    """The raw enumeration values a page shows."""
    found = RAW.findall(visible_text(page))
    for _, inner in CELLS.findall(INVISIBLE.sub(" ", page)):
        text = visible_text(inner)
        if text in BARE:
            found.append(text)
    return found


@pytest.fixture
def app(app_factory: AppFactory) -> Flask:
    """Everything a page can show, with one proposal changed by a manager."""
    app = demo_with_everything(app_factory, "words")
    with app.app_context():
        run = db.session.get(PlanRun, 1)
        manager = User(username="words.manager", role=UserRole.MANAGER)
        manager.set_password("a long enough password for this")
        db.session.add(manager)
        proposal = db.session.scalars(
            select(ProposedAssignment).where(ProposedAssignment.staff_member_id.is_not(None))
        ).first()
        choice = next(c for c in candidates(db.session, run, proposal) if c.eligible)
        override(db.session, run, proposal, choice.staff, [OverrideReason.BETTER_SUITED],
                 "Speaks Urdu", False, manager)  # fmt: skip
        db.session.commit()
    return app


def test_the_checker_finds_raw_values() -> None:
    assert raw_values("<p>Needs a ct_trained PO</p>") == ["ct_trained"]
    assert raw_values('<td class="x">high</td><td>High</td>') == ["high"]
    assert raw_values("<p>supervised in the community</p><td>PO</td>") == []


def test_no_page_shows_a_raw_value(
    app: Flask, client: FlaskClient, users: dict[UserRole, str]
) -> None:
    values = arguments(app)
    sign_in(client, users[UserRole.ADMIN])
    problems: dict[str, list[str]] = {}
    opened = 0
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in ("static", "assets.asset"):
            continue
        with app.test_request_context():
            parts = {name: values[name] for name in rule.arguments}
            address = url_for(rule.endpoint, **parts, **QUERIES.get(rule.endpoint, {}))
        with client.get(address) as response:
            if response.mimetype != "text/html" or response.status_code != 200:
                continue
            opened += 1
            found = raw_values(response.get_data(as_text=True))
        if found:
            problems[address] = sorted(set(found))
    assert opened > 30
    assert problems == {}
    with app.app_context():
        assert db.session.scalar(select(StaffMember.id)) is not None
