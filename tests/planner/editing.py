"""What the tests of edits never lost share: the tiny world, two managers, forms as sent."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from planner.domain.vocabulary import Role, UserRole
from planner.extensions import db
from planner.models import Absence, AuditEvent, Case, StaffMember
from tests.conftest import AppFactory, add_user, sign_in
from tests.planner.pages import cells, text_of
from tests.planner.world import MONDAY, World


def world_app(app_factory: AppFactory, **settings: Any) -> Flask:
    """The tiny world: a case with its needs, a person with an absence; two managers."""
    app = app_factory("edits", TODAY=MONDAY.isoformat(), **settings)
    with app.app_context():
        world = World(db.session)
        world.case()
        person = world.person(Role.PROBATION)
        world.away(person, date(2026, 12, 14), date(2026, 12, 18))
        db.session.commit()
    for name in ("manager.one", "manager.two"):
        add_user(app, name, UserRole.MANAGER)
    return app


def signed_in(app: Flask, username: str) -> FlaskClient:
    """A client of its own (a browser of its own), signed in."""
    client = app.test_client()
    sign_in(client, username)
    return client


def ids(app: Flask) -> dict[str, int]:
    """The ids of the world's case, its COM need, the person and their absence."""
    with app.app_context():
        case = db.session.scalars(select(Case)).one()
        return {
            "case": case.id,
            "need": next(need.id for need in case.needs if need.key == "com"),
            "person": db.session.scalars(select(StaffMember)).one().id,
            "absence": db.session.scalars(select(Absence)).one().id,
        }


def case_answers(app: Flask, **changes: Any) -> dict[str, Any]:
    """The world's case as its form opened, with some answers changed."""
    with app.app_context():
        case = db.session.scalars(select(Case)).one()
        answers: dict[str, Any] = {
            "reference": case.reference, "name": case.name, "cohort": "TACT",
            "rosh": "high", "tier": "B2", "mappa_category": "4",
            "mappa_level": "2", "setting": "community", "site": str(case.site_id),
            "sentence_type": "determinate", "sentence_date": ["6", "1", "2020"],
            "release_date": ["8", "1", "2024"], "released_on": ["8", "1", "2024"],
        }  # fmt: skip
    answers.update(changes)
    return answers


def person_answers(app: Flask, **changes: Any) -> dict[str, Any]:
    """The world's person as their form opened, with some answers changed."""
    with app.app_context():
        person = db.session.scalars(select(StaffMember)).one()
        answers: dict[str, Any] = {
            "staff_ref": person.staff_ref, "name": person.name, "role": "probation",
            "grade": "PO", "site_id": str(person.site_id), "contracted_hours": "37",
            "other_work_hours": "0", "vetting": "SC", "vetting_expiry": ["1", "1", "2030"],
            "skills": ["ct_trained"], "languages": "", "max_cases": "", "active": "y",
        }  # fmt: skip
    answers.update(changes)
    return answers


def need_answers(**changes: Any) -> dict[str, Any]:
    """A COM need as a manager sets it, with some answers changed."""
    answers: dict[str, Any] = {
        "role": "probation", "min_grade": "PO", "hours": "3", "vetting": "SC",
        "skills": ["ct_trained"], "same_site": "no", "reason": "Extra contact on licence",
    }  # fmt: skip
    answers.update(changes)
    return answers


def absence_answers(**changes: Any) -> dict[str, Any]:
    """The world's week of leave as its form sends it, with some answers changed."""
    answers: dict[str, Any] = {
        "kind": "annual_leave", "start_date": ["14", "12", "2026"],
        "end_date": ["18", "12", "2026"], "extent": "whole", "note": "",
    }  # fmt: skip
    answers.update(changes)
    return answers


def last_change(app: Flask, entity: str, entity_id: int) -> AuditEvent:
    """The latest change to a record in the audit log."""
    with app.app_context():
        line = db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.entity == entity, AuditEvent.entity_id == str(entity_id))
            .where(AuditEvent.action == "update")
            .order_by(AuditEvent.id.desc())
        ).first()
        assert line is not None
        db.session.expunge(line)
        return line


def changes_table(page: str) -> dict[str, list[str]]:
    """The conflict's table: each question to what is saved now and what the manager sent."""
    table = page.split('id="changes"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr[ >].*?</tr>", table.split("<tbody", 1)[1], re.S)
    found = {}
    for row in rows:
        question = text_of(re.search(r"<th[^>]*>(.*?)</th>", row, re.S)[1])
        found[question] = cells(row)
    return found


def version_in(page: str) -> str:
    """The version the page's form carries."""
    return re.search(r'<input[^>]*name="version"[^>]*value="(\d+)"', page)[1]
