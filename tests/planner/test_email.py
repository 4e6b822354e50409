"""Email through a real SMTP server on loopback: who gets what, references only, retries, off."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import select

from planner.domain.vocabulary import (
    Cohort,
    JobStatus,
    OverrideReason,
    Role,
    Rosh,
    Setting,
    UserRole,
)
from planner.domain.weeks import IsoWeek
from planner.extensions import db
from planner.jobs.queue import enqueue
from planner.models import AuditEvent, Notification, PlanRun, ProposedAssignment, User
from planner.models.auditing import set_actor
from planner.notifications.messages import HANDLING, Message
from planner.notifications.outbox import NotSentYet, deliver, queue_email, send_later
from planner.notifications.triggers import emails_when_due, handover_emails, weekly_digest
from planner.plans.batch import queue_run, run_week
from planner.plans.overrides import override
from tests.conftest import AppFactory, NewDatabase, add_user, sign_in
from tests.planner.world import MONDAY, World
from tests.services import JobWorker, MailServer, free_port

WEEK = IsoWeek.containing(MONDAY)


@pytest.fixture
def mail() -> Iterator[MailServer]:
    """A mail server taking the planner's email."""
    with MailServer() as server:
        yield server


@pytest.fixture
def app_settings(mail: MailServer) -> dict[str, Any]:
    """Mail on, to the server on loopback; today is the tiny world's Monday."""
    return {
        "TODAY": MONDAY.isoformat(),
        "MAIL_ENABLED": True,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": mail.port,
        "MAIL_DEFAULT_SENDER": "planner@probation.test",
        "MAIL_RETRIES": 2,
    }


def text(message: Any) -> str:
    """A message's body as written (SMTP carries its lines ended by CR LF)."""
    return message.get_content().replace("\r\n", "\n")


def bodies(mail: MailServer) -> dict[str, str]:
    """Each message's body, by its one recipient."""
    return {message["To"]: text(message) for message in mail.messages}


def test_each_practitioner_whose_cases_change_gets_one_email_of_references(
    app: Flask, mail: MailServer
) -> None:
    manager_id = add_user(app, "manager.user", UserRole.MANAGER)
    with app.app_context():
        world = World(db.session)
        losing = world.person(name="Lou Losing", email="lou@probation.test")
        gaining = world.person(name="Gail Gaining", email="gail@probation.test", max_cases=5)
        quiet = world.person(name="Quinn Quiet", email="quinn@probation.test", emailed=False)
        moved = world.case(rosh=Rosh.HIGH, name="Moved Casename")
        world.hold(moved, "com", losing)
        db.session.commit()
        run = run_week(db.session, WEEK, "highs", 10, None, "test")
        proposal = db.session.scalar(
            select(ProposedAssignment).where(
                ProposedAssignment.run_id == run.id,
                ProposedAssignment.need_id == moved.needs[0].id,
            )
        )
        set_actor(db.session, "test")
        manager = db.session.get(User, manager_id)
        override(db.session, run, proposal, gaining, [OverrideReason.WORKLOAD], "", False, manager)
        db.session.commit()
        facts = run.id, moved.reference, quiet.id
    with app.test_client() as client:
        sign_in(client, "manager.user")
        client.post(f"/plans/{facts[0]}/approve")
    sent = bodies(mail)
    assert sorted(sent) == ["gail@probation.test", "lou@probation.test"]  # Quinn asked not to be
    assert f"You now hold work on these cases:\n- {facts[1]}" in sent["gail@probation.test"]
    assert f"You no longer hold work on these cases:\n- {facts[1]}" in sent["lou@probation.test"]
    for body in sent.values():
        assert body.startswith(HANDLING) and body.rstrip().endswith(HANDLING)
        assert "From 30 November 2026" in body
        for name in ("Moved Casename", "Lou Losing", "Gail Gaining", "TACT", "Tier"):
            assert name not in body  # references only: no names, no offence details
    subjects = {message["To"]: message["Subject"] for message in mail.messages}
    assert subjects["gail@probation.test"] == (
        "OFFICIAL-SENSITIVE: your cases from 30 November 2026 (1 gained)"
    )
    assert mail.messages[0]["From"] == "planner@probation.test"
    with app.app_context():
        notes = db.session.scalars(select(Notification)).all()
        assert {(n.status, n.attempts) for n in notes} == {("sent", 1)}
        lines = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "email")).all()
        assert len(lines) == 2 and all(
            line.summary.startswith("Sent approval email") for line in lines
        )
        assert all("@" not in line.summary for line in lines)  # the log names no address


