"""Need-to-know: every route of the planner, walked by each role seeing one region, the other, or
every region, for records of the second region. A route without an entry here fails the walk, so
no page can be added without deciding who may open it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient
from sqlalchemy import select

from planner.domain.vocabulary import AlertSeverity, NeedSource, UserRole
from planner.domain.weeks import IsoWeek
from planner.extensions import db
from planner.jobs.queue import perform
from planner.models import (
    Alert,
    Allocation,
    AuditEvent,
    Case,
    Exclusion,
    PlanRun,
    ProposedAssignment,
    StaffingAsk,
    User,
    WhatIf,
)
from planner.plans.batch import run_week
from planner.plans.lookahead import look_ahead_here
from planner.plans.staffing import ask_for_staff
from planner.plans.whatif import Change, ask_what_if
from tests.conftest import AppFactory, add_user, sign_in
from tests.planner.imports import pending_for
from tests.planner.world import World

TODAY = "2026-11-30"
WEEK = "2026-W49"

# What kind of thing a route shows, and so what a user outside region B gets for B's record:
RECORD = "record"  # one of region B's records: 404 outside B (its existence is not revealed)
LIST = "list"  # a list or figures, limited to the user's regions: open to all, never 404
ANY = "any"  # not about a region (the policy, users, places, a national run): open to all
NATIONAL = "national"  # a tool about every region at once: 404 to anyone who does not see all
POST = "post"  # no page to open: a button's target, checked by the tests of its feature
PUBLIC = "public"  # before sign-in (assets, the sign-in page)
MOVED = "moved"  # a national tool's first address, sending its users on (302) to where it is now
OWN = "own"  # one user's own (an upload they are previewing): 404 to everyone else


@dataclass(frozen=True)
class Access:
    """A route's entry: the lowest role that may open it, and what it shows."""

    role: UserRole
    kind: str


