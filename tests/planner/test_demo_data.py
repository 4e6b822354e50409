"""The demo data: deterministic, complete across cohorts, risks and states, and short-staffed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from planner.dashboard.queries import week_overview
from planner.domain.reach import Reach
from planner.domain.rules import responsibility_state
from planner.domain.vocabulary import (
    CT_COHORTS,
    Cohort,
    Grade,
    NeedSource,
    ResponsibilityState,
    Rosh,
    Vetting,
)
from planner.domain.weeks import IsoWeek
from planner.extensions import db
from planner.models import Allocation, AuditEvent, Case, Exclusion, Need, StaffMember
from planner.models.policy import load_policy
from planner.staff.queries import practitioners, staff_loads
from tests.conftest import AppFactory, load_demo, make_app
from tests.databases import Databases

START = date(2026, 11, 30)


def load(app: Flask, *arguments: str) -> Any:
    """Run the demo-data command."""
    return app.test_cli_runner().invoke(args=["demo-data", *arguments])


def snapshot(app: Flask) -> list[tuple[Any, ...]]:
    """Every case, need, person and allocation as plain values, in a stable order."""
    with app.app_context():
        cases = [
            (c.reference, c.name, c.cohort, c.rosh, c.tier, c.setting, c.site.code,
             c.release_date, c.mappa_level,
             tuple((n.key, n.hours, n.min_grade, n.source) for n in c.needs))
            for c in db.session.scalars(select(Case).order_by(Case.reference))
        ]  # fmt: skip
        staff = [
            (s.staff_ref, s.name, s.grade, s.vetting, s.contracted_hours, s.other_work_hours,
             tuple(s.skills), tuple((a.start_date, a.end_date) for a in s.absences))
            for s in db.session.scalars(select(StaffMember).order_by(StaffMember.staff_ref))
        ]  # fmt: skip
        allocations = [
            (a.need.case.reference, a.need.key, a.staff_member.staff_ref, a.pinned)
            for a in db.session.scalars(select(Allocation).order_by(Allocation.id))
        ]
        return [*cases, *staff, *allocations]


@pytest.fixture(scope="module")
def london(tmp_path_factory: pytest.TempPathFactory, databases: Databases) -> Iterator[Flask]:
    """The London demo data, loaded once for the tests that only read it."""
    database = databases.create(tmp_path_factory.mktemp("london") / "planner.db")
    app = make_app(database, TODAY=START.isoformat())
    load_demo(app, seed=1, scale="london", start=START.isoformat())
    yield app
    with app.app_context():
        db.engine.dispose()
    databases.drop(database)


def test_the_same_seed_writes_the_same_data(app_factory: AppFactory) -> None:
    first, second, other = (app_factory(name) for name in ("a", "b", "c"))
    for app, seed in ((first, 7), (second, 7), (other, 8)):
        load_demo(app, seed=seed, start="2026-11-30")
    assert snapshot(first) == snapshot(second)
    assert snapshot(first) != snapshot(other)


def test_london_has_every_cohort_risk_and_state(london: Flask) -> None:
    with london.app_context():
        policy = load_policy(db.session)
        cases = db.session.scalars(select(Case)).all()
        assert {c.cohort for c in cases} == set(Cohort)
        assert {c.rosh for c in cases} == set(Rosh)
        states = {responsibility_state(c, START, policy) for c in cases}
        assert states == set(ResponsibilityState)
        assert 300 <= len(cases) <= 600


def test_london_has_releases_in_the_coming_weeks_and_a_high_security_prison(london: Flask) -> None:
    with london.app_context():
        cases = db.session.scalars(select(Case)).all()
        soon = [c for c in cases if c.release_date and 0 < (c.release_date - START).days <= 84]
        assert len(soon) >= 5
        tact_in_custody = [c for c in cases if c.cohort == Cohort.TACT and c.site.kind == "prison"]
        belmarsh = [c for c in tact_in_custody if c.site.code == "HMP-BELMARSH"]
        assert len(belmarsh) > len(tact_in_custody) / 2


def test_london_staff_are_about_a_hundred_of_every_grade_and_realistic_vetting(
    london: Flask,
) -> None:
    with london.app_context():
        staff = db.session.scalars(select(StaffMember)).all()
        assert 70 <= len(staff) <= 140
        assert {s.grade for s in staff} == set(Grade)
        assert {s.vetting for s in staff} >= {Vetting.BPSS, Vetting.CTC, Vetting.SC, Vetting.DV}
        nsd = [s for s in staff if s.site.code == "NSD-LONDON"]
        assert sum(s.vetting in (Vetting.SC, Vetting.DV) for s in nsd) > 0.8 * len(nsd)
        assert any(s.vetting_expiry and s.vetting_expiry < START for s in staff)
        assert any(s.absences for s in staff)
        assert any(s.grade == Grade.PQIP and s.training_start for s in staff)


def test_hours_read_as_plain_rows_match_the_records_week_by_week(london: Flask) -> None:
    # The dashboard reads only the absences that touch the week: none that count is missed.
    with london.app_context():
        everything, policy = Reach.everything(), load_policy(db.session)
        people = db.session.scalars(select(StaffMember).where(StaffMember.active)).all()
        assert any(person.absences for person in people)
        for offset in range(-2, 10):
            week = IsoWeek.containing(START).plus(offset)
            rows = practitioners(db.session, everything, week)
            assert staff_loads(db.session, rows, week, policy) == staff_loads(
                db.session, people, week, policy
            )


def test_london_runs_20_to_30_percent_short(london: Flask) -> None:
    with london.app_context():
        everything, week, policy = (
            Reach.everything(),
            IsoWeek.containing(START),
            load_policy(db.session),
        )
        loads = staff_loads(db.session, practitioners(db.session, everything, week), week, policy)
        overview = week_overview(db.session, list(loads.values()), week, everything)
    assert 0.20 <= overview.shortfall <= 0.30


def test_london_has_exclusions_pins_allocations_and_manager_set_needs(london: Flask) -> None:
    with london.app_context():
        needs = db.session.scalars(select(Need)).all()
        allocations = db.session.scalars(select(Allocation)).all()
        assert db.session.scalars(select(Exclusion)).first() is not None
        assert any(a.pinned for a in allocations)
        assert 0.4 * len(needs) < len(allocations) < len(needs)
        assert any(n.source == NeedSource.MANAGER for n in needs)


def test_ct_needs_ask_for_ct_trained_sc_vetted_staff(london: Flask) -> None:
    with london.app_context():
        for case in db.session.scalars(select(Case)):
            for need in case.needs:
                expected = Vetting.SC if case.cohort in CT_COHORTS else Vetting.BPSS
                assert need.vetting == expected


def test_names_are_obviously_synthetic(london: Flask) -> None:
    from planner.demo.names import FAMILY

    with london.app_context():
        names = [c.name for c in db.session.scalars(select(Case))]
        names += [s.name for s in db.session.scalars(select(StaffMember))]
    assert all(name.split()[-1] in FAMILY for name in names)


def test_loading_is_audited_as_the_demo_data(london: Flask) -> None:
    with london.app_context():
        actors = set(db.session.scalars(select(AuditEvent.actor)))
    assert actors == {"demo-data"}


def test_if_empty_leaves_existing_data_alone(london: Flask) -> None:
    before = snapshot(london)
    result = load(london, "--scale", "small", "--if-empty")
    assert result.exit_code == 0
    assert "already holds" in result.output
    assert snapshot(london) == before


def test_without_if_empty_a_second_load_is_refused(london: Flask) -> None:
    result = load(london, "--scale", "small")
    assert result.exit_code == 1
    assert "Error: the database already holds" in result.output
    assert "Traceback" not in result.output


def test_an_unknown_scale_is_refused_with_a_readable_message(app: Flask) -> None:
    result = load(app, "--scale", "galactic")
    assert result.exit_code == 2
    assert "'galactic' is not one of" in result.output
