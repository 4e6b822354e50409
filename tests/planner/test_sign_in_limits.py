"""Guessing is slowed: accounts lock after wrong passwords, addresses after failed sign-ins; every
try is audited; every account, known or not, takes the same work to refuse."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from planner.auth import services as sign_in_service
from planner.config import rate_limit_defaults
from planner.domain.vocabulary import UserRole
from planner.extensions import db
from planner.models import AuditEvent, User
from planner.models import users as user_model
from planner.models.types import utcnow
from tests.conftest import PASSWORD, AppFactory, add_user, sign_in

WRONG = "not the password at all"
REFUSED = "Enter a correct username and password"


def from_address(client: FlaskClient, address: str, username: str, password: str) -> Any:
    """Post the sign-in form from a given address."""
    return client.post(
        "/sign-in",
        data={"username": username, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def stored(app: Flask, username: str) -> User:
    """A user as stored now."""
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        db.session.expunge(user)
        return user


def sign_in_lines(app: Flask) -> list[tuple[str, str, int | None, str, str]]:
    """The audit log's sign-in lines: action, actor, user id, summary and address."""
    with app.app_context():
        lines = db.session.scalars(
            select(AuditEvent).where(AuditEvent.entity == "sign-in").order_by(AuditEvent.id)
        )
        return [
            (line.action, line.actor, line.user_id, line.summary, line.after["address"])
            for line in lines
        ]


def unlock_by_time(app: Flask, username: str) -> None:
    """Let the lock's minutes pass."""
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        user.locked_until = utcnow() - timedelta(seconds=1)
        db.session.commit()


def test_thirty_wrong_passwords_lock_the_account_and_throttle_the_address(
    app: Flask, client: FlaskClient, users: dict[UserRole, str]
) -> None:
    name = users[UserRole.MANAGER]
    statuses = [from_address(client, "192.0.2.1", name, WRONG).status_code for _ in range(30)]
    # Twenty failures from one address within 15 minutes; the rest are refused unread.
    assert statuses == [200] * 20 + [429] * 10
    throttled = from_address(client, "192.0.2.1", name, PASSWORD)
    assert throttled.status_code == 429
    page = throttled.get_data(as_text=True)
    assert "There have been too many attempts to sign in" in page
    assert "Wait 15 minutes, then try again." in page
    # From anywhere else the right password is refused too: the account is locked.
    locked = from_address(client, "198.51.100.7", name, PASSWORD)
    assert locked.status_code == 200
    assert REFUSED in locked.get_data(as_text=True)
    user = stored(app, name)
    assert user.failed_sign_ins == 10
    assert utcnow() + timedelta(minutes=14) < user.locked_until <= utcnow() + timedelta(minutes=15)
    lines = sign_in_lines(app)
    manager_id = user.id
    assert lines[9] == (
        "sign-in refused",
        name,
        manager_id,
        "Sign-in refused: wrong password",
        "192.0.2.1",
    )
    assert lines[10] == (
        "lock-out",
        name,
        manager_id,
        "Locked for 15 minutes after 10 wrong passwords in a row",
        "192.0.2.1",
    )
    assert lines[11][3] == "Sign-in refused: the account is locked after wrong passwords"
    assert lines[-1] == (
        "sign-in refused",
        name,
        manager_id,
        "Sign-in refused: the account is locked after wrong passwords",
        "198.51.100.7",
    )
    assert [line[0] for line in lines].count("lock-out") == 1
    assert len(lines) == 20 + 1 + 1  # the throttled tries were never read


def test_the_lock_ends_after_its_minutes_and_the_right_password_starts_afresh(
    app: Flask, client: FlaskClient, users: dict[UserRole, str]
) -> None:
    name = users[UserRole.MANAGER]
    for _ in range(10):
        sign_in(client, name, WRONG)
    assert sign_in(client, name).status_code == 200
    unlock_by_time(app, name)
    assert sign_in(client, name).status_code == 302
    user = stored(app, name)
    assert (user.failed_sign_ins, user.locked_until) == (0, None)


