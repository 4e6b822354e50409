"""Checking who someone is: a username and password against the accounts, in constant work."""

from __future__ import annotations

import functools

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from planner.models import User
from planner.models.types import utcnow


@functools.cache
def _unknown_user_hash(method: str) -> str:
    """Checked when nobody has the username, so a wrong name takes as long as a wrong password."""
    return generate_password_hash("not a password anyone has", method=method)


def authenticate(session: Session, username: str, password: str, method: str) -> User | None:
    """The active user with this username and password, or None; signs them in as of now."""
    user = session.scalar(select(User).where(User.username == username.strip()))
    if user is None:
        check_password_hash(_unknown_user_hash(method), password)
        return None
    if not (user.active and user.check_password(password)):
        return None
    user.last_sign_in_at = utcnow()
    return user
