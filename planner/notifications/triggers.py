"""When the planner emails: a plan approved, a run failed, Monday's digest, a handover due."""

from __future__ import annotations

from collections.abc import Mapping, Set
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from planner.alerting.queries import alert_query
from planner.domain.clock import today
from planner.domain.needs import need_name_for
from planner.domain.rules import handover
from planner.domain.vocabulary import ALERT_KIND_NAMES, AlertSeverity, Setting, UserRole, label
from planner.domain.weeks import IsoWeek, weekly_slot
from planner.extensions import db
from planner.models import Allocation, Case, Need, PlanRun, StaffMember, User
from planner.models.policy import load_policy
from planner.models.types import utcnow
from planner.notifications.messages import (
    DigestLine,
    alert_digest,
    cases_changed,
    handover_due,
    run_failed,
)
from planner.notifications.outbox import mail_on, queue_email, send_later
from planner.web.reach import reach_of
from planner.web.templating import LONDON

DIGEST_LINES = 50
# Handover emails go this far ahead of the day, and on the day itself.
HANDOVER_NOTICE = timedelta(weeks=8)


def _emailable(session: Session, staff_ids: Set[int]) -> dict[int, StaffMember]:
    """Of these people, those with an address who have not asked not to be emailed."""
    if not staff_ids:
        return {}
    people = session.scalars(
        select(StaffMember).where(
            StaffMember.id.in_(sorted(staff_ids)),
            StaffMember.email.is_not(None),
            StaffMember.emailed,
        )
    )
    return {person.id: person for person in people}


def email_cases_changed(
    session: Session,
    run: PlanRun,
    gained: Mapping[int, Set[str]],
    lost: Mapping[int, Set[str]],
) -> None:
    """After an approval (committed): each practitioner whose cases changed gets one email."""
    if not mail_on():
        return
    monday = IsoWeek.parse(run.week).monday
    people = _emailable(session, set(gained) | set(lost))
    queued = []
    for staff_id, person in sorted(people.items()):
        message = cases_changed(
            run.week, monday, sorted(gained.get(staff_id, ())), sorted(lost.get(staff_id, ()))
        )
        queued.append(
            queue_email(
                session,
                f"approval:run-{run.id}:staff-{staff_id}",
                "approval",
                person.email or "",
                message,
                staff_member_id=staff_id,
            )
        )
    session.commit()
    send_later(queued)


def email_run_failed(run_id: int) -> None:
    """A run failed: the manager who started it is told, with the reason."""
    session = db.session
    run = session.get(PlanRun, run_id)
    if not mail_on() or run is None or run.started_by is None or not run.started_by.email:
        return
    message = run_failed(run.id, run.week, run.message or "No reason was recorded.")
    queued = queue_email(
        session,
        f"run-failed:{run.id}",
        "run failed",
        run.started_by.email,
        message,
        user_id=run.started_by.id,
    )
    session.commit()
    send_later([queued])


def weekly_digest(week: IsoWeek) -> int:
    """Each manager with an address: the open critical and warning alerts of their regions."""
    session = db.session
    managers = session.scalars(
        select(User).where(
            User.active,
            User.email.is_not(None),
            User.role.in_([UserRole.MANAGER, UserRole.ADMIN]),
        )
    ).all()
    queued = []
    for manager in managers:
        reach = reach_of(session, manager)
        alerts = [
            alert
            for severity in (AlertSeverity.CRITICAL, AlertSeverity.WARNING)
            for alert in session.scalars(
                alert_query({"status": "open", "severity": severity.value}, reach)
            )
        ]
        lines = [
            DigestLine(
                label(alert.severity),
                ALERT_KIND_NAMES.get(alert.kind, alert.kind),
                alert.case.reference
                if alert.case
                else f"staff ID {alert.staff_member.staff_ref}"
                if alert.staff_member
                else "the service",
            )
            for alert in alerts[:DIGEST_LINES]
        ]
        message = alert_digest(str(week), lines, len(alerts))
        queued.append(
            queue_email(
                session,
                f"digest:{week}:user-{manager.id}",
                "digest",
                manager.email or "",
                message,
                user_id=manager.id,
            )
        )
    session.commit()
    send_later(queued)
    return sum(item is not None for item in queued)


def handover_emails(on: date) -> int:
    """The POM and the COM of each custody case handed over in 8 weeks' time, or today."""
    session = db.session
    policy = load_policy(session)
    days = {on, on + HANDOVER_NOTICE}
    cases = session.scalars(select(Case).where(Case.active, Case.setting == Setting.CUSTODY)).all()
    due = {
        case.id: (case, day)
        for case in cases
        if (day := handover(case, policy).com_responsible_from) in days
    }
    holders = session.execute(
        select(Need.case_id, Need.key, Need.role, Allocation.staff_member_id)
        .join(Allocation, and_(Allocation.need_id == Need.id, Allocation.held_on(on)))
        .where(Need.case_id.in_(sorted(due)), Need.active, Need.key.in_(("pom", "com")))
    ).all()
    people = _emailable(session, {staff_id for *_, staff_id in holders})
    queued = []
    for case_id, key, role, staff_id in holders:
        person = people.get(staff_id)
        if person is None:
            continue
        case, day = due[case_id]
        ahead = "on-the-day" if day == on else "8-weeks"
        message = handover_due(case.reference, day, need_name_for(key, role), on)
        queued.append(
            queue_email(
                session,
                f"handover:case-{case_id}:{day}:{ahead}:{key}",
                "handover",
                person.email or "",
                message,
                staff_member_id=staff_id,
            )
        )
    session.commit()
    send_later(queued)
    return sum(item is not None for item in queued)


def emails_when_due(now: datetime | None = None) -> None:
    """Once a minute: at the digest's day and time (UK), the digest; every day then, handovers."""
    if not mail_on():
        return
    slot = weekly_slot(current_app.config["MAIL_DIGEST_AT"], "MAIL_DIGEST_AT")
    local = (now or utcnow()).astimezone(LONDON)
    if slot is None or (local.hour, local.minute) != slot[1:]:
        return
    # Each is sent once (a key per week or per day), however many workers run the schedule.
    handover_emails(today())
    if local.weekday() == slot[0]:
        weekly_digest(IsoWeek.containing(local.date()))
