"""A person's page: what they hold, what takes their time, and their hours week by week."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import abort
from sqlalchemy import or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from planner.domain.policy import Policy
from planner.domain.reach import Reach
from planner.domain.rules import available_hours, committed_hours, trainee_reduction
from planner.domain.vocabulary import ROSH_ORDER, label
from planner.domain.weeks import IsoWeek
from planner.models import Absence, Allocation, Case, Need, Site, StaffMember
from planner.models.reach import staff_within
from planner.staff.queries import WeekLoad
from planner.web.templating import hours

WEEKS_AHEAD = 12


def staff_member_or_404(session: Session, staff_id: int, reach: Reach) -> StaffMember:
    """A practitioner of the user's regions with their site, region and absences, or 404."""
    person = session.scalar(
        select(StaffMember)
        .where(StaffMember.id == staff_id, staff_within(reach))
        .options(
            joinedload(StaffMember.site).joinedload(Site.region),
            selectinload(StaffMember.absences),
        )
    )
    if person is None:
        abort(404)
    return person


def absence_or_404(person: StaffMember, absence_id: int) -> Absence:
    """One of this person's absences, or a 404 page (another person's is not theirs to change)."""
    for absence in person.absences:
        if absence.id == absence_id:
            return absence
    abort(404)


@dataclass(frozen=True)
class HeldNeed:
    """One need of a case that the person holds, and since when."""

    allocation: Allocation
    need: Need
    case: Case


@dataclass(frozen=True)
class WeekHours:
    """A person's hours in one week, if they keep the cases they hold then."""

    week: IsoWeek
    load: WeekLoad
    reductions: tuple[str, ...]


def allocations_ahead(session: Session, person: StaffMember, first: IsoWeek) -> list[HeldNeed]:
    """The person's allocations in force at any time from a week on, in one query."""
    rows = session.execute(
        select(Allocation, Need, Case)
        .join(Need, Allocation.need_id == Need.id)
        .join(Case, Need.case_id == Case.id)
        .where(
            Allocation.staff_member_id == person.id,
            Need.active,
            Case.active,
            or_(Allocation.end_date.is_(None), Allocation.end_date >= first.monday),
        )
    )
    return [HeldNeed(allocation, need, case) for allocation, need, case in rows]


def held_on_day(allocations: list[HeldNeed], day: date) -> list[HeldNeed]:
    """What the person holds on a day, highest risk first."""
    held = [item for item in allocations if item.allocation.in_force(day)]
    return sorted(held, key=lambda item: (-ROSH_ORDER.index(item.case.rosh), item.case.reference))


def load_in_week(
    person: StaffMember, allocations: list[HeldNeed], week: IsoWeek, policy: Policy
) -> WeekLoad:
    """The person's load in a week, counted as the staff list counts it (on the Monday)."""
    held = [item for item in allocations if item.allocation.in_force(week.monday)]
    available = available_hours(person, week, policy)
    return WeekLoad(
        available=available,
        committed=committed_hours(person, available),
        held=round(sum(item.need.hours for item in held), 2),
        cases=len({item.case.id for item in held}),
    )


def reductions_in_week(person: StaffMember, week: IsoWeek, policy: Policy) -> tuple[str, ...]:
    """What takes the person's time in a week, in words."""
    days = week.working_days()
    found = []
    for absence in person.absences:
        covered = sum(absence.start_date <= day <= absence.end_date for day in days)
        if not covered:
            continue
        if absence.hours_per_week is None:
            found.append(f"{label(absence.kind)}: {covered} day{'s' if covered > 1 else ''}")
        else:
            found.append(f"{label(absence.kind)}: {hours(absence.hours_per_week)} hours a week")
    share = trainee_reduction(person, week.monday, policy)
    if share:
        found.append(f"PQiP training: {round(share * 100)}% of their time")
    return tuple(found)


def weeks_ahead(
    person: StaffMember, allocations: list[HeldNeed], first: IsoWeek, policy: Policy
) -> list[WeekHours]:
    """The person's hours for each of the coming weeks, starting with the first."""
    weeks = [first.plus(offset) for offset in range(WEEKS_AHEAD)]
    return [
        WeekHours(
            week=week,
            load=load_in_week(person, allocations, week, policy),
            reductions=reductions_in_week(person, week, policy),
        )
        for week in weeks
    ]
