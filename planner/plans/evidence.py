"""The evidence of a run's review, a part at a time: its proposals by kind and its workloads.

Each function takes plain filter values (a ReviewFilters), the regions the user may see among
them; the proposals are filtered, sorted, counted and paged in SQL.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import ColumnElement, Select, String, and_, case, func, literal_column, or_, select
from sqlalchemy.orm import Session, aliased, selectinload
from werkzeug.datastructures import MultiDict

from planner.domain.policy import Policy
from planner.domain.reach import Reach
from planner.domain.rules import HIGH_RISKS, away_words, horizon_hours
from planner.domain.vocabulary import Rosh
from planner.domain.weeks import IsoWeek
from planner.models import (
    Absence,
    Case,
    Need,
    PlanRun,
    ProposedAssignment,
    Region,
    Site,
    StaffMember,
)
from planner.models.reach import case_openable, case_within, staff_within
from planner.plans.review import (
    DROPPED,
    KINDS,
    MOVE,
    NEW,
    UNCHANGED,
    UNCOVERED,
    Holder,
    RunProblem,
    in_words,
    kind_of,
)
from planner.web.listing import (
    PER_PAGE,
    ListPagination,
    RowPagination,
    page_number,
    sort_by,
)
from planner.web.text import hidden_character

# The review's parts after its summary, each a table of the kinds of proposal it lists.
TABS: dict[str, tuple[str, ...]] = {
    "uncovered": (UNCOVERED, DROPPED),
    "changes": (DROPPED, MOVE, NEW),
    "unchanged": (UNCHANGED,),
}
RISK_VALUES = frozenset(rosh.value for rosh in Rosh)

TYPED_LIMIT = 120  # longer than any region, site, name or staff ID
RESTRICTED = "a restricted case"  # how a case the user may not open is named to them

HolderNow = aliased(StaffMember, name="holder_now")
Planned = aliased(StaffMember, name="planned")


def _typed(args: MultiDict[str, str], name: str) -> str:
    """A name typed into a filter, at most as long as any name; one holding a NUL or another
    hidden character no name has reads as any, and never reaches the database (PostgreSQL
    refuses a NUL)."""
    value = args.get(name, "").strip()[:TYPED_LIMIT]
    return "" if hidden_character(value) else value


@dataclass(frozen=True)
class ReviewFilters:
    """What a review page is narrowed to, as plain values ("" for any), within a user's reach."""

    region: str = ""
    site: str = ""
    rosh: str = ""
    # Words of a practitioner's name, or their staff ID: the holder now or the one planned.
    person: str = ""
    kind: str = ""
    reach: Reach = field(default_factory=Reach.everything)

    @classmethod
    def from_args(cls, args: MultiDict[str, str], reach: Reach) -> ReviewFilters:
        """The filters in a query string; a value that cannot match reads as any."""
        rosh, kind = args.get("rosh", ""), args.get("kind", "")
        return cls(
            region=_typed(args, "region"),
            site=_typed(args, "site"),
            rosh=rosh if rosh in RISK_VALUES else "",
            person=_typed(args, "person"),
            kind=kind if kind in KINDS else "",
            reach=reach,
        )

    def place_only(self) -> ReviewFilters:
        """Only the region and site: what the summary of a part of the run is narrowed to."""
        return ReviewFilters(region=self.region, site=self.site, reach=self.reach)


@dataclass(frozen=True)
class ReviewRow:
    """One proposal as the review lists it: the case, the holder now and the one planned."""

    proposal: ProposedAssignment
    need: Need
    case: Case
    site: Site
    region: Region
    holder: StaffMember | None
    planned: StaffMember | None
    kind: str
    why: str | None

    @property
    def detail(self) -> str:
        """Why nobody can take the need, in a manager's words."""
        return in_words(self.proposal.detail)

    @property
    def remedy(self) -> str:
        """What would cover the need, in a manager's words."""
        return in_words(self.proposal.remedy_text)


@dataclass(frozen=True)
class Load:
    """A person's Workload % when the run read the caseload and under the plan."""

    staff_id: int
    name: str
    grade: str
    site: str
    region: str
    available: float
    before: float | None
    after: float | None
    # The very high and high risk cases planned to them: what a workload past the safe one buys.
    high_risk: tuple[str, ...] = ()


