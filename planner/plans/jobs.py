"""The plans' long work as jobs (runs, look-aheads, what-ifs, staffing asks), and the schedule."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from planner.domain.weeks import IsoWeek, weekly_slot
from planner.extensions import db
from planner.jobs.queue import enqueue, every_minute, register
from planner.models import Forecast, PlanRun, StaffingAsk, WhatIf
from planner.models.policy import load_policy
from planner.models.types import utcnow
from planner.notifications.triggers import email_run_failed
from planner.plans.batch import RunRefused, plan_week, queue_run
from planner.plans.lookahead import plan_ahead
from planner.plans.staffing import work_out
from planner.plans.whatif import answer
from planner.web.templating import LONDON

log = logging.getLogger(__name__)

SCHEDULE = "the weekly schedule"


def register_plan_jobs() -> None:
    """Tell the job system what work each kind of job does, and what to do every minute."""
    register(PlanRun, plan_week, failed=email_run_failed)
    register(Forecast, plan_ahead)
    register(WhatIf, answer)
    register(StaffingAsk, work_out)
    every_minute(weekly_plan_when_due)


def weekly_plan_when_due(now: datetime | None = None) -> PlanRun | None:
    """At the configured day and time (UK), queue the coming week's run, once a slot."""
    slot = weekly_slot(current_app.config["WEEKLY_PLAN_AT"])
    moment = now or utcnow()
    local = moment.astimezone(LONDON)
    if slot is None or (local.weekday(), local.hour, local.minute) != slot:
        return None
    session = db.session
    week = IsoWeek.containing(local.date()).plus(1)
    # However many workers run the schedule, the slot's run is queued once.
    queued = session.scalar(
        select(PlanRun.id).where(
            PlanRun.week == str(week),
            PlanRun.started_by_name == SCHEDULE,
            PlanRun.queued_at > moment - timedelta(hours=1),
        )
    )
    if queued is not None:
        return None
    policy = load_policy(session)
    try:
        run = queue_run(session, week, "highs", policy.time_limit_seconds, None, SCHEDULE)
    except RunRefused as refusal:
        log.info("the weekly plan of %s was not queued: %s", week, refusal)
        return None
    enqueue(run)
    return run
