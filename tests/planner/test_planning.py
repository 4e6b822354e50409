"""The weekly batch: atomic, refused when already running, explained, approved, pinned."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from optimisation import Plan
from planner.domain.vocabulary import JobStatus, OverrideReason, UserRole
from planner.domain.weeks import IsoWeek
from planner.extensions import db
from planner.jobs import lifecycle, queue
from planner.models import (
    Alert,
    Allocation,
    AuditEvent,
    Need,
    PlanRun,
    ProposedAssignment,
    StaffMember,
    User,
)
from planner.models.types import utcnow
from planner.plans import batch as planning
from planner.plans.approval import ApprovalRefused, approve
from planner.plans.batch import RunRefused, queue_run, run_week
from planner.plans.overrides import OverrideRefused, candidates, override
from tests.conftest import AppFactory, add_user, count, load_demo

TODAY = "2026-11-30"
WEEK = IsoWeek.parse("2026-W49")


@pytest.fixture
def app(app_factory: AppFactory) -> Flask:
    """The small demo data on a fixed day, and a manager."""
    app = app_factory("planning", TODAY=TODAY)
    load_demo(app, seed=5, start=TODAY)
    add_user(app, "manager.user", UserRole.MANAGER)
    return app


def manager(app: Flask) -> User:
    """The manager, in the current session."""
    return db.session.scalar(select(User).where(User.username == "manager.user"))


def state(app: Flask) -> dict[str, Any]:
    """What a failed run must not have changed."""
    counts = {model.__name__: count(app, model) for model in (Need, Allocation, ProposedAssignment)}
    with app.app_context():
        # The run's own record (started, then failed) is audited; nothing else may be.
        counts["audit"] = db.session.scalar(
            select(func.count()).where(AuditEvent.entity != "plan run")
        )
        needs = sorted((n.id, n.key, n.hours, n.active) for n in db.session.scalars(select(Need)))
        return {"counts": counts, "needs": needs}


def plan_week(app: Flask, week: IsoWeek = WEEK, time_limit: float = 20) -> PlanRun:
    """Run the batch for a week in this process, as the command does."""
    with app.app_context():
        run = run_week(db.session, week, "highs", time_limit, None, "test")
        return db.session.get(PlanRun, run.id)


def test_a_run_stores_a_plan_the_optimisers_check_accepts(app: Flask, tmp_path: Path) -> None:
    result = app.test_cli_runner().invoke(
        args=["plan", "--week", "2026-W49", "--time-limit", "20", "--save-json", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Plan run 1 for 2026-W49: proven the best possible (HIGHS")
    assert "Needs covered by risk: very high" in result.output
    check = subprocess.run(
        [sys.executable, "-m", "optimisation", "check",
         str(tmp_path / "problem.json"), str(tmp_path / "plan.json")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert check.returncode == 0, check.stdout + check.stderr
    with app.app_context():
        run = db.session.get(PlanRun, 1)
        problem = json.loads(run.problem_json)
        proposals = db.session.scalars(select(ProposedAssignment)).all()
        assert len(proposals) == sum(len(case["needs"]) for case in problem["cases"])
        assert run.summary["needs"] == len(proposals)
        assert {"snapshot", "solve", "store", "total"} <= set(run.summary["timings"])
        uncovered = [p for p in proposals if p.staff_member_id is None]
        assert all(p.uncovered_reason and p.remedy_text and p.remedy for p in uncovered)


def test_why_a_need_is_uncovered_names_people_not_staff_ids(app: Flask) -> None:
    run = plan_week(app)
    with app.app_context():
        people = {s.staff_ref: s.name for s in db.session.scalars(select(StaffMember))}
        told = [
            text
            for p in db.session.scalars(
                select(ProposedAssignment).where(ProposedAssignment.run_id == run.id)
            )
            for text in (p.detail, p.remedy_text)
            if text
        ] + [a.detail or "" for a in db.session.scalars(select(Alert))]
        told += db.session.get(PlanRun, run.id).summary["warnings"]
        # The optimiser's own words say "S-LDN-004 has 0.0 of 27.6 h left": each of those
        # people is named, by name, somewhere; no staff ID is left.
        assert told and any(name in text for text in told for name in people.values())
        assert not [ref for ref in people if any(ref in text for text in told)]


def test_the_problem_is_the_snapshot_of_the_week(app: Flask) -> None:
    run = plan_week(app)
    problem = json.loads(run.problem_json)
    assert problem["format"] == "caseload-problem/1"
    assert problem["week"] == "2026-W49"
    with app.app_context():
        staff = {s.staff_ref: s for s in db.session.scalars(select(StaffMember))}
        held = {
            (a.need.case.reference, a.need.key): a.staff_member.staff_ref
            for a in db.session.scalars(select(Allocation).where(Allocation.end_date.is_(None)))
        }
    assert {s["id"] for s in problem["staff"]} == {ref for ref, s in staff.items() if s.active}
    currents = [need["current"] for case in problem["cases"] for need in case["needs"]]
    assert sum(current is not None for current in currents) == len(held)


def test_a_solver_failure_leaves_the_database_as_it_was(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = state(app)

    def broken(*_: Any, **__: Any) -> Plan:
        raise RuntimeError("the solver crashed")

    monkeypatch.setattr(queue, "solve", broken)
    run = plan_week(app)
    assert run.status == JobStatus.FAILED
    # Words a manager can act on, never the exception: that is in the worker's log.
    assert run.message == queue.UNEXPECTED
    assert "RuntimeError" not in run.message
    assert run.problem_json is None and run.finished_at is not None
    assert state(app) == before


def test_a_failure_while_storing_leaves_the_database_as_it_was(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = state(app)
    original = planning._store_proposals

    def store_then_fail(*arguments: Any) -> None:
        original(*arguments)
        db.session.flush()
        raise OSError("the disk is full")

    monkeypatch.setattr(planning, "_store_proposals", store_then_fail)
    run = plan_week(app)
    assert run.status == JobStatus.FAILED
    assert run.message == queue.UNEXPECTED
    assert state(app) == before


def test_a_second_run_of_a_queued_week_is_refused_with_who_and_when(app: Flask) -> None:
    with app.app_context():
        first = queue_run(db.session, WEEK, "highs", 30, manager(app), "manager.user")
        with pytest.raises(
            RunRefused, match=r"already queued: manager\.user started it on \d+ \w+ \d{4} at "
        ):
            queue_run(db.session, WEEK, "highs", 30, None, "someone else")
        other_week = queue_run(db.session, WEEK.plus(1), "highs", 30, None, "someone else")
        assert other_week.id != first.id


@pytest.mark.parametrize("status", [JobStatus.QUEUED, JobStatus.RUNNING])
def test_the_database_itself_refuses_two_active_runs_of_a_week(
    app: Flask, status: JobStatus
) -> None:
    with app.app_context():
        db.session.add(PlanRun(week=str(WEEK), status=JobStatus.QUEUED, solver="highs",
                               time_limit=30, started_by_name="x"))  # fmt: skip
        db.session.add(PlanRun(week=str(WEEK), status=status, solver="highs",
                               time_limit=30, started_by_name="y"))  # fmt: skip
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_a_run_whose_worker_died_is_failed_and_frees_its_week(app: Flask) -> None:
    with app.app_context():
        stuck = queue_run(db.session, WEEK, "highs", 30, None, "cron")
        assert lifecycle.claim(db.session, PlanRun, stuck.id)
        # Its worker was killed: the heartbeat stopped a while ago.
        stuck.heartbeat_at = utcnow() - lifecycle.STALE_AFTER - timedelta(seconds=1)
        db.session.commit()
        fresh = queue_run(db.session, WEEK, "highs", 30, None, "manager")
        failed = db.session.get(PlanRun, stuck.id)
        assert (failed.status, failed.message) == (JobStatus.FAILED, lifecycle.LOST)
        assert fresh.status == JobStatus.QUEUED


def test_a_beating_run_still_holds_its_week(app: Flask) -> None:
    with app.app_context():
        running = queue_run(db.session, WEEK, "highs", 30, None, "cron")
        assert lifecycle.claim(db.session, PlanRun, running.id)
        running.heartbeat_at = utcnow() - lifecycle.STALE_AFTER + timedelta(seconds=5)
        db.session.commit()
        with pytest.raises(RunRefused, match="already running: cron started it"):
            queue_run(db.session, WEEK, "highs", 30, None, "manager")


def test_approving_makes_the_plan_the_current_allocation(app: Flask) -> None:
    run = plan_week(app)
    with app.app_context():
        run = db.session.get(PlanRun, run.id)
        changes = approve(db.session, run, manager(app), "manager.user")
        db.session.commit()
        assert changes > 0
        for proposal in db.session.scalars(select(ProposedAssignment)):
            holders = [
                a.staff_member_id
                for a in proposal.need.allocations
                if a.start_date <= WEEK.monday and (a.end_date is None or a.end_date >= WEEK.monday)
            ]
            assert holders == ([proposal.staff_member_id] if proposal.staff_member_id else [])
        ended = db.session.scalars(select(Allocation).where(Allocation.end_date.is_not(None))).all()
        assert ended and all(a.end_date == WEEK.monday - timedelta(days=1) for a in ended)
        with pytest.raises(ApprovalRefused, match="already approved"):
            approve(db.session, run, manager(app), "manager.user")


def test_the_next_run_reads_the_approved_holders_as_current(app: Flask) -> None:
    first = plan_week(app)
    with app.app_context():
        approve(db.session, db.session.get(PlanRun, first.id), None, "manager.user")
        db.session.commit()
        planned = {
            (p.case_reference, p.need_index): p.staff_member.staff_ref
            for p in db.session.scalars(select(ProposedAssignment)) if p.staff_member
        }  # fmt: skip
    second = plan_week(app, WEEK.plus(1))
    problem = json.loads(second.problem_json)
    currents = {
        (case["id"], index): need["current"]
        for case in problem["cases"]
        for index, need in enumerate(case["needs"])
        if need["current"]
    }
    shared = set(planned) & set(currents)
    assert len(shared) > 0.9 * len(planned)
    assert all(currents[key] == planned[key] for key in shared)


def first_uncovered_or_moved(app: Flask, run: PlanRun) -> ProposedAssignment:
    """A proposal worth overriding: an uncovered need with someone eligible, or any filled one."""
    return db.session.scalars(
        select(ProposedAssignment)
        .where(ProposedAssignment.run_id == run.id)
        .order_by(ProposedAssignment.staff_member_id.is_(None).desc(), ProposedAssignment.id)
    ).first()


def test_an_override_with_an_ineligible_person_is_refused(app: Flask) -> None:
    run = plan_week(app)
    with app.app_context():
        run = db.session.get(PlanRun, run.id)
        proposal = first_uncovered_or_moved(app, run)
        people = candidates(db.session, run, proposal)
        ineligible = next(c for c in people if not c.eligible)
        with pytest.raises(OverrideRefused, match="cannot hold this need"):
            override(db.session, run, proposal, ineligible.staff, [OverrideReason.OTHER],
                     "Knows the family", False,
                     manager(app))  # fmt: skip
        db.session.rollback()
        assert db.session.get(ProposedAssignment, proposal.id).overridden is False


def test_a_pinned_override_survives_approval_and_the_next_run(app: Flask) -> None:
    run = plan_week(app)
    with app.app_context():
        run = db.session.get(PlanRun, run.id)
        filled = db.session.scalars(
            select(ProposedAssignment).where(
                ProposedAssignment.run_id == run.id, ProposedAssignment.staff_member_id.is_not(None)
            )
        ).all()
        proposal, choice = next(
            (proposal, candidate)
            for proposal in filled
            for candidate in candidates(db.session, run, proposal)
            if candidate.eligible and candidate.staff.id != proposal.staff_member_id
        )
        override(db.session, run, proposal, choice.staff, [OverrideReason.BETTER_SUITED],
                 "Speaks the family's language", True,
                 manager(app))  # fmt: skip
        db.session.commit()
        line = db.session.scalar(
            select(AuditEvent).where(AuditEvent.entity == "proposed assignment")
        )
        assert line.after["override_reason"] == "Speaks the family's language"
        assert line.after["staff_member_id"] == choice.staff.id
        approve(db.session, run, manager(app), "manager.user")
        db.session.commit()
        reference, index, pinned_ref = (
            proposal.case_reference,
            proposal.need_index,
            choice.staff.staff_ref,
        )
    later = plan_week(app, WEEK.plus(1))
    problem = json.loads(later.problem_json)
    need = next(c for c in problem["cases"] if c["id"] == reference)["needs"][index]
    assert need["pinned"] == pinned_ref
    plan = json.loads(later.plan_json)
    kept = next(a for a in plan["assignments"] if (a["case"], a["need"]) == (reference, index))
    assert kept["staff"] == pinned_ref and kept["pinned"] is True


def test_an_approved_run_cannot_be_overridden_and_an_older_one_not_approved(app: Flask) -> None:
    older = plan_week(app)
    newer = plan_week(app)
    with app.app_context():
        with pytest.raises(ApprovalRefused, match=f"run {newer.id} for the same week is newer"):
            approve(db.session, db.session.get(PlanRun, older.id), None, "x")
        run = db.session.get(PlanRun, newer.id)
        approve(db.session, run, None, "x")
        db.session.commit()
        proposal = first_uncovered_or_moved(app, run)
        with pytest.raises(OverrideRefused, match="can no longer be changed"):
            override(db.session, run, proposal, None, [OverrideReason.OTHER], "late", False,
                     manager(app))  # fmt: skip


def test_the_command_refuses_a_running_week_and_a_bad_week(app: Flask) -> None:
    runner = app.test_cli_runner()
    bad = runner.invoke(args=["plan", "--week", "2026-49"])
    assert bad.exit_code == 2
    assert "'2026-49' is not a week like 2026-W49" in bad.output
    with app.app_context():
        queue_run(db.session, WEEK, "highs", 30, None, "cron")
    busy = runner.invoke(args=["plan", "--week", "2026-W49"])
    assert busy.exit_code == 1
    assert busy.output.startswith("Error: a plan for 2026-W49 is already queued: cron started it")
    assert "Traceback" not in busy.output


def test_the_command_can_approve_what_it_plans(app: Flask) -> None:
    result = app.test_cli_runner().invoke(
        args=["plan", "--week", "2026-W49", "--time-limit", "20", "--approve"]
    )
    assert result.exit_code == 0, result.output
    assert "Approved: " in result.output
    with app.app_context():
        assert db.session.get(PlanRun, 1).approved_at is not None


def test_the_command_exits_non_zero_when_the_run_fails(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: Any, **__: Any) -> Plan:
        raise RuntimeError("out of memory")

    monkeypatch.setattr(queue, "solve", broken)
    result = app.test_cli_runner().invoke(args=["plan", "--week", "2026-W49"])
    assert result.exit_code == 1
    assert result.output == f"Error: plan run 1 for 2026-W49 failed: {queue.UNEXPECTED}\n"
