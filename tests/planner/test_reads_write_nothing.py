"""Opening a page never changes data: every GET route, counted statement by statement."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient
from sqlalchemy import event, select

from planner.domain.vocabulary import NeedSource, UserRole
from planner.domain.weeks import IsoWeek
from planner.extensions import db
from planner.jobs.queue import perform
from planner.models import (
    Absence,
    Alert,
    Allocation,
    Case,
    Exclusion,
    Need,
    ProposedAssignment,
    Region,
    Site,
    StaffingAsk,
    StaffMember,
    User,
    WhatIf,
)
from planner.plans.batch import run_week
from planner.plans.lookahead import look_ahead_here
from planner.plans.staffing import ask_for_staff
from planner.plans.whatif import Change, ask_what_if
from tests.conftest import AppFactory, load_demo, sign_in

TODAY = "2026-11-30"
WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")
# The query string a page needs to show anything.
QUERIES = {"plans.compare": {"first": 1, "second": 1}}


@pytest.fixture
def app(app_factory: AppFactory) -> Flask:
    """The small demo data with one of everything a page can show: a run, a what-if, an ask."""
    app = app_factory("reads", TODAY=TODAY)
    load_demo(app, seed=8, start=TODAY)
    with app.app_context():
        run = run_week(db.session, IsoWeek.parse("2026-W49"), "highs", 10, None, "test")
        person = db.session.scalars(select(StaffMember.staff_ref)).first()
        asked, _ = ask_what_if(db.session, run, Change("sick", staff_ref=person), None, "test")
        perform(WhatIf.job_kind, asked.id, apart=False)
        ask, _ = ask_for_staff(db.session, run, None, "test")
        perform(StaffingAsk.job_kind, ask.id, apart=False)
        look_ahead_here(db.session, IsoWeek.parse("2026-W49"), 2, "highs", 3, "test")
        # A need a manager set, so that the page giving it back to the rules opens.
        case_of(app).needs[0].source = NeedSource.MANAGER
        db.session.commit()
    return app


def case_of(app: Flask) -> Case:
    """A case with an exclusion and a holder, so that every page about a case has one."""
    return db.session.scalars(
        select(Case)
        .join(Exclusion)
        .join(Need, Need.case_id == Case.id)
        .join(Allocation, Allocation.need_id == Need.id)
        .order_by(Case.id)
    ).first()


def first_id(model: Any) -> int:
    """The id of some row of a model."""
    return db.session.scalars(select(model.id).order_by(model.id)).first()


def arguments(app: Flask) -> dict[str, Any]:
    """A value for every kind of part a route's address has."""
    with app.app_context():
        absence = db.session.scalars(select(Absence)).first()
        case = case_of(app)
        need = case.needs[0]
        allocation = next(a for n in case.needs for a in n.allocations)
        exclusion = case.exclusions[0]
        return {
            "run_id": 1,
            "case_id": case.id,
            "need_id": need.id,
            "staff_id": absence.staff_member_id,
            "absence_id": absence.id,
            "allocation_id": allocation.id,
            "exclusion_id": exclusion.id,
            "proposal_id": first_id(ProposedAssignment),
            "alert_id": first_id(Alert),
            "user_id": first_id(User),
            "region_id": first_id(Region),
            "site_id": first_id(Site),
            "what_if_id": first_id(WhatIf),
            "kind": "plan-run",
            "job_id": 1,
            "slug": "risk-weights",
            "filename": "planner.css",
        }


@pytest.fixture
def writes(app: Flask) -> Iterator[list[str]]:
    """Every statement that would change the database, as it is sent."""
    seen: list[str] = []

    def record(_connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
        """Keep a statement that writes."""
        if statement.lstrip().upper().startswith(WRITES):
            seen.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


def test_no_get_route_writes_to_the_database(
    app: Flask, client: FlaskClient, users: dict[UserRole, str], writes: list[str]
) -> None:
    values = arguments(app)
    sign_in(client, users[UserRole.ADMIN])
    writes.clear()
    checked = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        missing = rule.arguments - set(values)
        assert not missing, f"{rule.rule}: give this test a value for {sorted(missing)}"
        with app.test_request_context():
            parts = {name: values[name] for name in rule.arguments}
            address = url_for(rule.endpoint, **parts, **QUERIES.get(rule.endpoint, {}))
        with client.get(address) as response:
            assert response.status_code in (200, 302), f"{address}: {response.status_code}"
        assert writes == [], f"GET {address} wrote: {writes}"
        checked.append(rule.endpoint)
    # Every area's pages were opened, not a few.
    assert {"plans.show", "plans.what_if_answer", "plans.staffing", "plans.job_status",
            "cases.show", "staff.show", "alerts.index", "dashboard.index",
            "admin.index"} <= set(checked)  # fmt: skip
