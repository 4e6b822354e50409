"""Sign in and sign out, stay signed in, and too many sign-ins from one address."""

from __future__ import annotations

import logging
import math

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_limiter.errors import RateLimitExceeded
from flask_login import current_user
from werkzeug.wrappers import Response

from planner.auth.forms import SignInForm
from planner.auth.lockout import LockOutRule
from planner.auth.services import attempt_sign_in, record_sign_out
from planner.extensions import db, limiter
from planner.web import sessions
from planner.web.errors import render_error
from planner.web.security import is_safe_next

blueprint = Blueprint("auth", __name__)
log = logging.getLogger(__name__)


def _failed(response: Response) -> bool:
    """A sign-in that did not succeed: only those count against the address."""
    return response.status_code != 302


@blueprint.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["SIGN_IN_ADDRESS_LIMIT"], methods=["POST"], deduct_when=_failed
)
def sign_in() -> ResponseReturnValue:
    """Check a username and password and start a new session."""
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = SignInForm()
    if form.validate_on_submit():
        attempt = attempt_sign_in(
            db.session,
            form.username.data,
            form.password.data,
            current_app.config["PASSWORD_HASH_METHOD"],
            LockOutRule.configured(current_app.config),
            request.remote_addr,
        )
        db.session.commit()
        if attempt.user is not None:
            sessions.begin(attempt.user)
            target = request.args.get("next")
            return redirect(target if is_safe_next(target) else url_for("dashboard.index"))
        if attempt.locked_now:
            log.warning("an account was locked after wrong passwords")
        # The same words whatever was wrong, so that nobody learns which usernames exist.
        form.username.errors.append("Enter a correct username and password")
    return render_template("auth/sign_in.html", form=form)


@blueprint.errorhandler(RateLimitExceeded)
def too_many_sign_ins(error: RateLimitExceeded) -> ResponseReturnValue:
    """Too many failed sign-ins from one address: say how long to wait."""
    log.warning("sign-in refused: too many failed sign-ins from one address")
    minutes = math.ceil(error.limit.limit.get_expiry() / 60)
    return render_error(
        429,
        "There have been too many attempts to sign in",
        f"Too many sign-ins from your network have failed. Wait {minutes} minutes, then try again.",
    )


@blueprint.route("/sign-out", methods=["POST"])
def sign_out() -> ResponseReturnValue:
    """End the session here and every other session of the user, on the server."""
    record_sign_out(db.session, current_user, request.remote_addr)
    db.session.commit()
    sessions.end()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.sign_in"))


@blueprint.route("/stay-signed-in", methods=["POST"])
def stay_signed_in() -> ResponseReturnValue:
    """Nothing but a request: it counts as using the planner, so the idle time-out starts again."""
    # 204 leaves the page as it is, with the script or without it.
    return "", 204
