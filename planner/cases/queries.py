"""What the cases pages read: the filtered list with coverage, and one case in full."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, select
from sqlalchemy.orm import Session, joinedload, selectinload
from werkzeug.datastructures import MultiDict

from planner.domain.needs import need_name
from planner.domain.policy import Policy
from planner.domain.reach import Reach
from planner.domain.rules import Handover, handover, responsibility_state, responsible_role
from planner.domain.vocabulary import ResponsibilityState, Role, label
from planner.models import Alert, Allocation, AuditEvent, Case, Exclusion, Need, Site, StaffMember
from planner.models.access import VIEW
from planner.models.reach import case_openable
from planner.web.listing import RowPagination, page_number, paginate_rows, sort_by
from planner.web.templating import govuk_date

# The latest views of a case its admin page lists.
VIEWS_SHOWN = 200


def case_list(
    session: Session, filters: dict[str, str], args: MultiDict[str, str], on: date, reach: Reach
) -> tuple[RowPagination, str, str]:
    """One page of cases with how many of their needs are held, filtered and sorted."""
    query, key, direction = case_query(filters, args, on, reach)
    return paginate_rows(session, query, page_number(args)), key, direction


def case_query(
    filters: dict[str, str], args: MultiDict[str, str], on: date, reach: Reach
) -> tuple[Select[Any], str, str]:
    """The user's cases with their needs and how many are held, filtered and sorted: the list
    page and its download read the same rows."""
    needs = (
        select(Need.case_id, func.count().label("total"))
        .where(Need.active)
        .group_by(Need.case_id)
        .subquery()
    )
    held = (
        select(Need.case_id, func.count(func.distinct(Need.id)).label("held"))
        .join(Allocation, Allocation.need_id == Need.id)
        .where(Need.active, Allocation.held_on(on))
        .group_by(Need.case_id)
        .subquery()
    )
    total = func.coalesce(needs.c.total, 0)
    covered = func.coalesce(held.c.held, 0)
    query: Select[Any] = (
        select(Case, total.label("total"), covered.label("held"))
        .join(Site, Case.site_id == Site.id)
        .outerjoin(needs, needs.c.case_id == Case.id)
        .outerjoin(held, held.c.case_id == Case.id)
        .where(Case.active, case_openable(reach))
        .options(joinedload(Case.site).joinedload(Site.region))
    )
    query = _filtered(query, filters, total, covered)
    columns = {
        "reference": Case.reference,
        "name": Case.name,
        "rosh": Case.rosh_rank,
        "cohort": Case.cohort,
        "site": Site.code,
        "release": Case.release_date,
        "uncovered": total - covered,
    }
    query, key, direction = sort_by(query, args, columns, default="reference")
    return query.order_by(Case.id), key, direction


CASE_SORTS = ("reference", "name", "rosh", "cohort", "site", "release", "uncovered")
ALLOCATION_HEADERS = (
    "Reference",
    "Name",
    "RoSH",
    "Cohort",
    "MAPPA category",
    "MAPPA level",
    "Setting",
    "Where",
    "Region",
    "Responsibility",
    "Release date",
    "Need",
    "Hours a week",
    "Held by",
    "Staff ID",
    "Held since",
    "Pinned",
)


def allocation_rows(
    session: Session, query: Select[Any], on: date, policy: Policy
) -> list[list[object]]:
    """The current allocation: each need of the listed cases and who holds it on the day, in
    the list's order (a case without needs on a line of its own)."""
    cases = [case for case, _total, _held in session.execute(query)]
    needs: dict[int, list[Need]] = {}
    holders: dict[int, tuple[str, str, date | None, bool]] = {}
    for chunk in _chunks([case.id for case in cases]):
        for need in session.scalars(
            select(Need).where(Need.active, Need.case_id.in_(chunk)).order_by(Need.position)
        ):
            needs.setdefault(need.case_id, []).append(need)
        held = session.execute(
            select(
                Allocation.need_id,
                StaffMember.name,
                StaffMember.staff_ref,
                Allocation.start_date,
                Allocation.pinned,
            )
            .join(StaffMember, Allocation.staff_member_id == StaffMember.id)
            .join(Need, Allocation.need_id == Need.id)
            .where(Allocation.held_on(on), Need.active, Need.case_id.in_(chunk))
        )
        holders.update(
            (need_id, (name, ref, start, pinned)) for need_id, name, ref, start, pinned in held
        )
    rows: list[list[object]] = []
    for case in cases:
        facts = [
            case.reference,
            case.name,
            label(case.rosh),
            label(case.cohort),
            case.mappa_category,
            case.mappa_level,
            label(case.setting),
            case.site.name,
            case.site.region.name,
            label(responsibility_state(case, on, policy)),
            case.release_date,
        ]
        for need in needs.get(case.id, []) or [None]:
            if need is None:
                rows.append([*facts, "", None, "", "", None, ""])
                continue
            name, staff_ref, start, pinned = holders.get(need.id, ("Nobody", "", None, False))
            rows.append(
                [*facts, need_name(need), need.hours, name, staff_ref, start,
                 "Yes" if pinned else "No"]
            )  # fmt: skip
    return rows