def test_after_a_lock_each_wrong_password_locks_the_account_again(
    app: Flask, client: FlaskClient, users: dict[UserRole, str]
) -> None:
    name = users[UserRole.MANAGER]
    for _ in range(10):
        sign_in(client, name, WRONG)
    unlock_by_time(app, name)
    sign_in(client, name, WRONG)
    assert stored(app, name).locked_until > utcnow()
    assert [line[0] for line in sign_in_lines(app)].count("lock-out") == 2


def test_nine_wrong_passwords_lock_nothing(
    app: Flask, client: FlaskClient, users: dict[UserRole, str]
) -> None:
    name = users[UserRole.MANAGER]
    for _ in range(9):
        sign_in(client, name, WRONG)
    assert sign_in(client, name).status_code == 302


def test_a_new_password_from_an_admin_unlocks_the_account(
    app: Flask, users: dict[UserRole, str]
) -> None:
    name = users[UserRole.MANAGER]
    guesser = app.test_client()
    for _ in range(10):
        sign_in(guesser, name, WRONG)
    admin = app.test_client()
    sign_in(admin, users[UserRole.ADMIN])
    target = stored(app, name).id
    page = admin.get(f"/settings/users/{target}").get_data(as_text=True)
    assert "after 10 wrong passwords in a row. Setting a new password unlocks it." in page
    new = "a different long password"
    admin.post(
        f"/settings/users/{target}/password", data={"password": new, "confirm_password": new}
    )
    assert "Locked until" not in admin.get(f"/settings/users/{target}").get_data(as_text=True)
    assert sign_in(app.test_client(), name, new).status_code == 302


def test_only_failed_sign_ins_count_against_an_address(
    app: Flask, users: dict[UserRole, str]
) -> None:
    # An office behind one address signs in every morning.
    for _ in range(25):
        client = app.test_client()
        assert (
            from_address(client, "192.0.2.9", users[UserRole.VIEWER], PASSWORD).status_code == 302
        )


def test_the_address_limit_counts_every_username_it_tries(app: Flask, client: FlaskClient) -> None:
    statuses = [
        from_address(client, "192.0.2.2", f"guess.{number}", WRONG).status_code
        for number in range(21)
    ]
    assert statuses[-2:] == [200, 429]
    assert from_address(client, "192.0.2.3", "guess.x", WRONG).status_code == 200


def test_behind_a_trusted_proxy_the_forwarded_address_is_limited(
    app_factory: AppFactory,
) -> None:
    app = app_factory("proxied", TRUSTED_PROXIES=1)
    client = app.test_client()

    def attempt(address: str) -> int:
        return client.post(
            "/sign-in",
            data={"username": "nobody", "password": WRONG},
            headers={"X-Forwarded-For": address},
            environ_base={"REMOTE_ADDR": "10.0.0.1"},
        ).status_code

    assert [attempt("203.0.113.5") for _ in range(21)][-1] == 429
    assert attempt("203.0.113.6") == 200
    assert sign_in_lines(app)[-1][4] == "203.0.113.6"


def test_a_proxy_is_not_believed_unless_trusted(app: Flask, client: FlaskClient) -> None:
    for number in range(21):
        response = client.post(
            "/sign-in",
            data={"username": "nobody", "password": WRONG},
            headers={"X-Forwarded-For": f"203.0.113.{number}"},
        )
    assert response.status_code == 429


def test_every_sign_in_and_each_way_it_fails_is_audited(
    app: Flask, client: FlaskClient, users: dict[UserRole, str]
) -> None:
    add_user(app, "gone.user", UserRole.VIEWER, active=False)
    gone = stored(app, "gone.user").id
    manager = stored(app, users[UserRole.MANAGER]).id
    sign_in(client, "no.such.person", PASSWORD)
    sign_in(client, "gone.user")
    sign_in(client, users[UserRole.MANAGER], WRONG)
    sign_in(client, f"  {users[UserRole.MANAGER]} ")
    address = "127.0.0.1"
    assert sign_in_lines(app) == [
        (
            "sign-in refused",
            "no.such.person",
            None,
            "Sign-in refused: no user has this username",
            address,
        ),
        (
            "sign-in refused",
            "gone.user",
            gone,
            "Sign-in refused: the account is deactivated",
            address,
        ),
        ("sign-in refused", "manager.user", manager, "Sign-in refused: wrong password", address),
        ("sign-in", "manager.user", manager, "Signed in", address),
    ]


