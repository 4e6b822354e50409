"""What the staff pages read: who holds what, each person's load in a week, the filtered list."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, contains_eager, selectinload
from werkzeug.datastructures import MultiDict

from planner.domain.policy import Policy
from planner.domain.reach import Reach
from planner.domain.rules import AbsenceFacts, available_hours, committed_hours, workload
from planner.domain.vocabulary import GRADE_RANK, VETTING_RANK, Grade, Role, label
from planner.domain.weeks import IsoWeek
from planner.extensions import db
from planner.models import Absence, Allocation, Case, Need, Site, StaffMember
from planner.models.reach import staff_within
from planner.models.types import ranked
from planner.web.listing import PER_PAGE, ListPagination, page_number, sort_by


@dataclass(frozen=True)
class WeekLoad:
    """A person's hours in a week: what they have, what they hold here and elsewhere."""

    available: float
    committed: float
    held: float
    cases: int

    @property
    def workload(self) -> float | None:
        """Workload %: all the work they hold over the hours they have (None if they have none)."""
        return workload(self.committed + self.held, self.available)


def held_hours(session: Session, day: date) -> dict[int, tuple[float, int]]:
    """Hours and cases each person holds on a day, from active needs of active cases."""
    rows = session.execute(
        select(
            Allocation.staff_member_id,
            func.coalesce(func.sum(Need.hours), 0.0),
            func.count(func.distinct(Need.case_id)),
        )
        .join(Need, Allocation.need_id == Need.id)
        .join(Case, Need.case_id == Case.id)
        .where(Allocation.held_on(day), Need.active, Case.active)
        .group_by(Allocation.staff_member_id)
    )
    return {staff_id: (float(hours), int(cases)) for staff_id, hours, cases in rows}


@dataclass(frozen=True)
class Practitioner:
    """What a person's hours in one week are worked out from, read as plain values."""

    id: int
    grade: Grade
    contracted_hours: float
    other_work_hours: float
    training_start: date | None
    active: bool
    absences: tuple[AbsenceFacts, ...]


def practitioners(session: Session, reach: Reach, week: IsoWeek) -> list[Practitioner]:
    """The active practitioners of the user's regions, with the absences that touch the week.

    Plain rows rather than mapped objects: the dashboard weighs every practitioner on every
    request, and building hundreds of objects (and all their absences) was most of its time.
    """
    absences: defaultdict[int, list[AbsenceFacts]] = defaultdict(list)
    for row in session.execute(
        select(
            Absence.staff_member_id,
            Absence.kind,
            Absence.start_date,
            Absence.end_date,
            Absence.hours_per_week,
        )
        .join(StaffMember)
        .where(
            StaffMember.active,
            staff_within(reach),
            Absence.start_date <= week.sunday,
            Absence.end_date >= week.monday,
        )
    ):
        absences[row.staff_member_id].append(row)
    people = session.execute(
        select(
            StaffMember.id,
            StaffMember.grade,
            StaffMember.contracted_hours,
            StaffMember.other_work_hours,
            StaffMember.training_start,
            StaffMember.active,
        ).where(StaffMember.active, staff_within(reach))
    )
    return [Practitioner(*row, absences=tuple(absences[row.id])) for row in people]


def staff_loads(
    session: Session,
    staff: Sequence[StaffMember | Practitioner],
    week: IsoWeek,
    policy: Policy,
) -> dict[int, WeekLoad]:
    """Each person's load in a week, in one query (their absences should already be loaded)."""
    held = held_hours(session, week.monday)
    loads = {}
    for person in staff:
        available = available_hours(person, week, policy)
        hours, cases = held.get(person.id, (0.0, 0))
        loads[person.id] = WeekLoad(
            available=available,
            committed=committed_hours(person, available),
            held=round(hours, 2),
            cases=cases,
        )
    return loads