def kind_column() -> ColumnElement[str]:
    """A proposal's kind, in SQL, to filter, sort and group by."""
    planned = ProposedAssignment.staff_member_id
    current = ProposedAssignment.current_staff_member_id
    # The kinds as literals, not parameters: PostgreSQL matches a grouped expression by its text,
    # and each use of a parameter would be named afresh.
    kind = {name: literal_column(f"'{name}'", String) for name in KINDS}
    return case(
        (and_(planned.is_(None), current.is_(None)), kind[UNCOVERED]),
        (planned.is_(None), kind[DROPPED]),
        (current.is_(None), kind[NEW]),
        (planned == current, kind[UNCHANGED]),
        else_=kind[MOVE],
    )


def scoped(
    query: Select[Any], run_id: int, filters: ReviewFilters, holders: bool = False
) -> Select[Any]:
    """A query over the run's proposals joined to their case and place (and their holders, when
    it reads them or looks for a person), filtered."""
    query = (
        query.select_from(ProposedAssignment)
        .join(Need, ProposedAssignment.need_id == Need.id)
        .join(Case, Need.case_id == Case.id)
        .join(Site, Case.site_id == Site.id)
        .join(Region, Site.region_id == Region.id)
        .where(ProposedAssignment.run_id == run_id, case_within(filters.reach))
    )
    if holders or filters.person:
        query = query.outerjoin(
            HolderNow, ProposedAssignment.current_staff_member_id == HolderNow.id
        ).outerjoin(Planned, ProposedAssignment.staff_member_id == Planned.id)
    conditions = []
    if filters.region:
        conditions.append(Region.name == filters.region)
    if filters.site:
        conditions.append(Site.code == filters.site)
    if filters.rosh:
        conditions.append(Case.rosh == filters.rosh)
    if filters.kind:
        conditions.append(kind_column() == filters.kind)
    if filters.person:
        words = filters.person
        conditions.append(
            or_(
                HolderNow.name.icontains(words, autoescape=True),
                Planned.name.icontains(words, autoescape=True),
                HolderNow.staff_ref == words,
                Planned.staff_ref == words,
            )
        )
    return query.where(*conditions) if conditions else query


def proposal_page(
    session: Session, run: PlanRun, tab: str, filters: ReviewFilters, args: MultiDict[str, str]
) -> tuple[RowPagination, str, str]:
    """One page of a tab's proposals, filtered and sorted (the highest risk first unless asked)."""
    query, key, direction = proposal_query(run, TABS[tab], filters, args)
    chosen = kind_column().in_(TABS[tab])
    counted = scoped(select(func.count()), run.id, filters).where(chosen)
    page = ProposalPagination(
        page=page_number(args),
        per_page=PER_PAGE,
        error_out=False,
        select=query,
        session=session,
        counted=counted,
    )
    return page, key, direction


PROPOSAL_SORTS = ("case", "risk", "site", "holder", "planned", "hours", "kind")


def proposal_query(
    run: PlanRun, kinds: Collection[str], filters: ReviewFilters, args: MultiDict[str, str]
) -> tuple[Select[Any], str, str]:
    """The run's proposals of some kinds, filtered and sorted (the highest risk first unless
    asked): a tab's pages and its download read the same rows."""
    if "sort" not in args:
        args = MultiDict({**args.to_dict(), "sort": "risk", "direction": "desc"})
    chosen = kind_column().in_(list(kinds))
    query = scoped(_proposal_columns(), run.id, filters, holders=True).where(chosen)
    columns = {
        "case": Case.reference,
        "risk": Case.rosh_rank,
        "site": Site.code,
        "holder": HolderNow.name,
        "planned": Planned.name,
        "hours": ProposedAssignment.hours,
        "kind": kind_column(),
    }
    query, key, direction = sort_by(query, args, columns, default="risk")
    return query.order_by(Case.reference, ProposedAssignment.need_index), key, direction


class ProposalPagination(RowPagination):
    """A page of proposals, counted without reading the columns the page shows."""

    def _query_count(self) -> int:
        """How many proposals there are on every page."""
        session: Session = self._query_args["session"]
        return session.execute(self._query_args["counted"]).scalar_one()


def proposal_rows(
    session: Session,
    run: PlanRun,
    filters: ReviewFilters,
    kinds: Collection[str],
    risks: Collection[str] | None = None,
    limit: int = PER_PAGE,
) -> list[Any]:
    """The first proposals of some kinds (and risks), the highest risk first."""
    query = scoped(_proposal_columns(), run.id, filters, holders=True)
    query = query.where(kind_column().in_(list(kinds)))
    if risks is not None:
        query = query.where(Case.rosh.in_(list(risks)))
    query = query.order_by(Case.rosh_rank.desc(), Case.reference, ProposedAssignment.need_index)
    return list(session.execute(query.limit(limit)))


