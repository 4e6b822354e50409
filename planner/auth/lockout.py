"""The lock on an account after wrong passwords: how many in a row, and for how long."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from planner.models import User


@dataclass(frozen=True)
class LockOutRule:
    """So many wrong passwords in a row lock an account for so many minutes."""

    after: int
    minutes: int

    @classmethod
    def configured(cls, config: Mapping[str, Any]) -> LockOutRule:
        """The rule the app's settings give."""
        return cls(config["SIGN_IN_LOCK_AFTER"], config["SIGN_IN_LOCK_MINUTES"])


def count_wrong_password(session: Session, user: User, rule: LockOutRule, now: datetime) -> bool:
    """Count one more wrong password and lock the account once there are enough; True if now."""
    # Counted by the database, so that attempts at once in several processes each count.
    failures = session.execute(
        update(User)
        .where(User.id == user.id)
        .values(failed_sign_ins=User.failed_sign_ins + 1)
        .returning(User.failed_sign_ins)
    ).scalar_one()
    # Once the lock ends the count stays: each wrong password after it locks the account again,
    # until the right one (or a new password from an admin) starts the count afresh.
    if failures < rule.after:
        return False
    user.locked_until = now + timedelta(minutes=rule.minutes)
    return True
