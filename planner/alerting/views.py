"""The alerts page: what cannot be covered safely, the worst first, and acknowledging it."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from planner.alerting import services
from planner.alerting.forms import AcknowledgeForm, AlertFilterForm
from planner.alerting.queries import actions, alert_query, latest_run
from planner.domain.vocabulary import ALERT_KIND_NAMES, UserRole
from planner.extensions import db
from planner.models.policy import load_policy
from planner.web.forms import ConfirmForm
from planner.web.listing import (
    PER_PAGE,
    chosen_filters,
    page_number,
    page_status,
    regions,
    sites,
)
from planner.web.reach import alert_or_404, current_reach, openable_cases
from planner.web.security import role_required

blueprint = Blueprint("alerts", __name__, url_prefix="/alerts")
CHECK_DATES = "Check the dates again now"


@blueprint.route("/")
def index() -> ResponseReturnValue:
    """Alerts, filtered, worst first, with the new ones marked and the action that fixes each."""
    reach = current_reach()
    filters = AlertFilterForm(
        request.args, regions=regions(db.session, reach), sites=sites(db.session, reach)
    )
    page = db.paginate(
        alert_query(chosen_filters(filters), reach),
        page=page_number(request.args),
        per_page=PER_PAGE,
        error_out=False,
    )
    run = latest_run(db.session)
    openable = openable_cases(alert.case_id for alert in page.items if alert.case_id)
    drawn = render_template(
        "alerts/index.html",
        filters=filters,
        page=page,
        run=run,
        actions=actions(db.session, list(page.items), run, openable),
        openable=openable,
        kind_names=ALERT_KIND_NAMES,
        check_form=ConfirmForm(CHECK_DATES),
    )
    return drawn, page_status(page)


@blueprint.route("/<int:alert_id>")
def show(alert_id: int) -> ResponseReturnValue:
    """One alert: what is wrong, what would fix it, and its history (raised, acknowledged,
    cleared, and by what)."""
    alert = alert_or_404(alert_id)
    openable = openable_cases([alert.case_id] if alert.case_id else [])
    action = None
    if alert.closed_at is None:  # a cleared alert has nothing left to fix
        action = actions(db.session, [alert], latest_run(db.session), openable).get(alert.id)
    return render_template(
        "alerts/show.html",
        alert=alert,
        action=action,
        openable=openable,
        kind_names=ALERT_KIND_NAMES,
    )


@blueprint.route("/<int:alert_id>/acknowledge", methods=["GET", "POST"])
@role_required(UserRole.MANAGER)
def acknowledge(alert_id: int) -> ResponseReturnValue:
    """Record that a manager has seen an alert, with a note; it stays open until it clears."""
    alert = alert_or_404(alert_id)
    if alert.closed_at is not None:
        abort(404)
    form = AcknowledgeForm()
    if form.validate_on_submit():
        services.acknowledge(alert, current_user, form.note.data)
        db.session.commit()
        flash("Alert acknowledged. It stays on the list until its cause is fixed.", "success")
        return redirect(url_for("alerts.index"))
    return render_template(
        "alerts/acknowledge.html",
        form=form,
        alert=alert,
        kind_names=ALERT_KIND_NAMES,
        openable=openable_cases([alert.case_id] if alert.case_id else []),
    )


@blueprint.route("/check-dates", methods=["POST"])
@role_required(UserRole.MANAGER)
def check_dates_now() -> ResponseReturnValue:
    """Check the dates again now (reviews, vetting, COMs due), without waiting for the next run."""
    form = ConfirmForm(CHECK_DATES)
    if form.validate_on_submit():
        week = services.dates_week(db.session)
        opened, _, closed = services.check_dates(db.session, week, load_policy(db.session))
        db.session.commit()
        flash(f"Dates checked for {week}: {opened} alerts opened, {closed} closed.", "success")
    return redirect(url_for("alerts.index"))