def _proposal_columns() -> Select[Any]:
    """What a row of the review's tables reads (a manager's reasons with it, not a query a row)."""
    return select(ProposedAssignment, Need, Case, Site, Region, HolderNow, Planned).options(
        selectinload(ProposedAssignment.categories)
    )


def described(
    session: Session, stored: RunProblem, policy: Policy, rows: Iterable[Any]
) -> list[ReviewRow]:
    """Rows of proposals with their kind and, where the holder changes, why in words."""
    rows = list(rows)
    holders = holders_of(
        session,
        stored.run,
        policy,
        [holder.id for _, _, _, _, _, holder, planned in rows if _loses(holder, planned)],
    )
    monday = IsoWeek.parse(stored.run.week).monday
    found = []
    for proposal, need, case_row, site, region, holder, planned in rows:
        why = None
        if proposal.overridden:
            why = f"changed by a manager: {proposal.override_words}"
        elif _loses(holder, planned):
            why = stored.why_moved(
                proposal.case_reference,
                proposal.need_index,
                holders[holder.id],
                monday,
                dropped=planned is None,
            )
        kind = kind_of(proposal.current_staff_member_id, proposal.staff_member_id)
        found.append(ReviewRow(proposal, need, case_row, site, region, holder, planned, kind, why))
    return found


def _loses(holder: StaffMember | None, planned: StaffMember | None) -> bool:
    """Whether the holder now does not keep the need."""
    return holder is not None and (planned is None or planned.id != holder.id)


def holders_of(
    session: Session, run: PlanRun, policy: Policy, staff_ids: Collection[int]
) -> dict[int, Holder]:
    """What the review needs to know of the holders who lose needs: away, gone, vetting."""
    if not staff_ids:
        return {}
    ids = list(set(staff_ids))
    week = IsoWeek.parse(run.week)
    last = week.plus(max(1, policy.horizon_weeks) - 1).sunday
    # Only someone away for whole days in the horizon can be away for a whole week of it.
    away = set(
        session.scalars(
            select(Absence.staff_member_id).where(
                Absence.staff_member_id.in_(ids),
                Absence.hours_per_week.is_(None),
                Absence.start_date <= last,
                Absence.end_date >= week.monday,
            )
        )
    )
    words: dict[int, str | None] = {}
    if away:
        people = session.scalars(
            select(StaffMember)
            .where(StaffMember.id.in_(away))
            .options(selectinload(StaffMember.absences))
        )
        for person in people:
            # Absence is the cause when it takes a whole week of the horizon.
            if 0 in horizon_hours(person, week, policy).weekly:
                words[person.id] = away_words(person, week, policy)
    rows = session.execute(
        select(
            StaffMember.id, StaffMember.staff_ref, StaffMember.active, StaffMember.vetting_expiry
        ).where(StaffMember.id.in_(ids))
    )
    return {
        staff_id: Holder(staff_ref, active, words.get(staff_id), expiry)
        for staff_id, staff_ref, active, expiry in rows
    }


def planned_hours(session: Session, run: PlanRun) -> dict[int, float]:
    """The hours a week the plan gives each person, across the whole run."""
    rows = session.execute(
        select(ProposedAssignment.staff_member_id, func.sum(ProposedAssignment.hours))
        .where(ProposedAssignment.run_id == run.id, ProposedAssignment.staff_member_id.is_not(None))
        .group_by(ProposedAssignment.staff_member_id)
    )
    return {staff_id: float(hours) for staff_id, hours in rows}


