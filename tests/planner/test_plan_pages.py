"""The plans pages: who may run and change plans, the run button, review, override, approve."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from planner.domain.vocabulary import JobStatus, UserRole
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


def test_the_run_button_queues_the_week_as_a_job(app: Flask, manager: FlaskClient) -> None:
    response = manager.post(
        "/plans/run", data={"week": "2026-W50", "solver": "highs", "time_limit": "20"}
    )
    assert response.headers["Location"] == "/plans/2"
    with app.app_context():
        run = db.session.get(PlanRun, 2)
        assert (run.status, run.started_by_name, run.week) == (
            JobStatus.FINISHED,
            "manager.user",
            "2026-W50",
        )
        assert run.optimal is True and run.worker is not None
    page = manager.get("/plans/2").get_data(as_text=True)
    assert "Needs nobody can cover" in page and "What this plan does" in page
    workloads = manager.get("/plans/2/workloads").get_data(as_text=True)
    assert "Workload before and after" in workloads


def test_a_waiting_run_shows_its_progress_without_refreshing_itself(
    app: Flask, manager: FlaskClient
) -> None:
    with app.app_context():
        db.session.add(PlanRun(week="2026-W50", status=JobStatus.QUEUED, solver="highs",
                               time_limit=60, started_by_name="spo.smith"))  # fmt: skip
        db.session.commit()
    page = manager.get("/plans/2").get_data(as_text=True)
    assert 'http-equiv="refresh"' not in page
    assert 'data-job-status="/plans/jobs/plan-run/2"' in page
    assert 'aria-live="polite" data-job-progress>Waiting for a job worker to start it<' in page
    assert '<a class="govuk-link" href="/plans/2">Check again</a>' in page
    assert "spo.smith asked for this run on" in page
    status = manager.get("/plans/jobs/plan-run/2").get_json()
    assert status == {"status": "queued", "active": True, "progress": None, "message": None,
                      "page": "/plans/2"}  # fmt: skip
    assert manager.get("/plans/jobs/nothing/2").status_code == 404
    assert manager.get("/plans/jobs/plan-run/99").status_code == 404


def test_a_manager_cancels_a_waiting_run_and_its_week_is_free(
    app: Flask, manager: FlaskClient
) -> None:
    with app.app_context():
        db.session.add(PlanRun(week="2026-W50", status=JobStatus.QUEUED, solver="highs",
                               time_limit=60, started_by_name="spo.smith"))  # fmt: skip
        db.session.commit()
    response = manager.post("/plans/jobs/plan-run/2/cancel", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Cancelled. Nothing of it is kept." in page
    assert "The run was cancelled" in page and "Cancelled by manager.user." in page
    with app.app_context():
        assert db.session.get(PlanRun, 2).status == JobStatus.CANCELLED
    again = manager.post(
        "/plans/run", data={"week": "2026-W50", "solver": "highs", "time_limit": "20"}
    )
    assert again.headers["Location"] == "/plans/3"


def test_only_managers_cancel_jobs(app: Flask, viewer: FlaskClient) -> None:
    with app.app_context():
        db.session.add(PlanRun(week="2026-W50", status=JobStatus.QUEUED, solver="highs",
                               time_limit=60, started_by_name="spo.smith"))  # fmt: skip
        db.session.commit()
    assert "Cancel this run" not in viewer.get("/plans/2").get_data(as_text=True)
    assert viewer.post("/plans/jobs/plan-run/2/cancel").status_code == 403
    with app.app_context():
        assert db.session.get(PlanRun, 2).status == JobStatus.QUEUED


def test_a_second_run_of_a_running_week_is_refused_on_the_page(
    app: Flask, client: FlaskClient, users: dict[UserRole, str]
) -> None:
    with app.app_context():
        db.session.add(PlanRun(week="2026-W50", status=JobStatus.RUNNING, solver="highs",
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
    assert "Needs nobody can cover" in page
    for part in ("Uncovered (", "Changes (", "Workloads", "Unchanged ("):
        assert part in page
    uncovered = viewer.get("/plans/1/uncovered").get_data(as_text=True)
    assert "What would cover it:" in uncovered
    changes = viewer.get("/plans/1/changes").get_data(as_text=True)
    for kind in ("Changes holder", "Gets a holder"):
        assert kind in changes
    assert "Workload before and after" in viewer.get("/plans/1/workloads").get_data(as_text=True)
    low = viewer.get("/plans/1/unchanged", query_string={"rosh": "low"}).get_data(as_text=True)
    body = low.split("<tbody", 1)[1].split("</tbody>")[0]
    assert "Very high" not in body and "Low" in body


def test_an_override_needs_a_reason_and_keeps_the_choice(app: Flask, manager: FlaskClient) -> None:
    proposal = a_proposal(app)
    page = manager.post(
        f"/plans/1/proposals/{proposal.id}/override", data={"person": "nobody", "detail": ""}
    ).get_data(as_text=True)
    assert "Select at least one reason for the change" in page
    assert 'value="nobody" checked' in page


def test_an_override_to_nobody_is_recorded_and_shown(app: Flask, manager: FlaskClient) -> None:
    proposal = a_proposal(app)
    response = manager.post(
        f"/plans/1/proposals/{proposal.id}/override",
        data={"person": "nobody", "reasons": ["other"], "detail": "Transferring to another region"},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "the plan now gives this need to nobody" in page
    assert "Changed by a manager" in manager.get("/plans/1/uncovered").get_data(as_text=True)
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
        assert f'<td class="govuk-table__cell">{"; ".join(candidate.reasons)}</td>' in page


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