def test_nothing_is_sent_or_queued_when_mail_is_off(
    app_factory: AppFactory, mail: MailServer
) -> None:
    app = app_factory("off", TODAY=MONDAY.isoformat(), MAIL_ENABLED=False, MAIL_PORT=mail.port)
    with app.app_context():
        world = World(db.session)
        person = world.person(email="someone@probation.test")
        world.case(rosh=Rosh.HIGH)
        db.session.commit()
        run_week(db.session, WEEK, "highs", 10, None, "test")
        add_user(app, "manager.user", UserRole.MANAGER)
        db.session.get(User, 1).email = "manager@probation.test"
        db.session.commit()
        assert weekly_digest(WEEK) == 0
        assert queue_email(db.session, "k", "test", person.email, Message("s", "b")) is None
    with app.test_client() as client:
        sign_in(client, "manager.user")
        client.post("/plans/1/approve")
    with app.app_context():
        assert db.session.scalars(select(Notification)).all() == []
    assert mail.messages == []


def queued_email(app: Flask, key: str = "test:1") -> int:
    """One email recorded and committed, not yet handed to a worker."""
    with app.app_context():
        world = World(db.session)
        person = world.person(email="pat@probation.test")
        db.session.commit()
        note = queue_email(db.session, key, "test", person.email, Message("Hello", "A body"),
                           staff_member_id=person.id)  # fmt: skip
        db.session.commit()
        return note.id


def test_a_refused_connection_is_tried_again_and_given_up_in_words(
    app_factory: AppFactory,
) -> None:
    closed = free_port()  # nothing listens here
    app = app_factory("refused", MAIL_ENABLED=True, MAIL_SERVER="127.0.0.1", MAIL_PORT=closed,
                      MAIL_RETRIES=2)  # fmt: skip
    first = queued_email(app)
    with app.app_context():
        for attempt in (1, 2):
            with pytest.raises(NotSentYet):
                deliver(first)
            note = db.session.get(Notification, first)
            assert (note.status, note.attempts) == ("queued", attempt)
            assert note.error == "The mail server could not be reached."
        deliver(first)  # the last try: given up, and said so in the log
        note = db.session.get(Notification, first)
        assert (note.status, note.attempts) == ("failed", 3)
        line = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "email"))
        assert line.summary.startswith("Could not send test email to staff member")
    later_server = MailServer(port=closed)  # not listening until it is started below
    with app.app_context():
        note = queue_email(db.session, "test:2", "test", "pat@probation.test",
                           Message("Hello again", "A body"))  # fmt: skip
        db.session.commit()
        second = note.id
        with pytest.raises(NotSentYet):
            deliver(second)
        with later_server:
            deliver(second)
            deliver(second)  # a retry arriving after the success sends nothing more
        assert db.session.get(Notification, second).status == "sent"
    assert [m["Subject"] for m in later_server.messages] == ["Hello again"]


@pytest.mark.own_database
def test_a_worker_tries_again_until_the_mail_server_takes_it(
    app_factory: AppFactory, new_database: NewDatabase, tmp_path: Path
) -> None:
    port = free_port()
    settings = {
        "SQLALCHEMY_DATABASE_URI": new_database("mail"),
        "SECRET_KEY": "test-secret",
        "JOBS_URL": f"sqlite:///{tmp_path / 'jobs.db'}",
        "JOBS_NAME": f"mail-{tmp_path.name}",
        "JOBS_IMMEDIATE": False,
        "WEEKLY_PLAN_AT": "",
        "MAIL_ENABLED": True,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": port,
        "MAIL_RETRIES": 20,
        "MAIL_RETRY_SECONDS": 1,
    }
    app = app_factory("mail", **settings)
    note_id = queued_email(app)
    worker = JobWorker(settings, tmp_path / "worker.log").start()
    try:
        with app.app_context():
            send_later([db.session.get(Notification, note_id)])
        attempts = wait_until(app, note_id, lambda note: note.attempts >= 2)
        assert attempts.status == "queued"  # refused twice: the server is not there yet
        with MailServer(port=port) as server:
            sent = wait_until(app, note_id, lambda note: note.status == "sent")
        assert [m["To"] for m in server.messages] == ["pat@probation.test"]
        assert sent.attempts >= 3
    finally:
        worker.stop()


def wait_until(app: Flask, note_id: int, done: Any) -> Notification:
    """The notification once `done` says so (half a minute at most)."""
    deadline = time.time() + 30
    while time.time() < deadline:
        with app.app_context():
            note = db.session.get(Notification, note_id)
            if done(note):
                db.session.expunge(note)
                return note
        time.sleep(0.2)
    raise AssertionError("the worker did not get that far")