def loads(
    session: Session, stored: RunProblem, policy: Policy, filters: ReviewFilters
) -> list[Load]:
    """Everyone whose Workload % the plan changes or leaves past the safe workload, filtered."""
    hours = planned_hours(session, stored.run)
    people = session.execute(
        select(
            StaffMember.id, StaffMember.staff_ref, StaffMember.name, StaffMember.grade, Site.name
        )
        .join(Site, StaffMember.site_id == Site.id)
        .where(staff_within(filters.reach))
    )
    by_ref = {ref: (staff_id, name, grade, site) for staff_id, ref, name, grade, site in people}
    words = filters.person.lower()
    found = []
    for member in stored.problem.staff:
        if member.id not in by_ref:
            continue
        staff_id, name, grade, site = by_ref[member.id]
        if (filters.region and member.region != filters.region) or (
            filters.site and member.site != filters.site
        ):
            continue
        if words and words not in name.lower() and filters.person != member.id:
            continue
        before = stored.workload_before(member)
        after = stored.workload_after(member, hours.get(staff_id, 0.0))
        if before == after and (after or 0.0) <= policy.safe_workload:
            continue
        load = Load(staff_id, name, grade.value, site, member.region,
                    member.available_hours, before, after)  # fmt: skip
        found.append(load)
    over = [load.staff_id for load in found if (load.after or 0.0) > policy.safe_workload]
    covering = high_risk_held(session, stored.run, over, filters.reach)
    return [replace(load, high_risk=covering.get(load.staff_id, ())) for load in found]


def high_risk_held(
    session: Session, run: PlanRun, staff_ids: Collection[int], reach: Reach
) -> dict[int, tuple[str, ...]]:
    """The very high and high risk cases the plan gives each of these people (those the user
    may not open as "a restricted case")."""
    if not staff_ids:
        return {}
    rows = session.execute(
        select(
            ProposedAssignment.staff_member_id,
            ProposedAssignment.case_reference,
            case_openable(reach),
        )
        .join(Need, ProposedAssignment.need_id == Need.id)
        .join(Case, Need.case_id == Case.id)
        .where(
            ProposedAssignment.run_id == run.id,
            ProposedAssignment.staff_member_id.in_(list(staff_ids)),
            Case.rosh.in_([rosh.value for rosh in HIGH_RISKS]),
        )
    )
    found: dict[int, set[tuple[bool, str]]] = defaultdict(set)
    for staff_id, reference, openable in rows:
        found[staff_id].add((not openable, reference))
    # Each restricted case counts, but is never named.
    return {
        staff_id: tuple(RESTRICTED if hidden else reference for hidden, reference in sorted(held))
        for staff_id, held in found.items()
    }


LOAD_SORTS = {
    "name": lambda load: load.name,
    "before": lambda load: load.before or 0.0,
    "after": lambda load: load.after or 0.0,
    "change": lambda load: (load.after or 0.0) - (load.before or 0.0),
    "hours": lambda load: load.available,
}


def load_page(
    session: Session,
    stored: RunProblem,
    policy: Policy,
    filters: ReviewFilters,
    args: MultiDict[str, str],
) -> tuple[ListPagination, str, str]:
    """One page of the workloads, sorted (the most loaded after the plan first unless asked)."""
    found, key, direction = sorted_loads(session, stored, policy, filters, args)
    page = ListPagination(page=page_number(args), per_page=PER_PAGE, error_out=False, items=found)
    return page, key, direction


def sorted_loads(
    session: Session,
    stored: RunProblem,
    policy: Policy,
    filters: ReviewFilters,
    args: MultiDict[str, str],
) -> tuple[list[Load], str, str]:
    """Every workload of the part, sorted as asked: the page and its download read the same."""
    key = args.get("sort", "after")
    key = key if key in LOAD_SORTS else "after"
    asked = args.get("direction")
    direction = asked if asked in ("asc", "desc") else ("asc" if key == "name" else "desc")
    found = sorted(loads(session, stored, policy, filters), key=lambda load: load.name)
    found.sort(key=LOAD_SORTS[key], reverse=direction == "desc")
    return found, key, direction


def places(session: Session, run: PlanRun, reach: Reach) -> tuple[list[str], list[tuple[str, str]]]:
    """The regions of the run's cases the user may see by name, and their sites (code, name)."""
    everywhere = ReviewFilters(reach=reach)
    rows = session.execute(
        scoped(select(Region.name, Site.code, Site.name), run.id, everywhere).distinct()
    ).all()
    regions = sorted({region for region, _, _ in rows})
    return regions, sorted({(code, name) for _, code, name in rows}, key=lambda site: site[1])


def kind_counts(session: Session, run: PlanRun, filters: ReviewFilters) -> dict[str, int]:
    """How many proposals of each kind the filters choose."""
    rows = session.execute(
        scoped(select(kind_column(), func.count()), run.id, filters).group_by(kind_column())
    ).all()
    found = dict(rows)
    return {kind: found.get(kind, 0) for kind in KINDS}