SORTED_IN_DATABASE: dict[str, Any] = {
    "name": StaffMember.name,
    "staff_ref": StaffMember.staff_ref,
    "role": StaffMember.role,
    "grade": ranked(StaffMember.grade, GRADE_RANK),
    "site": Site.name,
    "vetting": ranked(StaffMember.vetting, VETTING_RANK),
    "contracted": StaffMember.contracted_hours,
}


def vetting_tag(expiry: date | None, today: date, policy: Policy) -> dict[str, str] | None:
    """A tag for vetting that has lapsed or lapses within the alert period, else None."""
    if expiry is None:
        return None
    if expiry < today:
        return {"text": "Expired", "classes": "govuk-tag--red"}
    if expiry <= today + timedelta(days=policy.due_soon_days):
        return {"text": "Expires soon", "classes": "govuk-tag--yellow"}
    return None


@dataclass(frozen=True)
class StaffFilters:
    """What the list is narrowed to."""

    search: str = ""
    region_id: int | None = None
    site_id: int | None = None
    role: Role | None = None
    grade: Grade | None = None
    over_only: bool = False
    include_inactive: bool = False


@dataclass(frozen=True)
class StaffRow:
    """One line of the list: a person, their load this week, and a vetting warning."""

    person: StaffMember
    load: WeekLoad
    vetting: dict[str, str] | None


def _workload_key(row: StaffRow) -> float:
    """Workload % for sorting: work with no hours to do it in sorts above everything."""
    value = row.load.workload
    return float("inf") if value is None else value


SORTED_AFTER_LOADING: dict[str, Callable[[StaffRow], float]] = {
    "available": lambda row: row.load.available,
    "cases": lambda row: row.load.cases,
    "workload": _workload_key,
}


@dataclass(frozen=True)
class StaffList:
    """A page of the list and how it is sorted."""

    page: Pagination
    rows: list[StaffRow]
    sort: str
    direction: str


def _filtered(filters: StaffFilters, reach: Reach) -> Select[tuple[StaffMember]]:
    """The people of the user's regions the filters allow, with their site, region, absences."""
    query = (
        select(StaffMember)
        .where(staff_within(reach))
        .join(StaffMember.site)
        .join(Site.region)
        .options(
            contains_eager(StaffMember.site).contains_eager(Site.region),
            selectinload(StaffMember.absences),
        )
    )
    if not filters.include_inactive:
        query = query.where(StaffMember.active)
    if filters.search:
        query = query.where(
            or_(
                StaffMember.name.icontains(filters.search, autoescape=True),
                StaffMember.staff_ref.icontains(filters.search, autoescape=True),
            )
        )
    if filters.region_id is not None:
        query = query.where(Site.region_id == filters.region_id)
    if filters.site_id is not None:
        query = query.where(StaffMember.site_id == filters.site_id)
    if filters.role is not None:
        query = query.where(StaffMember.role == filters.role)
    if filters.grade is not None:
        query = query.where(StaffMember.grade == filters.grade)
    return query


def _rows(
    session: Session, people: Sequence[StaffMember], week: IsoWeek, policy: Policy, today: date
) -> list[StaffRow]:
    """Each person with their load (one query for everyone's) and any vetting warning."""
    loads = staff_loads(session, people, week, policy)
    return [
        StaffRow(person, loads[person.id], vetting_tag(person.vetting_expiry, today, policy))
        for person in people
    ]


def is_over(load: WeekLoad, policy: Policy) -> bool:
    """Above the soft capacity (100 % unless changed), or holding work with no hours for it."""
    return load.workload is None or load.workload > policy.soft_capacity


def staff_list(
    session: Session,
    filters: StaffFilters,
    args: MultiDict[str, str],
    week: IsoWeek,
    policy: Policy,
    today: date,
    reach: Reach,
) -> StaffList:
    """One page of the filtered, sorted list, in a fixed number of queries whatever its length."""
    query, sort, direction = _sorted(filters, args, reach)
    number = page_number(args)
    if sort in SORTED_AFTER_LOADING or filters.over_only:
        # Workload % is computed, not stored: load everyone the filters allow, then sort.
        rows = _loaded(session, query, sort, direction, filters, week, policy, today)
        page: Pagination = ListPagination(
            page=number, per_page=PER_PAGE, error_out=False, items=rows
        )
        return StaffList(page, page.items, sort, direction)
    page = db.paginate(query, page=number, per_page=PER_PAGE, error_out=False)
    return StaffList(page, _rows(session, page.items, week, policy, today), sort, direction)