def test_a_failed_run_is_told_to_the_manager_who_started_it(app: Flask, mail: MailServer) -> None:
    add_user(app, "manager.user", UserRole.MANAGER)
    with app.app_context():
        manager = db.session.get(User, 1)
        manager.email = "manager@probation.test"
        db.session.commit()
        run = queue_run(db.session, WEEK, "highs", 10, manager, manager.username)
        run.solver = "none"  # as if the row were damaged: the solve cannot start
        db.session.commit()
        enqueue(run)
        db.session.expire_all()
        run = db.session.get(PlanRun, run.id)
        assert run.status == JobStatus.FAILED
    (message,) = mail.messages
    assert message["To"] == "manager@probation.test"
    assert message["Subject"] == f"OFFICIAL-SENSITIVE: plan run {run.id} for week 2026-W49 failed"
    assert f"Why: {run.message}" in text(message)


def test_the_weekly_digest_lists_each_managers_open_alerts(app: Flask, mail: MailServer) -> None:
    with app.app_context():
        world = World(db.session)
        _, _, wales_office = world.elsewhere("Wales")
        here = world.case(rosh=Rosh.VERY_HIGH, name="Hidden Name")  # nobody to hold it
        there = world.case(rosh=Rosh.HIGH, site=wales_office)
        db.session.commit()
        run_week(db.session, WEEK, "highs", 10, None, "test")
        references = here.reference, there.reference
        london = world.region.id
    add_user(app, "national.manager", UserRole.MANAGER)
    add_user(app, "london.manager", UserRole.MANAGER, regions=[london])
    add_user(app, "no.address", UserRole.MANAGER)
    with app.app_context():
        for user in db.session.scalars(select(User)):
            if user.username != "no.address":
                user.email = f"{user.username}@probation.test"
        db.session.commit()
        assert weekly_digest(WEEK) == 2
        assert weekly_digest(WEEK) == 0  # once a week, however often it is asked
    sent = bodies(mail)
    assert sorted(sent) == ["london.manager@probation.test", "national.manager@probation.test"]
    assert references[0] in sent["london.manager@probation.test"]
    assert references[1] not in sent["london.manager@probation.test"]
    assert references[1] in sent["national.manager@probation.test"]
    assert "Critical: Need uncovered, " + references[0] in sent["london.manager@probation.test"]
    assert "Hidden Name" not in "".join(sent.values())


def test_handovers_are_emailed_to_the_pom_and_com_eight_weeks_ahead_and_on_the_day(
    app: Flask, mail: MailServer
) -> None:
    with app.app_context():
        world = World(db.session)
        pom = world.person(Role.PRISON, email="pom@probation.test")
        com = world.person(email="com@probation.test")
        # Terrorist risk, determinate, no parole date: the COM is responsible 8 months and 14
        # days before release, so these hand over today and in 8 weeks (25 January 2027); the
        # third, a week later, is not due an email yet.
        facts = {"setting": Setting.CUSTODY, "cohort": Cohort.TERRORIST_RISK, "mappa_level": 1}
        today = world.case(release_date=date(2027, 8, 14), **facts)
        ahead = world.case(release_date=date(2027, 10, 8), **facts)
        later = world.case(release_date=date(2027, 10, 15), **facts)
        for case in (today, ahead, later):
            for key, person in (("pom", pom), ("com", com)):
                if any(need.key == key for need in case.needs):
                    world.hold(case, key, person)
        db.session.commit()
        references = today.reference, ahead.reference, later.reference
        assert handover_emails(MONDAY) == 4  # each the POM's and the COM's
        assert handover_emails(MONDAY) == 0
    subjects = sorted((m["To"], m["Subject"]) for m in mail.messages)
    assert subjects == [
        ("com@probation.test", f"OFFICIAL-SENSITIVE: handover of {references[0]} today"),
        (
            "com@probation.test",
            f"OFFICIAL-SENSITIVE: handover of {references[1]} on 25 January 2027",
        ),
        ("pom@probation.test", f"OFFICIAL-SENSITIVE: handover of {references[0]} today"),
        (
            "pom@probation.test",
            f"OFFICIAL-SENSITIVE: handover of {references[1]} on 25 January 2027",
        ),
    ]
    assert all(references[2] not in text(m) for m in mail.messages)


def test_the_schedule_sends_the_digest_on_its_day_and_handovers_daily(
    app: Flask, mail: MailServer
) -> None:
    uk = ZoneInfo("Europe/London")
    add_user(app, "manager.user", UserRole.MANAGER)
    with app.app_context():
        db.session.get(User, 1).email = "manager@probation.test"
        db.session.commit()
        emails_when_due(datetime(2026, 11, 30, 6, 59, tzinfo=uk))  # a minute early
        assert mail.messages == []
        emails_when_due(datetime(2026, 11, 30, 7, 0, tzinfo=uk))  # Monday 07:00
        assert [m["To"] for m in mail.messages] == ["manager@probation.test"]
        emails_when_due(datetime(2026, 12, 1, 7, 0, tzinfo=uk))  # Tuesday: no digest
        assert len(mail.messages) == 1
