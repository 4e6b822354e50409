"""Approving a run once, however many press the button at once, and one region's part at a time."""

from __future__ import annotations

import html
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, func, select, text

from planner.domain.vocabulary import SiteKind, UserRole
from planner.extensions import db
from planner.models import (
    Allocation,
    Case,
    Need,
    PlanApproval,
    PlanRun,
    ProposedAssignment,
    Region,
    Site,
    User,
)
from planner.plans.approval import ApprovalRefused, approve
from planner.plans.batch import run_week
from tests.conftest import add_user, make_app, sign_in
from tests.planner.pages import text_of
from tests.planner.test_horizon import WEEK
from tests.planner.world import MONDAY, World

# Its tests pick their databases (SQLite and PostgreSQL in turn), so the PostgreSQL pass leaves it
# to the SQLite pass.
pytestmark = pytest.mark.own_database

TODAY = (MONDAY - timedelta(days=5)).isoformat()


def two_regions(app: Flask) -> None:
    """London and Wales, each with people, cases they hold and cases nobody holds yet; one run."""
    with app.app_context():
        world = World(db.session)
        wales = Site(code="NSD-WALES", name="NSD Wales team", kind=SiteKind.NSD,
                     region=Region(name="Wales"))  # fmt: skip
        db.session.add(wales)
        for site in (world.office, wales):
            first, second = world.person(site=site), world.person(site=site)
            held = [world.case(site=site) for _ in range(2)]
            for case in held:
                world.hold(case, "com", first)
            for _ in range(2):
                world.case(site=site)
            assert second
        db.session.commit()
        run = run_week(db.session, WEEK, "highs", 10, None, "test")
        assert run.finished, run.message
    add_user(app, "manager.user", UserRole.MANAGER)
    add_user(app, "other.manager", UserRole.MANAGER)


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    """Two regions planned in one run, on a real SQLite file."""
    app = make_app(f"sqlite:///{tmp_path / 'approval.db'}", TODAY=TODAY)
    two_regions(app)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def postgres_app(postgres_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The same, on a database of its own on the throwaway PostgreSQL server."""
    name = f"approval_{tmp_path.name.lower().replace('-', '_')}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = postgres_url.replace("/postgres?", f"/{name}?")
    app = make_app(url, TODAY=TODAY)
    two_regions(app)
    yield app
    with app.app_context():
        db.engine.dispose()


def user(username: str) -> User:
    """A stored user."""
    return db.session.scalar(select(User).where(User.username == username))


def region_id(name: str) -> int:
    """A region's id."""
    return db.session.scalar(select(Region.id).where(Region.name == name))


def the_allocations(app: Flask) -> tuple[Counter[int], int, int]:
    """Open allocations per need on the Monday, those the run made, and the changes it proposed."""
    with app.app_context():
        held = Counter(
            db.session.scalars(select(Allocation.need_id).where(Allocation.held_on(MONDAY)))
        )
        made = db.session.scalar(
            select(func.count()).select_from(Allocation).where(Allocation.plan_run_id == 1)
        )
        proposed = db.session.scalar(
            select(func.count())
            .select_from(ProposedAssignment)
            .where(
                ProposedAssignment.staff_member_id.is_not(None),
                ProposedAssignment.current_staff_member_id.is_distinct_from(
                    ProposedAssignment.staff_member_id
                ),
            )
        )
    return held, made, proposed


def approve_at_once(app: Flask, usernames: list[str]) -> list[Any]:
    """Each user approves run 1 in a thread of their own, all starting together."""
    start = threading.Barrier(len(usernames))
    results: list[Any] = [None] * len(usernames)

    def press(index: int, username: str) -> None:
        with app.app_context():
            run = db.session.get(PlanRun, 1)
            start.wait()
            try:
                results[index] = approve(db.session, run, user(username), username)
                db.session.commit()
            except ApprovalRefused as refusal:
                db.session.rollback()
                results[index] = refusal

    threads = [threading.Thread(target=press, args=pair) for pair in enumerate(usernames)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def assert_approved_once(app: Flask, results: list[Any]) -> None:
    """One approval changed the allocations; the other was told who approved and when."""
    changed = [result for result in results if isinstance(result, int)]
    refused = [result for result in results if isinstance(result, ApprovalRefused)]
    assert len(changed) == 1 and len(refused) == 1, results
    winner = ["manager.user", "other.manager"][results.index(changed[0])]
    assert str(refused[0]).startswith(f"this plan was already approved by {winner} on ")
    held, made, proposed = the_allocations(app)
    assert made == proposed > 0
    assert max(held.values()) == 1, "no need has two open allocations"
    with app.app_context():
        assert db.session.get(PlanRun, 1).approved_at is not None
        assert db.session.scalar(select(func.count()).select_from(PlanApproval)) == 2


def test_two_approvals_at_once_leave_one_set_of_allocations_on_sqlite(app: Flask) -> None:
    assert_approved_once(app, approve_at_once(app, ["manager.user", "other.manager"]))


def test_two_approvals_at_once_leave_one_set_of_allocations_on_postgresql(
    postgres_app: Flask,
) -> None:
    results = approve_at_once(postgres_app, ["manager.user", "other.manager"])
    assert_approved_once(postgres_app, results)


def test_approving_one_region_leaves_the_others_proposed(app: Flask) -> None:
    with app.app_context():
        run = db.session.get(PlanRun, 1)
        london, wales = region_id("London"), region_id("Wales")
        assert approve(db.session, run, user("manager.user"), "manager.user", [london]) > 0
        db.session.commit()
        assert db.session.get(PlanRun, 1).approved_at is None
        parts = {
            a.region.name: a.approved_by_name for a in db.session.scalars(select(PlanApproval))
        }
        assert parts == {"London": "manager.user"}
        # Wales's new needs have no allocation yet; London's do.
        assert _made_in(london) > 0 and _made_in(wales) == 0
        with pytest.raises(ApprovalRefused, match="part for London was already approved by"):
            approve(db.session, db.session.get(PlanRun, 1), None, "x", [london])
        db.session.rollback()
        # Approving the rest completes the run.
        assert approve(db.session, db.session.get(PlanRun, 1), user("other.manager"),
                       "other.manager") > 0  # fmt: skip
        db.session.commit()
        assert db.session.get(PlanRun, 1).approved_at is not None
        assert _made_in(wales) > 0
    held, made, proposed = the_allocations(app)
    assert made == proposed and max(held.values()) == 1


def _made_in(region: int) -> int:
    """How many allocations run 1 made for the cases of a region."""
    return db.session.scalar(
        select(func.count())
        .select_from(Allocation)
        .join(Need, Allocation.need_id == Need.id)
        .join(Case, Need.case_id == Case.id)
        .join(Site, Case.site_id == Site.id)
        .where(Allocation.plan_run_id == 1, Site.region_id == region)
    )


def test_the_pages_approve_a_region_and_say_the_run_is_partly_approved(
    app: Flask, client: FlaskClient
) -> None:
    sign_in(client, "manager.user")
    summary = client.get("/plans/1").get_data(as_text=True)
    assert "Proposed" in summary
    assert 'href="/plans/1/approve?region=Wales"' in summary
    confirm = client.get("/plans/1/approve?region=London").get_data(as_text=True)
    assert "Approve the plan for London?" in confirm
    assert 'data-prevent-double-click="true"' in confirm
    assert "The other regions' parts stay proposed." in confirm
    done = client.post("/plans/1/approve?region=London", follow_redirects=True)
    assert "Plan run 1 for London approved:" in done.get_data(as_text=True)
    summary = text_of(client.get("/plans/1").get_data(as_text=True))
    assert "Partly approved (London)" in summary
    assert "The part for London was approved by manager.user on" in summary
    again = html.unescape(
        text_of(client.post("/plans/1/approve?region=London").get_data(as_text=True))
    )
    assert "This plan's part for London was already approved by manager.user on" in again
    client.post("/plans/1/approve?region=Wales")
    whole = text_of(client.get("/plans/1").get_data(as_text=True))
    assert "Partly approved" not in whole and "Approved" in whole
    late = text_of(client.post("/plans/1/approve").get_data(as_text=True))
    assert "This plan was already approved by manager.user on" in late


def test_the_confirmation_restates_the_harm(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        dropped = db.session.scalar(
            select(func.count())
            .select_from(ProposedAssignment)
            .where(
                ProposedAssignment.staff_member_id.is_(None),
                ProposedAssignment.current_staff_member_id.is_not(None),
            )
        )
    sign_in(client, "manager.user")
    page = text_of(client.get("/plans/1/approve").get_data(as_text=True))
    assert "Approve run 1?" in page
    assert f"{dropped} need" in page.split("lose")[0].split("this is what it costs:")[1]
    assert "past the safe workload of 110%" in page
    assert "very high and high risk need" in page
