"""A signed-in session's clock: when it began and when it was last used, checked every request."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, abort, current_app, flash, g, request, session
from flask.typing import ResponseReturnValue
from flask_login import login_user, logout_user

from planner.extensions import db, login_manager
from planner.models import User
from planner.models.policy import policy_value

View = TypeVar("View", bound=Callable[..., Any])

# Kept in the signed session cookie: the browser cannot change them, and no page view writes
# to the database to keep them.
SIGNED_IN_AT = "signed_in_at"
LAST_USED_AT = "last_used_at"
# How long before the idle time-out the page warns (half the limit, if that is shorter).
WARNING_SECONDS = 120


def init_app(app: Flask) -> None:
    """Tell every page how long its session may sit unused, for the time-out warning."""

    @app.context_processor
    def session_timeout() -> dict[str, object]:
        """The idle limit and the warning before it, in seconds and in words (signed in only)."""
        limit = g.get("idle_seconds")
        if limit is None:
            return {"session_timeout": None}
        warning = min(WARNING_SECONDS, limit / 2)
        return {
            "session_timeout": {
                "limit": limit,
                "warning": warning,
                "limit_words": in_words(limit),
                "warning_words": in_words(warning),
            }
        }


def begin(user: User) -> None:
    """Start a new session for the user: nothing of the one before (its CSRF secret) survives."""
    session.clear()
    login_user(user)
    session[SIGNED_IN_AT] = session[LAST_USED_AT] = time.time()


def end() -> None:
    """Forget who is signed in, and everything else the session held."""
    logout_user()
    session.clear()


def polled(view: View) -> View:
    """Mark a view that a script asks again and again: asking it is not using the planner."""
    view.polled = True  # type: ignore[attr-defined]
    return view


def keep_or_end() -> ResponseReturnValue | None:
    """Let a live session through and note its use; end one past its limits and say why."""
    idle = float(policy_value(db.session, "idle_minutes")) * 60
    reason = _expired_because(idle)
    is_polled = getattr(current_app.view_functions.get(request.endpoint or ""), "polled", False)
    if reason is None:
        g.idle_seconds = idle
        if not is_polled:
            session[LAST_USED_AT] = time.time()
        return None
    if is_polled:
        # Refused, but left for the next page the person opens to end, with its message.
        abort(401)
    end()
    flash(reason, "info")
    return login_manager.unauthorized()


def _expired_because(idle: float) -> str | None:
    """Why this session must end now, in words for the sign-in page, or None."""
    now = time.time()
    lifetime = current_app.permanent_session_lifetime.total_seconds()
    if now - session.get(SIGNED_IN_AT, 0) >= lifetime:
        return (
            f"For your security, we signed you out because you signed in more than "
            f"{in_words(lifetime)} ago. Sign in again to carry on."
        )
    if now - session.get(LAST_USED_AT, 0) >= idle:
        return (
            f"For your security, we signed you out because you had not used the planner for "
            f"{in_words(idle)}. Sign in again to carry on."
        )
    return None


def in_words(seconds: float) -> str:
    """A length of time as people say it: 8 hours, 30 minutes, 1 minute, 90 seconds."""
    for size, unit in ((3600, "hour"), (60, "minute")):
        if seconds >= size and seconds % size == 0:
            return _counted(int(seconds // size), unit)
    return _counted(max(1, round(seconds)), "second")


def _counted(count: int, unit: str) -> str:
    """A count and its unit: 1 minute, 2 minutes."""
    return f"{count} {unit}" if count == 1 else f"{count} {unit}s"
