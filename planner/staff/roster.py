"""The staff list: its filters, its sorting and its pages, each person with this week's load."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_sqlalchemy.pagination import Pagination
from govuk_frontend_wtf.wtforms_widgets import GovTextInput
from sqlalchemy import Select, case, or_, select
from sqlalchemy.orm import Session, contains_eager, selectinload
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, Form, StringField

from planner.extensions import db
from planner.forms import CheckboxInput, GovSelectField, choices, enum_choices
from planner.holdings import StaffLoad, staff_loads
from planner.listing import PER_PAGE, page_number, sort_by
from planner.models import Region, Site, StaffMember
from planner.policy import Policy
from planner.staff.forms import site_choices
from planner.staff.profile import vetting_tag
from planner.vocabulary import Grade, Role, Vetting
from planner.weeks import IsoWeek

# Grades and vetting levels sort by rank, not by spelling.
GRADE_RANK = case({grade.value: rank for rank, grade in enumerate(Grade)}, value=StaffMember.grade)
VETTING_RANK = case(
    {level.value: rank for rank, level in enumerate(Vetting)}, value=StaffMember.vetting
)
SORTED_IN_DATABASE: dict[str, Any] = {
    "name": StaffMember.name,
    "staff_ref": StaffMember.staff_ref,
    "role": StaffMember.role,
    "grade": GRADE_RANK,
    "site": Site.name,
    "vetting": VETTING_RANK,
    "contracted": StaffMember.contracted_hours,
}


class StaffFilterForm(Form):
    """The filters above the list: a GET form, so it carries no CSRF token."""

    search = StringField("Name or staff ID", widget=GovTextInput())
    region = GovSelectField("Region", validate_choice=False)
    site = GovSelectField("Site", validate_choice=False)
    role = GovSelectField("Role", choices=enum_choices(Role, blank="All roles"))
    grade = GovSelectField("Grade", choices=enum_choices(Grade, blank="All grades"))
    over = BooleanField("Workload over 100%", widget=CheckboxInput())
    inactive = BooleanField("Include people who are not active", widget=CheckboxInput())

    def __init__(
        self,
        args: MultiDict[str, str],
        regions: Sequence[Region],
        sites: Sequence[Site],
        policy: Policy,
    ) -> None:
        """The filters as the query string sets them, offering this service's regions and sites."""
        super().__init__(args)
        self.over.label.text = f"Workload over {round(policy.soft_capacity * 100)}%"
        self.region.choices = choices(
            [(str(region.id), region.name) for region in regions], blank="All regions"
        )
        self.site.choices = [*choices([], blank="All sites"), *site_choices(sites)[1:]]

    def chosen(self, field: GovSelectField) -> str | None:
        """The option picked in a select, if it is one of its options."""
        values = {choice.value for choice in field.choices if choice.value}
        return field.data if field.data in values else None

    def filters(self) -> StaffFilters:
        """What the list is filtered by (anything not offered is ignored)."""
        region, site = self.chosen(self.region), self.chosen(self.site)
        role, grade = self.chosen(self.role), self.chosen(self.grade)
        return StaffFilters(
            search=(self.search.data or "").strip(),
            region_id=int(region) if region else None,
            site_id=int(site) if site else None,
            role=Role(role) if role else None,
            grade=Grade(grade) if grade else None,
            over_only=bool(self.over.data),
            include_inactive=bool(self.inactive.data),
        )


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
    load: StaffLoad
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


class ListPagination(Pagination):
    """A page of a list already in memory, for a list sorted or filtered by Workload %."""

    def _query_items(self) -> list[Any]:
        """The items on this page."""
        items: list[Any] = self._query_args["items"]
        return items[self._query_offset : self._query_offset + self.per_page]

    def _query_count(self) -> int:
        """How many items there are on every page."""
        return len(self._query_args["items"])


def _filtered(filters: StaffFilters) -> Select[tuple[StaffMember]]:
    """The people the filters allow, with their site, region and absences."""
    query = (
        select(StaffMember)
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


def is_over(load: StaffLoad, policy: Policy) -> bool:
    """Above the soft capacity (100 % unless changed), or holding work with no hours for it."""
    return load.workload is None or load.workload > policy.soft_capacity


def staff_list(
    session: Session,
    filters: StaffFilters,
    args: MultiDict[str, str],
    week: IsoWeek,
    policy: Policy,
    today: date,
) -> StaffList:
    """One page of the filtered, sorted list, in a fixed number of queries whatever its length."""
    columns = {**SORTED_IN_DATABASE, **dict.fromkeys(SORTED_AFTER_LOADING, StaffMember.name)}
    query, sort, direction = sort_by(_filtered(filters), args, columns, default="name")
    if sort in SORTED_AFTER_LOADING:
        # Sorted below by a stable sort: ties stay in name order whichever the direction.
        query = query.order_by(None)
    # Ties in a fixed order, so that no one appears on two pages or on none.
    query = query.order_by(StaffMember.name, StaffMember.id)
    number = page_number(args)
    if sort in SORTED_AFTER_LOADING or filters.over_only:
        # Workload % is computed, not stored: load everyone the filters allow, then sort.
        rows = _rows(session, session.scalars(query).all(), week, policy, today)
        if filters.over_only:
            rows = [row for row in rows if is_over(row.load, policy)]
        if sort in SORTED_AFTER_LOADING:
            rows.sort(key=SORTED_AFTER_LOADING[sort], reverse=direction == "desc")
        page: Pagination = ListPagination(
            page=number, per_page=PER_PAGE, error_out=False, items=rows
        )
        return StaffList(page, page.items, sort, direction)
    page = db.paginate(query, page=number, per_page=PER_PAGE, error_out=False)
    return StaffList(page, _rows(session, page.items, week, policy, today), sort, direction)
