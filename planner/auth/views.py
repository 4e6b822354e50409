"""Sign in and sign out."""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_user, logout_user

from planner.auth.forms import SignInForm
from planner.auth.services import authenticate
from planner.extensions import db
from planner.web.security import is_safe_next

blueprint = Blueprint("auth", __name__)
log = logging.getLogger(__name__)


@blueprint.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> ResponseReturnValue:
    """Check a username and password and start a session."""
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = SignInForm()
    if form.validate_on_submit():
        user = authenticate(
            db.session,
            form.username.data,
            form.password.data,
            current_app.config["PASSWORD_HASH_METHOD"],
        )
        if user is not None:
            login_user(user)
            db.session.commit()
            target = request.args.get("next")
            return redirect(target if is_safe_next(target) else url_for("dashboard.index"))
        log.warning("failed sign-in from %s", request.remote_addr)
        form.username.errors.append("Enter a correct username and password")
    return render_template("auth/sign_in.html", form=form)


@blueprint.route("/sign-out", methods=["POST"])
def sign_out() -> ResponseReturnValue:
    """End the session."""
    logout_user()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.sign_in"))
