"""Checking who someone is: a username and password, in the same work whoever they name."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from planner.auth.lockout import LockOutRule, count_wrong_password
from planner.models import User
from planner.models.access import record_sign_in
from planner.models.types import utcnow


class Outcome(StrEnum):
    """How a sign-in ended, as the audit log says it."""

    SIGNED_IN = "signed in"
    UNKNOWN = "no user has this username"
    WRONG_PASSWORD = "wrong password"
    DEACTIVATED = "the account is deactivated"
    LOCKED = "the account is locked after wrong passwords"


@dataclass(frozen=True)
class SignInAttempt:
    """What came of one sign-in: the user when it succeeded, and whether it locked the account."""

    outcome: Outcome
    user: User | None
    locked_now: bool = False


@functools.cache
def _unknown_user_hash(method: str) -> str:
    """Checked when nobody has the username, so a wrong name takes as long as a wrong password."""
    return generate_password_hash("not a password anyone has", method=method)


def attempt_sign_in(
    session: Session,
    username: str,
    password: str,
    method: str,
    rule: LockOutRule,
    address: str | None,
) -> SignInAttempt:
    """Check a username and password; count wrong ones, lock after too many, audit every try."""
    name = username.strip()
    now = utcnow()
    user = session.scalar(select(User).where(User.username == name))
    # One password check on every path: an unknown, locked or deactivated account answers no
    # sooner than a wrong password does.
    if user is None:
        check_password_hash(_unknown_user_hash(method), password)
        attempt = SignInAttempt(Outcome.UNKNOWN, None)
    else:
        attempt = _check(session, user, user.check_password(password), rule, now)
    user_id = user.id if user is not None else None
    if attempt.user is not None:
        record_sign_in(session, name, user_id, "sign-in", "Signed in", address)
    else:
        summary = f"Sign-in refused: {attempt.outcome}"
        record_sign_in(session, name, user_id, "sign-in refused", summary, address)
    if attempt.locked_now:
        summary = f"Locked for {rule.minutes} minutes after {rule.after} wrong passwords in a row"
        record_sign_in(session, name, user_id, "lock-out", summary, address)
    return attempt


def _check(
    session: Session, user: User, right: bool, rule: LockOutRule, now: datetime
) -> SignInAttempt:
    """The outcome for an account that exists, its count of wrong passwords kept up to date."""
    if user.locked_at(now):
        return SignInAttempt(Outcome.LOCKED, None)
    if not right:
        locked_now = count_wrong_password(session, user, rule, now)
        return SignInAttempt(Outcome.WRONG_PASSWORD, None, locked_now)
    if not user.active:
        return SignInAttempt(Outcome.DEACTIVATED, None)
    user.failed_sign_ins = 0
    user.locked_until = None
    user.last_sign_in_at = now
    return SignInAttempt(Outcome.SIGNED_IN, user)


def record_sign_out(session: Session, user: User, address: str | None) -> None:
    """End every session of the user and say so in the audit log."""
    user.end_sessions()
    record_sign_in(session, user.username, user.id, "sign-out", "Signed out", address)