V, M, A = UserRole.VIEWER, UserRole.MANAGER, UserRole.ADMIN
ROUTES: dict[str, Access] = {
    "admin.add_region": Access(A, ANY),
    "admin.add_site": Access(A, ANY),
    "admin.add_user": Access(A, ANY),
    "admin.change_regions": Access(A, ANY),
    "admin.change_email": Access(A, ANY),
    "admin.change_role": Access(A, ANY),
    "admin.change_status": Access(A, ANY),
    "admin.edit_region": Access(A, ANY),
    "admin.edit_settings": Access(A, ANY),
    "admin.edit_site": Access(A, ANY),
    "admin.index": Access(V, ANY),
    "admin.place_list": Access(V, ANY),
    "admin.set_password": Access(A, ANY),
    "admin.user": Access(A, ANY),
    "admin.user_list": Access(A, ANY),
    "alerts.acknowledge": Access(M, RECORD),
    "alerts.check_dates_now": Access(M, POST),
    "alerts.index": Access(V, LIST),
    "alerts.show": Access(V, RECORD),
    "assets.asset": Access(V, PUBLIC),
    "auth.sign_in": Access(V, PUBLIC),
    "auth.sign_out": Access(V, POST),
    "auth.stay_signed_in": Access(V, POST),
    "cases.access": Access(M, RECORD),
    "cases.add_exclusion": Access(M, RECORD),
    "cases.add_need": Access(M, RECORD),
    "cases.create": Access(M, ANY),
    "cases.edit": Access(M, RECORD),
    "cases.edit_need": Access(M, RECORD),
    "cases.index": Access(V, LIST),
    "cases.pin": Access(M, RECORD),
    "cases.remove_exclusion": Access(M, RECORD),
    "cases.restore_need": Access(M, RECORD),
    "cases.show": Access(V, RECORD),
    "cases.views": Access(A, RECORD),
    "dashboard.index": Access(V, LIST),
    "exports.alerts": Access(V, LIST),
    "exports.allocation": Access(V, LIST),
    "exports.changes": Access(V, LIST),
    "exports.look_ahead": Access(V, LIST),
    "exports.plan": Access(V, LIST),
    "exports.staff": Access(V, LIST),
    "exports.staffing_ask": Access(V, NATIONAL),
    "exports.unchanged": Access(V, LIST),
    "exports.uncovered": Access(V, LIST),
    "exports.workloads": Access(V, LIST),
    "handovers.index": Access(V, LIST),
    "imports.confirm": Access(M, POST),
    "imports.preview": Access(M, OWN),
    "imports.records": Access(M, LIST),
    "imports.upload": Access(M, ANY),
    "plans.approve_run": Access(M, ANY),
    "plans.cancel_job": Access(M, POST),
    "plans.change": Access(M, RECORD),
    "plans.changes": Access(V, LIST),
    "plans.compare": Access(V, LIST),
    "plans.index": Access(V, LIST),
    "plans.job_status": Access(V, ANY),
    "plans.look_ahead": Access(V, LIST),
    "plans.run": Access(M, POST),
    "plans.show": Access(V, LIST),
    "plans.staffing": Access(V, NATIONAL),
    "plans.staffing_csv": Access(V, MOVED),
    "plans.unchanged": Access(V, LIST),
    "plans.uncovered": Access(V, LIST),
    "plans.what_if": Access(M, NATIONAL),
    "plans.what_if_answer": Access(V, NATIONAL),
    "plans.workloads": Access(V, LIST),
    "search.results": Access(V, LIST),
    "search.suggestions": Access(V, LIST),
    "staff.delete_absence": Access(M, RECORD),
    "staff.edit": Access(M, RECORD),
    "staff.edit_absence": Access(M, RECORD),
    "staff.index": Access(V, LIST),
    "staff.compare_people": Access(V, RECORD),
    "staff.new": Access(M, ANY),
    "staff.new_absence": Access(M, RECORD),
    "staff.show": Access(V, RECORD),
}
# Query strings some routes need; "{name}" is one of the places' values.
QUERIES: dict[str, dict[str, Any]] = {
    "plans.compare": {"first": 1, "second": 1},
    "staff.compare_people": {"person": ["{staff_id}", "{other_staff_id}"]},
    **{
        f"exports.{kind}": {"format": "csv", "run": 1}
        for kind in (
            "alerts",
            "allocation",
            "changes",
            "look_ahead",
            "plan",
            "staff",
            "staffing_ask",
            "unchanged",
            "uncovered",
            "workloads",
        )
    },
}
# Who sees what: region A (London), region B (Wales), or every region.
REACHES = ("london", "wales", "national")


def expected(access: Access, role: UserRole, reach: str) -> int:
    """The status a user of a role and reach gets opening a route for region B's record."""
    if not _holds(role, access.role):
        return 403
    if access.kind == RECORD and reach == "london":
        return 404
    if access.kind in (NATIONAL, MOVED) and reach != "national":
        return 404
    if access.kind == OWN:
        return 404
    return 302 if access.kind == MOVED else 200


def _holds(role: UserRole, needed: UserRole) -> bool:
    """Whether a role is the one needed or above it."""
    order = list(UserRole)
    return order.index(role) >= order.index(needed)


@dataclass
class Places:
    """The ids the walk opens: region B's records, and the regions."""

    values: dict[str, Any]
    london: int
    wales: int
    london_case: str
    wales_case: str