def every_staff_row(
    session: Session,
    filters: StaffFilters,
    args: MultiDict[str, str],
    week: IsoWeek,
    policy: Policy,
    today: date,
    reach: Reach,
) -> list[StaffRow]:
    """Everyone on every page of the list, in its order: what its download holds."""
    query, sort, direction = _sorted(filters, args, reach)
    return _loaded(session, query, sort, direction, filters, week, policy, today)


def _sorted(
    filters: StaffFilters, args: MultiDict[str, str], reach: Reach
) -> tuple[Select[tuple[StaffMember]], str, str]:
    """The filtered people in the order asked for, as far as the database can sort them."""
    columns = {**SORTED_IN_DATABASE, **dict.fromkeys(SORTED_AFTER_LOADING, StaffMember.name)}
    query, sort, direction = sort_by(_filtered(filters, reach), args, columns, default="name")
    if sort in SORTED_AFTER_LOADING:
        # Sorted below by a stable sort: ties stay in name order whichever the direction.
        query = query.order_by(None)
    # Ties in a fixed order, so that no one appears on two pages or on none.
    return query.order_by(StaffMember.name, StaffMember.id), sort, direction


def _loaded(
    session: Session,
    query: Select[tuple[StaffMember]],
    sort: str,
    direction: str,
    filters: StaffFilters,
    week: IsoWeek,
    policy: Policy,
    today: date,
) -> list[StaffRow]:
    """Everyone the query finds with their loads, over-loaded only if asked, sorted."""
    rows = _rows(session, session.scalars(query).all(), week, policy, today)
    if filters.over_only:
        rows = [row for row in rows if is_over(row.load, policy)]
    if sort in SORTED_AFTER_LOADING:
        rows.sort(key=SORTED_AFTER_LOADING[sort], reverse=direction == "desc")
    return rows


STAFF_SORTS = (*SORTED_IN_DATABASE, *SORTED_AFTER_LOADING)
NO_HOURS = "No hours available"
STAFF_HEADERS = (
    "Name",
    "Staff ID",
    "Role",
    "Grade",
    "Site",
    "Region",
    "Vetting",
    "Vetting expires",
    "Skills",
    "Contracted hours",
    "Active",
    "Cases this week",
)


def staff_sheet(
    session: Session, rows: Sequence[StaffRow], week: IsoWeek, policy: Policy
) -> tuple[list[str], list[list[object]]]:
    """The list as a table: each person's facts, then their hours and Workload % in each week
    of the planning horizon from this one."""
    weeks = [week.plus(offset) for offset in range(max(1, policy.horizon_weeks))]
    people = [row.person for row in rows]
    ahead = [{row.person.id: row.load for row in rows}] + [
        staff_loads(session, people, later, policy) for later in weeks[1:]
    ]
    headers = [*STAFF_HEADERS]
    for later in weeks:
        when = f"week from {later.monday.day} {later.monday:%B %Y}"
        headers += [f"Hours available, {when}", f"Workload %, {when}"]
    table = []
    for row in rows:
        person = row.person
        line: list[object] = [
            person.name,
            person.staff_ref,
            "POM" if person.role == Role.PRISON else "COM",
            label(person.grade),
            person.site.name,
            person.site.region.name,
            label(person.vetting),
            person.vetting_expiry,
            ", ".join(label(skill) for skill in person.skills),
            person.contracted_hours,
            "Yes" if person.active else "No",
            row.load.cases,
        ]
        for loads in ahead:
            load = loads[person.id]
            percent = load.workload
            line += [load.available, NO_HOURS if percent is None else round(percent * 100)]
        table.append(line)
    return headers, table
