"""Every kind of export by name: a function from the user's reach and the options to a Sheet.

Each reads the same filtered, sorted query as the page it comes from, so that a download holds
what the page lists, every page of it. Another part of the planner adds a kind with one entry
in EXPORTS (a record export `(reach) -> Sheet` as `lambda reach, _options: records(reach)`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from planner.alerting.forms import AlertFilterForm
from planner.alerting.queries import alert_query
from planner.alerting.report import ALERT_HEADERS, alert_rows
from planner.cases.forms import CaseFilterForm
from planner.cases.queries import ALLOCATION_HEADERS, CASE_SORTS, allocation_rows, case_query
from planner.domain.clock import today
from planner.domain.reach import Reach
from planner.domain.vocabulary import JobStatus, Rosh, label
from planner.domain.weeks import IsoWeek
from planner.exports.options import ExportRefused, Options, choices_of
from planner.extensions import db
from planner.models import Case, PlanRun
from planner.models.policy import load_policy
from planner.models.reach import case_openable, case_within
from planner.plans import exports, queries
from planner.plans.evidence import (
    LOAD_SORTS,
    PROPOSAL_SORTS,
    TABS,
    ReviewFilters,
    described,
    places,
    proposal_query,
    sorted_loads,
)
from planner.plans.review import KIND_NAMES, KINDS, RunProblem
from planner.staff.forms import StaffFilterForm
from planner.staff.queries import STAFF_SORTS, every_staff_row, staff_sheet
from planner.web.addresses import database_id
from planner.web.listing import chosen_filters, regions, sites
from planner.web.spreadsheets import Sheet

Build = Callable[[Reach, Options], Sheet]


@dataclass(frozen=True)
class ExportKind:
    """One kind of export: what it is called, how it is made, the options it reads."""

    title: str
    build: Build
    options: tuple[str, ...]
    # About every region at once (as its page is): for users who see every region only.
    national: bool = False


def _openable(session: Session, reach: Reach, case_ids: Iterable[int]) -> set[int]:
    """Those of the cases the user may open (the others are "a restricted case" to them)."""
    wanted = sorted(set(case_ids))
    if not wanted:
        return set()
    return set(session.scalars(select(Case.id).where(Case.id.in_(wanted), case_openable(reach))))


def _within(session: Session, reach: Reach, case_ids: Iterable[int]) -> set[int]:
    """Those of the cases in the user's regions, restricted or not."""
    wanted = sorted(set(case_ids))
    if not wanted:
        return set()
    return set(session.scalars(select(Case.id).where(Case.id.in_(wanted), case_within(reach))))


def _filter_form(make: Callable[[MultiDict[str, str]], Any], options: Options) -> Any:
    """A list page's own filter form, reading the options as the page reads its query string;
    on the command line each choice is checked first (and may be named by its words)."""
    form = make(options.values)
    if not options.strict:
        return form
    picked = {
        name: options.pick(name, choices_of(field.choices))
        for name, field in form._fields.items()
        if getattr(field, "choices", None) is not None
    }
    return make(MultiDict({**options.values.to_dict(), **picked}))


def allocation(reach: Reach, options: Options) -> Sheet:
    """The current allocation: the case list's cases, each need and who holds it today."""
    session, on = db.session, today()
    offered = {"regions": regions(session, reach), "sites": sites(session, reach)}
    form = _filter_form(lambda values: CaseFilterForm(values, **offered), options)
    query, _, _ = case_query(chosen_filters(form), options.sorting(CASE_SORTS), on, reach)
    rows = allocation_rows(session, query, on, load_policy(session))
    return Sheet("Current allocation", ALLOCATION_HEADERS, rows)


def staff(reach: Reach, options: Options) -> Sheet:
    """The staff list with each person's hours and Workload % for the coming weeks."""
    session, on = db.session, today()
    policy = load_policy(session)
    offered = (regions(session, reach), sites(session, reach), policy)
    filters = _filter_form(lambda values: StaffFilterForm(values, *offered), options).filters()
    if options.strict and options.text("search") and not filters.search:
        raise ExportRefused("--search must not include hidden characters")
    week = IsoWeek.containing(on)
    rows = every_staff_row(session, filters, options.sorting(STAFF_SORTS), week, policy, on, reach)
    headers, table = staff_sheet(session, rows, week, policy)
    return Sheet("Staff", headers, table)


def alerts(reach: Reach, options: Options) -> Sheet:
    """The alerts list's alerts (open ones unless another status is asked for), worst first."""
    session = db.session
    offered = {"regions": regions(session, reach), "sites": sites(session, reach)}
    form = _filter_form(lambda values: AlertFilterForm(values, **offered), options)
    found = list(session.scalars(alert_query(chosen_filters(form), reach)).unique())
    openable = _openable(session, reach, (alert.case_id for alert in found if alert.case_id))
    return Sheet("Alerts", ALERT_HEADERS, alert_rows(found, openable))


def _run(session: Session, options: Options) -> PlanRun:
    """The finished run the options name."""
    text = options.text("run")
    run_id = database_id(text) if text else None
    if not text:
        raise ExportRefused("give the plan run with --run, like --run 3")
    run = session.scalar(PlanRun.listed().where(PlanRun.id == run_id)) if run_id else None
    if run is None or not run.finished:
        raise ExportRefused(f"there is no finished plan run {text}")
    return run