def _filtered(query: Select[Any], filters: dict[str, str], total: Any, covered: Any) -> Select[Any]:
    """Apply the filters that were chosen."""
    conditions = {
        "region": lambda v: Site.region_id == int(v),
        "site": lambda v: Case.site_id == int(v),
        "setting": lambda v: Case.setting == v,
        "rosh": lambda v: Case.rosh == v,
        "cohort": lambda v: Case.cohort == v,
        "mappa_level": lambda v: Case.mappa_level == int(v),
        "covered": lambda v: covered >= total if v == "yes" else covered < total,
    }
    chosen = [conditions[name](value) for name, value in filters.items() if value]
    return query.where(and_(*chosen)) if chosen else query


@dataclass(frozen=True)
class NeedHolding:
    """A need, who holds it now (None: nobody), and who takes it over next, if anyone."""

    need: Need
    allocation: Allocation | None
    upcoming: Allocation | None


@dataclass(frozen=True)
class CaseRecord:
    """Everything the case page shows."""

    case: Case
    handover: Handover
    state: ResponsibilityState
    responsible: Role
    holdings: list[NeedHolding]
    retired: list[Need]
    alerts: list[Alert]
    history: list[AuditEvent]
    on: date

    @property
    def responsibility(self) -> str:
        """Who is responsible now, and any COM still to come, from the same holdings the needs
        table shows: it cannot say someone holds what the alerts say nobody does."""

        def holder(key: str) -> str | None:
            held = next((h for h in self.holdings if h.need.key == key), None)
            return held.allocation.staff_member.name if held and held.allocation else None

        com, pom = holder("com"), holder("pom")
        dates = self.handover
        if self.responsible == Role.PROBATION:
            if com:
                return f"COM, {com}"
            since = dates.com_responsible_from
            when = f" since {govuk_date(since)}" if since and since <= self.on else ""
            return f"COM responsible{when}, not yet allocated"
        line = f"POM, {pom}" if pom else "POM, not yet allocated"
        if self.state != ResponsibilityState.COMMUNITY and dates.com_allocated_from:
            if com:
                line += f"; COM allocated, {com}"
            else:
                needed = dates.com_allocated_from
                line += f"; COM needed from {govuk_date(needed)}, not yet allocated"
        return line


# Ids a statement names at once: far below any database's limit on bound values.
CHUNK = 5000


def _chunks(ids: list[int]) -> list[list[int]]:
    """Ids in chunks small enough for one statement each."""
    return [ids[start : start + CHUNK] for start in range(0, len(ids), CHUNK)]


def case_record(
    session: Session, case_id: int, policy: Policy, on: date, reach: Reach
) -> CaseRecord | None:
    """A case the user may open, with its dates, needs and holders, exclusions, alerts, history."""
    case = session.scalar(
        select(Case)
        .where(Case.id == case_id, case_openable(reach))
        .options(
            joinedload(Case.site).joinedload(Site.region),
            selectinload(Case.needs)
            .selectinload(Need.allocations)
            .joinedload(Allocation.staff_member),
            selectinload(Case.exclusions).joinedload(Exclusion.staff_member),
        )
    )
    if case is None:
        return None
    holdings = [
        NeedHolding(
            need,
            need.allocation_on(on),
            next((a for a in need.allocations if a.start_date > on), None),
        )
        for need in case.needs
        if need.active
    ]
    alerts = session.scalars(
        select(Alert).where(Alert.case_id == case.id, Alert.closed_at.is_(None)).order_by(Alert.id)
    ).all()
    history = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.case_id == case.id)
        .order_by(AuditEvent.id.desc())
        .limit(50)
    ).all()
    return CaseRecord(
        case=case,
        handover=handover(case, policy),
        state=responsibility_state(case, on, policy),
        responsible=responsible_role(case, on, policy),
        holdings=holdings,
        retired=[need for need in case.needs if not need.active],
        alerts=list(alerts),
        history=list(history),
        on=on,
    )


def case_views(session: Session, case_id: int, limit: int) -> list[AuditEvent]:
    """The latest times anyone opened the case, newest first."""
    return list(
        session.scalars(
            select(AuditEvent)
            .where(*_views_of(case_id))
            .order_by(AuditEvent.id.desc())
            .limit(limit)
        )
    )


def case_view_count(session: Session, case_id: int) -> int:
    """How many times anyone has opened the case."""
    query = select(func.count()).select_from(AuditEvent).where(*_views_of(case_id))
    return session.scalar(query) or 0


def _views_of(case_id: int) -> tuple[ColumnElement[bool], ...]:
    """The audit lines of the case's views (found by the log's index on entity and id)."""
    return (
        AuditEvent.entity == "case",
        AuditEvent.entity_id == str(case_id),
        AuditEvent.action == VIEW,
    )


def excludable_staff(session: Session, case: Case) -> list[StaffMember]:
    """The active people of the case's region not yet excluded from it, by name."""
    excluded = {exclusion.staff_member_id for exclusion in case.exclusions}
    people = session.scalars(
        select(StaffMember)
        .join(Site)
        .where(StaffMember.active, Site.region_id == case.site.region_id)
        .options(joinedload(StaffMember.site))
        .order_by(StaffMember.name)
    )
    return [person for person in people if person.id not in excluded]