def test_the_audit_log_never_holds_a_password(
    app: Flask, client: FlaskClient, users: dict[UserRole, str]
) -> None:
    sign_in(client, users[UserRole.MANAGER], WRONG)
    sign_in(client, users[UserRole.MANAGER])
    with app.app_context():
        lines = db.session.scalars(select(AuditEvent)).all()
        text = repr([(line.summary, line.before, line.after) for line in lines])
    assert WRONG not in text
    assert PASSWORD not in text
    assert "session_token" not in text


def test_the_service_log_names_no_person_and_no_address(
    client: FlaskClient, users: dict[UserRole, str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    for _ in range(21):
        from_address(client, "192.0.2.4", users[UserRole.MANAGER], WRONG)
    assert "an account was locked after wrong passwords" in caplog.text
    assert "too many failed sign-ins from one address" in caplog.text
    assert users[UserRole.MANAGER] not in caplog.text
    assert "192.0.2.4" not in caplog.text


@pytest.mark.parametrize(
    ("username", "password", "locked"),
    [("nobody", PASSWORD, False), ("manager.user", WRONG, False), ("gone.user", PASSWORD, False),
     ("manager.user", PASSWORD, True), ("manager.user", PASSWORD, False)],
    ids=["unknown", "wrong password", "deactivated", "locked", "right"],
)  # fmt: skip
def test_every_account_takes_one_password_check(
    app: Flask,
    client: FlaskClient,
    users: dict[UserRole, str],
    monkeypatch: pytest.MonkeyPatch,
    username: str,
    password: str,
    locked: bool,
) -> None:
    add_user(app, "gone.user", UserRole.VIEWER, active=False)
    if locked:
        with app.app_context():
            user = db.session.scalar(select(User).where(User.username == username))
            user.locked_until = utcnow() + timedelta(minutes=5)
            db.session.commit()
    checks: list[str] = []

    def counted(check: Any) -> Any:
        def check_password_hash(stored_hash: str, typed: str) -> bool:
            checks.append(stored_hash.split("$")[0])
            return check(stored_hash, typed)

        return check_password_hash

    monkeypatch.setattr(
        sign_in_service, "check_password_hash", counted(sign_in_service.check_password_hash)
    )
    monkeypatch.setattr(user_model, "check_password_hash", counted(user_model.check_password_hash))
    sign_in(client, username, password)
    # One hash, of the same method and cost, whoever the name belongs to.
    assert checks == ["pbkdf2:sha256:1000"]


def test_rate_limits_share_the_job_queues_redis_else_count_in_memory() -> None:
    assert (
        rate_limit_defaults("redis://queue.internal:6379/0", "planner")["RATELIMIT_STORAGE_URI"]
        == "redis://queue.internal:6379/0"
    )
    assert (
        rate_limit_defaults("sqlite:///jobs.db", "planner")["RATELIMIT_STORAGE_URI"] == "memory://"
    )


def test_with_redis_every_web_process_sees_the_same_counts(
    app_factory: AppFactory, redis_url: str, tmp_path: Path
) -> None:
    app = app_factory("shared", JOBS_URL=redis_url, JOBS_NAME=f"limits-{tmp_path.name}")
    client = app.test_client()
    statuses = [from_address(client, "192.0.2.5", "nobody", WRONG).status_code for _ in range(21)]
    assert statuses[-1] == 429
    # The counts are in Redis, for every process to read.
    assert redis.Redis.from_url(redis_url).keys("*192.0.2.5*")