def build(app: Flask) -> Places:
    """Two regions, a case and a person in each, a run of the week, a what-if and an ask."""
    with app.app_context():
        world = World(db.session)
        wales, _, wales_office = world.elsewhere("Wales")
        here, there, other = (
            world.person(),
            world.person(site=wales_office),
            world.person(site=wales_office),
        )
        london_case = world.case(reference="CT-LON-0001", name="Lon Don")
        wales_case = world.case(reference="CT-WAL-0001", name="Wyn Wales", site=wales_office)
        world.hold(london_case, "com", here)
        world.hold(wales_case, "com", there)
        world.away(there, date(2027, 1, 4), date(2027, 1, 8))
        wales_case.exclusions.append(Exclusion(staff_member=other, reason="A past relationship"))
        wales_case.needs[0].source = NeedSource.MANAGER
        db.session.commit()
        run = run_week(db.session, IsoWeek.parse(WEEK), "highs", 10, None, "test")
        asked, _ = ask_what_if(
            db.session, run, Change("sick", staff_ref=there.staff_ref), None, "t"
        )
        perform(WhatIf.job_kind, asked.id, apart=False)
        ask, _ = ask_for_staff(db.session, run, None, "test")
        perform(StaffingAsk.job_kind, ask.id, apart=False)
        look_ahead_here(db.session, IsoWeek.parse(WEEK), 1, "highs", 3, "test")
        # An alert the run did not raise, so that it stays open whatever the run found.
        db.session.add(
            Alert(
                key=f"no_com:case:{wales_case.id}",
                kind="no_com",
                severity=AlertSeverity.CRITICAL,
                case_id=wales_case.id,
                week=WEEK,
                reason="No COM allocated",
            )
        )
        uploader = User(username="uploader", role=UserRole.MANAGER, national=True)
        uploader.set_password("a long enough password for this")
        db.session.add(uploader)
        db.session.commit()
        proposal = db.session.scalar(
            select(ProposedAssignment.id).where(
                ProposedAssignment.need_id == wales_case.needs[0].id
            )
        )
        alert = db.session.scalar(select(Alert.id).where(Alert.case_id == wales_case.id))
        values = {
            "run_id": run.id,
            "case_id": wales_case.id,
            "need_id": wales_case.needs[0].id,
            "staff_id": there.id,
            "other_staff_id": other.id,
            "absence_id": there.absences[0].id,
            "allocation_id": wales_case.needs[0].allocations[0].id,
            "exclusion_id": wales_case.exclusions[0].id,
            "proposal_id": proposal,
            "alert_id": alert,
            "user_id": 1,
            "region_id": wales.id,
            "site_id": wales_office.id,
            "what_if_id": asked.id,
            "kind": "plan-run",
            "job_id": run.id,
            "slug": "risk-weights",
            "filename": "planner.css",
            "pending_id": pending_for(app, "uploader"),
            "record_kind": "staff",
            "file_format": "csv",
        }
        return Places(values, world.region.id, wales.id, "CT-LON-0001", "CT-WAL-0001")


@pytest.fixture
def app(app_factory: AppFactory) -> Flask:
    """The two-region world on a fixed day."""
    return app_factory("need_to_know", TODAY=TODAY)


@pytest.fixture
def places(app: Flask) -> Places:
    """The two-region world's records, and a user of each role and reach."""
    found = build(app)
    for role in UserRole:
        for reach in REACHES:
            regions = {"london": [found.london], "wales": [found.wales]}.get(reach)
            add_user(app, f"{role.value}.{reach}", role, regions=regions)
    return found


def signed_in(app: Flask, username: str) -> Iterator[FlaskClient]:
    """A browser signed in as the user."""
    with app.test_client() as client:
        assert sign_in(client, username).status_code == 302
        yield client


