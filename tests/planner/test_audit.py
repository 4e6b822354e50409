"""The audit log: every change recorded with who, when, what, before and after; never edited."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select

from planner.domain.policy import DEFAULT_POLICY
from planner.domain.vocabulary import (
    Cohort,
    Grade,
    NeedSource,
    Role,
    Rosh,
    SentenceType,
    Setting,
    SiteKind,
    UserRole,
    Vetting,
)
from planner.extensions import db
from planner.models import AuditEvent, Case, Need, Region, Site, StaffMember, User
from planner.models.auditing import AuditLogIsAppendOnly, set_actor
from planner.models.policy import save_policy


def events(entity: str | None = None) -> list[AuditEvent]:
    """The audit lines, oldest first."""
    query = select(AuditEvent).order_by(AuditEvent.id)
    if entity:
        query = query.where(AuditEvent.entity == entity)
    return list(db.session.scalars(query))


def a_case() -> Case:
    """A community case at a new PDU."""
    site = Site(code="PDU-TEST", name="Test PDU", kind=SiteKind.PDU, region=Region(name="Test"))
    return Case(
        reference="CT-T-0001", name="Fern Sampleton", cohort=Cohort.TACT, rosh=Rosh.HIGH,
        tier="A1", setting=Setting.COMMUNITY, sentence_type=SentenceType.COMMUNITY_ORDER,
        site=site,
    )  # fmt: skip


def test_creating_records_the_new_values_and_the_actor(app: Flask) -> None:
    with app.app_context():
        set_actor(db.session, "tester")
        db.session.add(a_case())
        db.session.commit()
        (line,) = events("case")
        assert line.action == "create"
        assert line.actor == "tester"
        assert line.before is None
        assert line.after["reference"] == "CT-T-0001"
        assert line.after["rosh"] == "high"
        assert line.case_id == line.after["id"]
        assert line.summary == "Created case CT-T-0001"


def test_changing_records_only_what_changed_before_and_after(app: Flask) -> None:
    with app.app_context():
        db.session.add(a_case())
        db.session.commit()
        case = db.session.scalar(select(Case))
        case.rosh = Rosh.VERY_HIGH
        db.session.commit()
        line = events("case")[-1]
        assert line.action == "update"
        assert line.before == {"rosh": "high"}
        assert line.after == {"rosh": "very_high"}
        assert line.summary == "Changed case CT-T-0001: rosh"


def test_a_needs_changes_belong_to_its_cases_history(app: Flask) -> None:
    with app.app_context():
        case = a_case()
        case.needs.append(
            Need(key="com", position=0, role=Role.PROBATION, min_grade=Grade.PO, hours=3.0,
                 vetting=Vetting.SC, skills=["ct_trained"], same_site=False,
                 source=NeedSource.RULES, rule="test")
        )  # fmt: skip
        db.session.add(case)
        db.session.commit()
        history = db.session.scalars(
            select(AuditEvent.entity).where(AuditEvent.case_id == case.id)
        ).all()
        assert sorted(history) == ["case", "need"]


def test_deleting_records_the_values_that_were_lost(app: Flask) -> None:
    with app.app_context():
        db.session.add(a_case())
        db.session.commit()
        db.session.delete(db.session.scalar(select(Case)))
        db.session.commit()
        line = events("case")[-1]
        assert line.action == "delete"
        assert line.before["name"] == "Fern Sampleton"
        assert line.after is None


def test_passwords_never_reach_the_log(app: Flask) -> None:
    with app.app_context():
        user = User(username="someone", role=UserRole.VIEWER)
        user.set_password("a long secret password")
        db.session.add(user)
        db.session.commit()
        first_hash = user.password_hash
        user.set_password("another long secret")
        db.session.commit()
        create, update = events("user")
        assert (create.action, create.after["password_hash"]) == ("create", "(changed)")
        hidden = {"password_hash": "(changed)"}
        assert (update.action, update.before, update.after) == ("update", hidden, hidden)
        for line in (create, update):
            logged = f"{line.before} {line.after}"
            assert first_hash not in logged and user.password_hash not in logged


def test_a_signed_in_user_is_the_actor_of_their_changes(
    app: Flask, users: dict[UserRole, str]
) -> None:
    from flask_login import login_user

    with app.test_request_context():
        manager = db.session.scalar(select(User).where(User.username == users[UserRole.MANAGER]))
        login_user(manager)
        save_policy(db.session, DEFAULT_POLICY.__class__(ct_multiplier=2.0), actor="ignored")
        db.session.commit()
        line = db.session.scalar(select(AuditEvent).where(AuditEvent.entity_id == "ct_multiplier"))
        assert line.actor == users[UserRole.MANAGER]
        assert line.user_id == manager.id
        assert line.after["value"] == 2.0


def test_the_log_cannot_be_changed(app: Flask) -> None:
    with app.app_context():
        db.session.add(a_case())
        db.session.commit()
        line = events()[0]
        line.actor = "someone else"
        with pytest.raises(AuditLogIsAppendOnly):
            db.session.commit()
        db.session.rollback()


def test_the_log_cannot_be_deleted(app: Flask) -> None:
    with app.app_context():
        db.session.add(a_case())
        db.session.commit()
        kept = [line.id for line in events()]
        db.session.delete(events()[0])
        with pytest.raises(AuditLogIsAppendOnly):
            db.session.commit()
        db.session.rollback()
        assert [line.id for line in events()] == kept


def test_staff_changes_belong_to_the_persons_history(app: Flask) -> None:
    with app.app_context():
        site = Site(code="HMP-TEST", name="HMP Test", kind=SiteKind.PRISON, region=Region(name="R"))
        person = StaffMember(
            staff_ref="S-T-001", name="Wren Mockridge", role=Role.PRISON, grade=Grade.PO,
            site=site, contracted_hours=37.0, vetting=Vetting.SC, skills=["ct_trained"],
        )  # fmt: skip
        db.session.add(person)
        db.session.commit()
        person.contracted_hours = 30.0
        db.session.commit()
        lines = db.session.scalars(
            select(AuditEvent).where(AuditEvent.staff_member_id == person.id)
        ).all()
        assert [line.action for line in lines] == ["create", "update"]
        assert lines[1].before == {"contracted_hours": 37.0}
