"""The handover lists: custody cases by stage, overdue first, each gap with a way to fix it."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask.typing import ResponseReturnValue

from planner.domain.clock import today
from planner.domain.handovers import STAGE_LABELS, Stage
from planner.extensions import db
from planner.handovers.queries import handover_cases, on_stage, stage_counts
from planner.models.policy import load_policy
from planner.web.listing import PER_PAGE, ListPagination, page_number, page_status
from planner.web.reach import current_reach, openable_cases

blueprint = Blueprint("handovers", __name__, url_prefix="/handovers")


@blueprint.route("/")
def index() -> ResponseReturnValue:
    """One handover list at a time, with every list's count in the sub-navigation."""
    try:
        stage = Stage(request.args.get("stage") or Stage.COM_OVERDUE)
    except ValueError:
        abort(404)
    on = today()
    cases = handover_cases(db.session, on, load_policy(db.session), current_reach())
    listed = ListPagination(
        page=page_number(request.args),
        per_page=PER_PAGE,
        error_out=False,
        items=on_stage(cases, stage),
    )
    return render_template(
        "handovers/index.html",
        on=on,
        stage=stage,
        labels=STAGE_LABELS,
        counts=stage_counts(cases),
        listed=listed,
        openable=openable_cases(item.case.id for item in listed.items),
    ), page_status(listed)