def test_every_route_has_an_entry_and_answers_each_role_and_region_as_it_says(
    app: Flask, places: Places
) -> None:
    routes = {rule.endpoint: rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"}
    missing = sorted(set(routes) - set(ROUTES))
    assert not missing, f"decide who may open these routes, in ROUTES: {missing}"
    assert not set(ROUTES) - set(routes), "ROUTES names routes that are gone"
    walked = 0
    for role in UserRole:
        for reach in REACHES:
            for client in signed_in(app, f"{role.value}.{reach}"):
                for endpoint, rule in sorted(routes.items()):
                    access = ROUTES[endpoint]
                    if access.kind in (POST, PUBLIC):
                        continue
                    with app.test_request_context():
                        parts = {name: places.values[name] for name in rule.arguments}
                        query = {
                            name: [str(v).format(**places.values) for v in value]
                            if isinstance(value, list)
                            else value
                            for name, value in QUERIES.get(endpoint, {}).items()
                        }
                        address = url_for(endpoint, **parts, **query)
                    with client.get(address) as response:
                        want = expected(access, role, reach)
                        assert response.status_code == want, (
                            f"{role.value} seeing {reach}: GET {address} answered "
                            f"{response.status_code}, not {want}"
                        )
                        if response.status_code == 404:
                            page = response.get_data(as_text=True)
                            assert "Page not found" in page
                            assert places.wales_case not in page
                    walked += 1
    assert walked > 300


def page(client: FlaskClient, address: str) -> str:
    """A page's text, which must have opened."""
    response = client.get(address)
    assert response.status_code == 200, address
    return response.get_data(as_text=True)


@pytest.mark.parametrize(
    "address",
    ["/cases/", "/alerts/", "/", "/plans/1", "/plans/compare?first=1&second=1", "/search?q=CT-",
     "/search/suggestions?q=CT-", "/search?q=CT-&kind=cases"],
)  # fmt: skip
def test_lists_and_figures_hold_only_the_users_regions(
    app: Flask, places: Places, address: str
) -> None:
    for client in signed_in(app, "manager.london"):
        text = page(client, address)
        assert places.wales_case not in text
        assert "Wyn Wales" not in text
    for client in signed_in(app, "manager.wales"):
        text = page(client, address)
        assert places.london_case not in text
    for client in signed_in(app, "manager.national"):
        text = page(client, "/cases/")
        assert places.wales_case in text and places.london_case in text


def test_the_staff_list_and_its_search_hold_only_the_users_regions(
    app: Flask, places: Places
) -> None:
    link = f'href="/staff/{places.values["staff_id"]}"'
    for client in signed_in(app, "viewer.london"):
        listed = page(client, "/staff/")
        assert "Test Person 1</a>" in listed
        assert link not in listed
        assert link not in page(client, "/staff/?search=Test+Person+2")
        # Nor is region B offered as a filter.
        assert ">Wales</option>" not in listed
    for client in signed_in(app, "viewer.wales"):
        assert link in page(client, "/staff/?search=Test+Person+2")


def test_dashboard_counts_are_the_regions_own(app: Flask, places: Places) -> None:
    counts = {}
    for reach in REACHES:
        for client in signed_in(app, f"viewer.{reach}"):
            text = page(client, "/")
            counts[reach] = text.split("Active cases</dt>")[1].split("</dd>")[0].split(">")[-1]
    assert counts == {"london": "1", "wales": "1", "national": "2"}


def restrict(app: Flask, places: Places, named: list[str]) -> None:
    """Restrict region B's case to the named users, as a national manager does on its page."""
    for client in signed_in(app, "manager.national"):
        with app.app_context():
            ids = {
                name: user_id
                for name, user_id in db.session.execute(select(User.username, User.id))
            }
        data = {"restricted": "yes", "users": [str(ids[name]) for name in named]}
        response = client.post(f"/cases/{places.values['case_id']}/access", data=data)
        assert response.status_code == 302


def test_a_restricted_case_opens_only_for_the_named_and_national_admins(
    app: Flask, places: Places
) -> None:
    restrict(app, places, ["viewer.wales"])
    address = f"/cases/{places.values['case_id']}"
    opens = {}
    for role in UserRole:
        for reach in ("wales", "national"):
            for client in signed_in(app, f"{role.value}.{reach}"):
                opens[f"{role.value}.{reach}"] = client.get(address).status_code
    assert opens == {
        "viewer.wales": 200,  # named
        "viewer.national": 404,
        "manager.wales": 404,
        "manager.national": 200,  # restricted it, so named
        "admin.wales": 404,
        "admin.national": 200,  # a national admin
    }
    for client in signed_in(app, "manager.wales"):
        assert places.wales_case not in page(client, "/cases/")
        alerts = page(client, "/alerts/")
        # Still counted and alerted, but without its name.
        assert "A restricted case" in alerts and places.wales_case not in alerts
        assert "Wyn Wales" not in page(client, f"/staff/{places.values['staff_id']}")
        run = places.values["run_id"]
        parts = ("uncovered", "changes", "unchanged", "workloads")
        review = "".join(page(client, f"/plans/{run}/{part}") for part in parts)
        assert "A restricted case" in review and places.wales_case not in review
        assert client.get(f"/cases/{places.values['case_id']}/edit").status_code == 404
    for client in signed_in(app, "viewer.wales"):
        assert places.wales_case in page(client, "/cases/")
        assert "Limited access" in page(client, address)
    with app.app_context():
        case = db.session.get(Case, places.values["case_id"])
        assert case.restricted


def test_restricting_a_case_is_audited_and_can_be_undone(app: Flask, places: Places) -> None:
    restrict(app, places, [])
    for client in signed_in(app, "manager.national"):
        address = f"/cases/{places.values['case_id']}/access"
        assert 'value="yes" checked' in page(client, address)
        client.post(address, data={"restricted": "no"})
    with app.app_context():
        case = db.session.get(Case, places.values["case_id"])
        assert not case.restricted
        lines = db.session.scalars(
            select(AuditEvent.summary).where(AuditEvent.case_id == case.id).order_by(AuditEvent.id)
        ).all()
        assert "Changed case CT-WAL-0001: restricted" in lines
        assert any(line.startswith("Created case access") for line in lines)
        assert any(line.startswith("Deleted case access") for line in lines)
    for client in signed_in(app, "manager.wales"):
        assert client.get(f"/cases/{places.values['case_id']}").status_code == 200


def test_a_regional_manager_cannot_change_another_regions_records(
    app: Flask, places: Places
) -> None:
    values = places.values
    for client in signed_in(app, "manager.london"):
        sent = {
            f"/cases/{values['case_id']}/edit": {"name": "Changed"},
            f"/alerts/{values['alert_id']}/acknowledge": {"note": "Seen"},
            f"/staff/{values['staff_id']}/absences/{values['absence_id']}/delete": {},
            f"/plans/{values['run_id']}/proposals/{values['proposal_id']}/override": {},
        }
        for address, data in sent.items():
            assert client.post(address, data=data).status_code == 404, address
    with app.app_context():
        assert db.session.get(Case, values["case_id"]).name == "Wyn Wales"
        assert db.session.get(Alert, values["alert_id"]).acknowledged_at is None


def test_a_regional_manager_approves_their_regions_part_of_a_national_run(
    app: Flask, places: Places
) -> None:
    values = places.values
    run, need = values["run_id"], values["need_id"]
    for client in signed_in(app, "manager.national"):
        # Region B's need is planned for nobody, so that approving B's part changes something.
        override = f"/plans/{run}/proposals/{values['proposal_id']}/override"
        sent = client.post(
            override, data={"person": "nobody", "reasons": ["workload"], "detail": "Moving on"}
        )
        assert sent.status_code == 302
    for client in signed_in(app, "manager.london"):
        form = page(client, f"/plans/{run}/approve")
        assert "each need of a case in London is held" in form
        assert client.post(f"/plans/{run}/approve").status_code == 302
        assert "Plan run 1 for London approved" in page(client, f"/plans/{run}")
    with app.app_context():
        # London's part leaves Wales as it was, and the run open for the rest.
        held = db.session.scalars(select(Allocation).where(Allocation.need_id == need)).all()
        assert [allocation.end_date for allocation in held] == [None]
        assert db.session.get(PlanRun, run).approved_at is None
    for client in signed_in(app, "manager.wales"):
        assert client.post(f"/plans/{run}/approve").status_code == 302
    with app.app_context():
        held = db.session.scalars(select(Allocation).where(Allocation.need_id == need)).all()
        assert [allocation.end_date for allocation in held] == [date(2026, 11, 29)]
        # Every region's part approved, the run is.
        assert db.session.get(PlanRun, run).approved_at is not None
