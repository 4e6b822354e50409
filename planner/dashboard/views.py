"""The dashboard: critical alerts, this week's cover and workloads, the trend, the handovers."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from planner.alerting.queries import alert_query, latest_run
from planner.dashboard.queries import (
    gaps_over_runs,
    held_by_risk,
    week_overview,
    workload_bands,
)
from planner.domain.clock import today
from planner.domain.handovers import STAGE_LABELS
from planner.domain.policy import Policy
from planner.domain.vocabulary import Rosh, label
from planner.domain.weeks import IsoWeek
from planner.extensions import db
from planner.handovers.queries import handover_cases, stage_counts
from planner.models import PlanRun
from planner.models.policy import load_policy
from planner.plans.queries import staffing_ask_of
from planner.plans.summary import StaffingPlace, staffing_places
from planner.staff.queries import practitioners, staff_loads
from planner.web.reach import current_reach, openable_cases

blueprint = Blueprint("dashboard", __name__)
CRITICAL_SHOWN = 10


@blueprint.route("/")
def index() -> ResponseReturnValue:
    """What a manager looks at first each week."""
    on = today()
    week = IsoWeek.containing(on)
    policy = load_policy(db.session)
    reach = current_reach()
    critical = db.paginate(
        alert_query({"status": "open", "severity": "critical"}, reach),
        page=1,
        per_page=CRITICAL_SHOWN,
    )
    cover = held_by_risk(db.session, on, reach)
    nobody = {row.rosh: row.gaps for row in cover}
    # Read once: the bands and the overview both weigh every practitioner.
    loads = list(
        staff_loads(db.session, practitioners(db.session, reach, week), week, policy).values()
    )
    bands = workload_bands(loads)
    trend = gaps_over_runs(db.session, reach)
    run = latest_run(db.session)
    return render_template(
        "dashboard/index.html",
        week=week,
        critical=critical.items,
        critical_total=critical.total,
        run=run,
        remedy=_biggest_remedy(run, policy) if run is not None and reach.national else None,
        cover=cover,
        unheld_very_high=nobody.get(Rosh.VERY_HIGH, 0),
        unheld_high=nobody.get(Rosh.HIGH, 0),
        cover_rows=[(label(row.rosh), row.held, row.gaps) for row in cover],
        overview=week_overview(db.session, loads, week, reach),
        bands=bands,
        band_rows=[(band, count, _band_class(band)) for band, count in bands],
        trend=trend,
        trend_rows=[(f"Run {row.run_id}, {row.week}", row.very_high, row.high) for row in trend],
        handovers=stage_counts(handover_cases(db.session, on, policy, reach)),
        stage_labels=STAGE_LABELS,
        openable=openable_cases(a.case_id for a in critical.items if a.case_id),
    )


def _band_class(band: str) -> str:
    """Bars above the safe workload in red, so the chart shows the overload at a glance."""
    return "planner-chart__bar--over" if band in ("110 to 120%", "Over 120%") else ""


def _biggest_remedy(run: PlanRun, policy: Policy) -> StaffingPlace | None:
    """The place of the run's staffing ask whose extra people would cover the most gaps."""
    ask = staffing_ask_of(db.session, run)
    places = staffing_places(db.session, ask, policy) if ask is not None else None
    return max(places, key=lambda place: place.covered) if places else None
