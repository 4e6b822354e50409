"""Signing in and out, and loading the signed-in user."""

from __future__ import annotations

import secrets

from flask import Flask

from planner.extensions import db, login_manager
from planner.models import User


def init_app(app: Flask) -> None:
    """Register the sign-in pages and tell Flask-Login how to find a user."""
    from planner.auth.views import blueprint

    login_manager.login_view = "auth.sign_in"
    # The sign-in page says what it is for; a banner saying so again would be noise.
    login_manager.login_message = None
    login_manager.session_protection = "strong"
    login_manager.user_loader(load_user)
    app.register_blueprint(blueprint)


def load_user(session_id: str) -> User | None:
    """The user a session names, if they are active and the session's token is still theirs."""
    user_id, _, token = session_id.partition(":")
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    if user is None or not user.active:
        return None
    # A sign-out, a new password or deactivation gave the user a new token: this session ended.
    return user if secrets.compare_digest(token, user.session_token) else None
