"""Opening a page never changes data: every GET route, counted statement by statement. The one
write allowed is the audit line that says who opened a case or a person."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient
from sqlalchemy import event, insert, select, update

from planner.domain.vocabulary import NeedSource, UserRole
from planner.domain.weeks import IsoWeek
from planner.extensions import db
from planner.jobs.queue import perform
from planner.models import (
    Absence,
    Alert,
    Allocation,
    AuditEvent,
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
from tests.planner.imports import pending_for

TODAY = "2026-11-30"
WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")
AUDIT_INSERT = re.compile(r"^INSERT INTO audit_event \(([^)]*)\)", re.IGNORECASE)
# The pages whose opening is audited, and what the line calls the record.
EXPORTS = ("alerts", "allocation", "changes", "look_ahead", "plan", "staff", "staffing_ask",
           "unchanged", "uncovered", "workloads")  # fmt: skip
VIEWED = {
    "cases.show": "case",
    "staff.show": "staff member",
    **{f"exports.{kind}": "export" for kind in EXPORTS},
    "imports.records": "export",
}
# The query string a page needs to show anything.
QUERIES: dict[str, dict[str, Any]] = {
    "plans.compare": {"first": 1, "second": 1},
    "staff.compare_people": {"person": [1, 2]},
    **{f"exports.{kind}": {"format": "csv", "run": 1} for kind in EXPORTS},
    "search.results": {"q": "a"},
    "search.suggestions": {"q": "a"},
}


def demo_with_everything(app_factory: AppFactory, name: str) -> Flask:
    """The small demo data with one of everything a page can show: a run, a what-if, an ask."""
    app = app_factory(name, TODAY=TODAY)
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


@pytest.fixture
def app(app_factory: AppFactory) -> Flask:
    """The small demo data with one of everything a page can show."""
    return demo_with_everything(app_factory, "reads")


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
            "pending_id": pending_for(app, "admin.user"),
            "record_kind": "staff",
            "file_format": "csv",
        }


def view_line(statement: str, parameters: Any) -> tuple[str, str] | None:
    """The entity and action of an audit line the statement inserts, if it inserts one row."""
    columns = AUDIT_INSERT.match(statement.strip())
    if columns is None or not isinstance(parameters, tuple | list | dict):
        return None
    names = [name.strip() for name in columns.group(1).split(",")]
    values = (
        parameters if isinstance(parameters, dict) else dict(zip(names, parameters, strict=False))
    )
    return values.get("entity"), values.get("action")


@pytest.fixture
def writes(app: Flask) -> Iterator[list[Any]]:
    """Every statement that would change the database, as it is sent; a view's audit line as
    the (entity, "view") it records."""
    seen: list[Any] = []

    def record(_connection: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        """Keep a statement that writes."""
        if statement.lstrip().upper().startswith(WRITES):
            line = view_line(statement, parameters)
            seen.append(line if line and line[1] == "view" else statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


def test_no_get_route_writes_to_the_database(
    app: Flask, client: FlaskClient, users: dict[UserRole, str], writes: list[Any]
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
        # Exactly the one line saying who opened it, where opening is audited; else nothing.
        viewed = [(VIEWED[rule.endpoint], "view")] if rule.endpoint in VIEWED else []
        assert writes == viewed, f"GET {address} wrote: {writes}"
        writes.clear()
        checked.append(rule.endpoint)
    # Every area's pages were opened, not a few.
    assert {"plans.show", "plans.what_if_answer", "plans.staffing", "plans.job_status",
            "cases.show", "staff.show", "alerts.index", "dashboard.index",
            "admin.index"} <= set(checked)  # fmt: skip


def test_only_a_view_line_is_let_through_as_a_view(
    app: Flask, client: FlaskClient, users: dict[UserRole, str], writes: list[Any]
) -> None:
    values = arguments(app)
    sign_in(client, users[UserRole.ADMIN])
    writes.clear()
    with app.app_context():
        # Any other line of the audit log, or any other write, is counted as it is sent.
        db.session.execute(
            insert(AuditEvent).values(actor="t", action="update", entity="case", entity_id="1",
                                      summary="Changed case")
        )  # fmt: skip
        db.session.execute(update(Case).where(Case.id == values["case_id"]).values(name="Changed"))
        db.session.commit()
    assert [str(write).split()[:3] for write in writes] == [
        ["INSERT", "INTO", "audit_event"],
        ["UPDATE", "case_record", "SET"],
    ]
    writes.clear()
    with client.get(f"/cases/{values['case_id']}") as response:
        assert response.status_code == 200
    assert writes == [("case", "view")]
