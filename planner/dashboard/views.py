"""The dashboard: the week's caseload and staffing at a glance."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from planner.clock import today
from planner.extensions import db
from planner.overview import week_overview
from planner.policy import load_policy
from planner.vocabulary import ResponsibilityState, Rosh
from planner.weeks import IsoWeek

blueprint = Blueprint("dashboard", __name__)


@blueprint.route("/")
def index() -> ResponseReturnValue:
    """This week's caseload by risk and state, and the hours short."""
    week = IsoWeek.containing(today())
    overview = week_overview(db.session, week, load_policy(db.session))
    return render_template(
        "dashboard/index.html",
        overview=overview,
        risks=list(reversed(Rosh)),
        states=list(ResponsibilityState),
    )
