"""The plans pages: who may run and change plans, the run button, review, override, approve."""

from __future__ import annotations

import time

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from planner.domain.vocabulary import RunStatus, UserRole
from planner.domain.weeks import IsoWeek
from planner.extensions import db
from planner.models import Allocation, PlanRun, ProposedAssignment
from planner.plans.batch import run_week
from planner.plans.overrides import candidates
from tests.conftest import AppFactory, load_demo, sign_in

TODAY = "2026-11-30"


@pytest.fixture
def app(app_factory: AppFactory) -> Flask:
    """The small demo data on a fixed day, with one finished run of 2026-W49."""
    app = app_factory("plans", TODAY=TODAY)
    load_demo(app, seed=6, start=TODAY)
    with app.app_context():
        run_week(db.session, IsoWeek.parse("2026-W49"), "highs", 20, None, "test")
    return app


def a_proposal(app: Flask) -> ProposedAssignment:
    """A filled proposal of run 1."""
    with app.app_context():
        return db.session.scalars(
            select(ProposedAssignment).where(ProposedAssignment.staff_member_id.is_not(None))
        ).first()


@pytest.mark.parametrize(
    ("role", "read", "write"),
    [(UserRole.VIEWER, 200, 403), (UserRole.MANAGER, 200, 200), (UserRole.ADMIN, 200, 200)],
)
def test_each_role_may_see_runs_and_only_managers_change_them(
    app: Flask,
    client: FlaskClient,
    users: dict[UserRole, str],
    role: UserRole,
    read: int,
    write: int,
) -> None:
    proposal = a_proposal(app)
    sign_in(client, users[role])
    assert client.get("/plans/").status_code == read
    assert client.get("/plans/1").status_code == read
    assert client.get("/plans/compare?first=1&second=1").status_code == read
    assert client.get(f"/plans/1/proposals/{proposal.id}/override").status_code == write
    assert client.get("/plans/1/approve").status_code == write
    if write == 403:
        assert client.post("/plans/run", data={"week": "2026-W50"}).status_code == 403
        assert client.post("/plans/1/approve").status_code == 403
        with app.app_context():
            assert db.session.get(PlanRun, 1).approved_at is None


def test_signed_out_people_are_sent_to_sign_in(client: FlaskClient) -> None:
    for path in ("/plans/", "/plans/1", "/plans/1/approve"):
        assert client.get(path).headers["Location"].startswith("/sign-in")


def test_the_run_button_plans_the_week_in_another_process(app: Flask, manager: FlaskClient) -> None:
    response = manager.post(
        "/plans/run", data={"week": "2026-W50", "solver": "highs", "time_limit": "20"}
    )
    assert response.status_code == 302
    location = response.headers["Location"]
    page = manager.get(location).get_data(as_text=True)
    assert 'http-equiv="refresh"' in page or "Needs nobody can cover" in page
    deadline = time.time() + 60
    while time.time() < deadline:
        with app.app_context():
            run = db.session.get(PlanRun, int(location.rsplit("/", 1)[1]))
            if run.status != RunStatus.RUNNING:
                break
        time.sleep(0.5)
    assert run.status == RunStatus.OPTIMAL, run.message
    assert run.started_by_name == "manager.user"
    page = manager.get(location).get_data(as_text=True)
    assert "Needs nobody can cover" in page and "Workload before and after" in page


def test_a_second_run_of_a_running_week_is_refused_on_the_page(
    app: Flask, client: FlaskClient, users: dict[UserRole, str]
) -> None:
    with app.app_context():
        db.session.add(PlanRun(week="2026-W50", status=RunStatus.RUNNING, solver="highs",
                               time_limit=60, started_by_name="spo.smith"))  # fmt: skip
        db.session.commit()
    sign_in(client, users[UserRole.MANAGER])
    response = client.post(
        "/plans/run", data={"week": "2026-W50", "solver": "highs", "time_limit": "20"}
    )
    page = response.get_data(as_text=True)
    assert "<title>Error: Plans" in page
    assert "A plan for 2026-W50 is already running: spo.smith started it on" in page


def test_the_run_form_names_each_mistake(app: Flask, manager: FlaskClient) -> None:
    page = manager.post("/plans/run", data={"week": "1999-W01", "time_limit": "2"}).get_data(
        as_text=True
    )
    assert "Not a valid choice" in page
    assert "The time limit must be between 5 and 3,600 seconds" in page


def test_the_review_shows_each_kind_of_change_and_filters_by_risk(
    app: Flask, viewer: FlaskClient
) -> None:
    page = viewer.get("/plans/1").get_data(as_text=True)
    for heading in ("Needs nobody can cover", "Moves from one holder to another",
                    "New allocations", "Unchanged", "Workload before and after"):  # fmt: skip
        assert heading in page
    assert "What would cover it:" in page
    low = viewer.get("/plans/1", query_string={"risk": "low"}).get_data(as_text=True)
    body = low.split("Needs nobody can cover")[1].split("Workload before and after")[0]
    assert "Very high" not in body


def test_an_override_needs_a_reason_and_keeps_the_choice(app: Flask, manager: FlaskClient) -> None:
    proposal = a_proposal(app)
    page = manager.post(
        f"/plans/1/proposals/{proposal.id}/override", data={"person": "nobody", "reason": ""}
    ).get_data(as_text=True)
    assert "Enter the reason for the change" in page
    assert 'value="nobody" checked' in page


def test_an_override_to_nobody_is_recorded_and_shown(app: Flask, manager: FlaskClient) -> None:
    proposal = a_proposal(app)
    response = manager.post(
        f"/plans/1/proposals/{proposal.id}/override",
        data={"person": "nobody", "reason": "Transferring to another region"},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "the plan now gives this need to nobody" in page
    assert "Changed by a manager" in page
    with app.app_context():
        stored = db.session.get(ProposedAssignment, proposal.id)
        assert stored.staff_member_id is None and stored.overridden
        assert stored.override_reason == "Transferring to another region"


def test_the_override_page_lists_who_may_not_hold_it_and_why(
    app: Flask, manager: FlaskClient
) -> None:
    proposal = a_proposal(app)
    with app.app_context():
        run = db.session.get(PlanRun, 1)
        people = candidates(db.session, run, db.session.get(ProposedAssignment, proposal.id))
        ineligible = [c for c in people if not c.eligible]
    page = manager.get(f"/plans/1/proposals/{proposal.id}/override").get_data(as_text=True)
    assert ineligible
    for candidate in ineligible:
        assert f"No: {candidate.reasons[0]}" in page


def test_approving_on_the_page_changes_the_allocations(app: Flask, manager: FlaskClient) -> None:
    assert "Approve run 1?" in manager.get("/plans/1/approve").get_data(as_text=True)
    response = manager.post("/plans/1/approve", follow_redirects=True)
    assert "Plan run 1 approved:" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(PlanRun, 1).approved_at is not None
        assert db.session.scalars(select(Allocation).where(Allocation.plan_run_id == 1)).first()


def test_two_runs_can_be_compared(
    app: Flask, client: FlaskClient, users: dict[UserRole, str]
) -> None:
    with app.app_context():
        run_week(db.session, IsoWeek.parse("2026-W49"), "cbc", 20, None, "test")
    sign_in(client, users[UserRole.VIEWER])
    page = client.get("/plans/compare?first=1&second=2").get_data(as_text=True)
    assert "Run 1 and run 2" in page
    assert "Needs planned differently" in page
    assert client.get("/plans/compare?first=1&second=x").status_code == 404