def _review_filters(
    session: Session, run: PlanRun, reach: Reach, options: Options, kinds: Collection[str]
) -> ReviewFilters:
    """A review part's filters as its page reads them; on the command line each is checked
    against what the run's pages offer."""
    values = options.values
    if options.strict:
        names, codes = places(session, run, reach)
        offered = {
            "region": [(name, name) for name in names],
            "site": [(code, name) for code, name in codes],
            "rosh": [(rosh.value, label(rosh)) for rosh in Rosh],
            "kind": [(kind, KIND_NAMES[kind]) for kind in kinds],
        }
        picked = {name: options.pick(name, pairs) for name, pairs in offered.items()}
        values = MultiDict({**values.to_dict(), **picked})
    return ReviewFilters.from_args(values, reach)


def _proposals(title: str, kinds: tuple[str, ...]) -> Build:
    """An export of a run's proposals of some kinds: a part of its review, or all of its plan."""

    def build(reach: Reach, options: Options) -> Sheet:
        """The part's proposals with the page's filters and sort, every page of them."""
        session = db.session
        run = _run(session, options)
        filters = _review_filters(session, run, reach, options, kinds)
        query, _, _ = proposal_query(run, kinds, filters, options.sorting(PROPOSAL_SORTS))
        rows = described(session, RunProblem(run), load_policy(session), session.execute(query))
        openable = _openable(session, reach, (row.case.id for row in rows if row.case.restricted))
        sheet_rows = exports.proposal_rows(rows, openable)
        return Sheet(f"Run {run.id} {title}", exports.PROPOSAL_HEADERS, sheet_rows)

    return build


def workloads(reach: Reach, options: Options) -> Sheet:
    """Everyone whose Workload % the run's plan changes, or leaves past the safe workload."""
    session = db.session
    run = _run(session, options)
    filters = _review_filters(session, run, reach, options, ())
    found, _, _ = sorted_loads(
        session, RunProblem(run), load_policy(session), filters, options.sorting(LOAD_SORTS)
    )
    return Sheet(f"Run {run.id} workloads", exports.LOAD_HEADERS, exports.load_rows(found))


def staffing_ask(_reach: Reach, options: Options) -> Sheet:
    """The run's staffing ask: each extra person asked for, place by place, and the totals."""
    session = db.session
    run = _run(session, options)
    ask = queries.staffing_ask_of(session, run)
    # An ask that found nobody needed is a file of the totals alone; one not yet answered is none.
    if ask is None or ask.result is None:
        raise ExportRefused(f"nobody has worked out the staffing ask of plan run {run.id} yet")
    rows = exports.staffing_rows(
        ask.result, queries.site_names(session), load_policy(session).full_time_hours
    )
    return Sheet(f"Run {run.id} staffing ask", exports.STAFFING_HEADERS, rows)


def look_ahead(reach: Reach, _options: Options) -> Sheet:
    """The latest look-ahead: each coming week's gaps, and the high-risk ones of the user's
    regions case by case."""
    session = db.session
    forecast = queries.latest_forecast(session)
    if forecast is None or forecast.status != JobStatus.FINISHED:
        raise ExportRefused("there is no finished look-ahead: look ahead first")
    results = forecast.results or []
    cases = [gap["case_id"] for week in results for gap in week["high_risk_gaps"]]
    within, openable = _within(session, reach, cases), _openable(session, reach, cases)
    rows = exports.look_ahead_rows(results, within, openable)
    return Sheet("Look ahead", exports.LOOK_AHEAD_HEADERS, rows)


SORTING = ("sort", "direction")
REVIEW = ("run", "region", "site", "rosh", "person", "kind", *SORTING)
EXPORTS: dict[str, ExportKind] = {
    "allocation": ExportKind(
        "the current allocation",
        allocation,
        ("region", "site", "setting", "rosh", "cohort", "mappa_level", "covered", *SORTING),
    ),
    "staff": ExportKind(
        "the staff list",
        staff,
        ("search", "region", "site", "role", "grade", "over", "inactive", *SORTING),
    ),
    "alerts": ExportKind("the alerts", alerts, ("severity", "kind", "region", "site", "status")),
    "plan": ExportKind("a run's plan", _proposals("plan", KINDS), REVIEW),
    "changes": ExportKind("a run's changes", _proposals("changes", TABS["changes"]), REVIEW),
    "uncovered": ExportKind(
        "a run's uncovered needs", _proposals("uncovered", TABS["uncovered"]), REVIEW
    ),
    "unchanged": ExportKind(
        "a run's unchanged needs", _proposals("unchanged", TABS["unchanged"]), REVIEW
    ),
    "workloads": ExportKind(
        "a run's workloads", workloads, ("run", "region", "site", "person", *SORTING)
    ),
    "staffing-ask": ExportKind("a run's staffing ask", staffing_ask, ("run",), national=True),
    "look-ahead": ExportKind("the look-ahead", look_ahead, ()),
}
