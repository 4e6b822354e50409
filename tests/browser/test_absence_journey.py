"""A manager records three weeks of sickness, runs the coming week, and sees that person given
nothing new while their high-risk cases are flagged for cover."""

from __future__ import annotations

from datetime import date

from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from planner.domain.vocabulary import Grade, Role, Rosh
from planner.extensions import db
from planner.models import Allocation, Case, Need, PlanRun, ProposedAssignment, StaffMember
from tests.browser.conftest import TODAY
from tests.browser.journeys import serious_accessibility_violations, sign_in

# Today is Monday 7 December 2026; the plans page offers next week, from 14 December, first.
SICK_FROM, SICK_TO = date(2026, 12, 14), date(2027, 1, 3)


def a_com_holding_high_risk_work(app: Flask) -> tuple[int, str, list[str]]:
    """A PO COM who holds a high or very high need now: id, name, the cases' references."""
    with app.app_context():
        rows = db.session.execute(
            select(StaffMember, Case.reference)
            .join(Allocation, Allocation.staff_member_id == StaffMember.id)
            .join(Need, Allocation.need_id == Need.id)
            .join(Case, Need.case_id == Case.id)
            .where(
                StaffMember.role == Role.PROBATION,
                StaffMember.grade == Grade.PO,
                Case.rosh.in_([Rosh.HIGH, Rosh.VERY_HIGH]),
                Allocation.held_on(date.fromisoformat(TODAY)),
                Need.active,
            )
            .order_by(StaffMember.staff_ref, Case.reference)
        ).all()
        person = rows[0][0]
        found = person.id, person.name, [ref for who, ref in rows if who.id == person.id]
        # Give the session's connection back before the pool goes, or it is never closed.
        db.session.close()
        db.engine.dispose()
        return found


def test_three_weeks_off_sick_gets_nothing_new_and_cover_is_asked_for(
    app: Flask, page: Page, site: str
) -> None:
    person_id, name, references = a_com_holding_high_risk_work(app)
    sign_in(page, site)
    page.goto(f"{site}/staff/{person_id}")
    page.get_by_role("button", name="Add an absence or reduction").click()
    page.get_by_label("Sickness").check()
    for box, day in (("start_date", SICK_FROM), ("end_date", SICK_TO)):
        page.locator(f"#{box}-day").fill(str(day.day))
        page.locator(f"#{box}-month").fill(str(day.month))
        page.locator(f"#{box}-year").fill(str(day.year))
    page.get_by_label("All their working time").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The absence has been added.")).to_be_visible()

    page.get_by_role("link", name="Plans", exact=True).click()
    page.get_by_label("Time limit in seconds").fill("20")
    page.get_by_role("button", name="Run the plan").click()
    expect(page.get_by_role("heading", name="Needs nobody can cover")).to_be_visible(timeout=90_000)

    with app.app_context():
        run = db.session.scalars(select(PlanRun).order_by(PlanRun.id.desc())).first()
        given = db.session.scalars(
            select(ProposedAssignment).where(
                ProposedAssignment.run_id == run.id,
                ProposedAssignment.staff_member_id == person_id,
            )
        ).all()
        # Nothing they did not hold already; of their high-risk cases, those they keep.
        assert given and all(p.current_staff_member_id == person_id for p in given)
        kept = sorted({p.case_reference for p in given} & set(references))
        db.session.close()
        db.engine.dispose()
    assert kept

    page.get_by_role("link", name="Alerts", exact=True).click()
    page.get_by_label("Kind").select_option(label="Cover needed while away")
    page.get_by_role("button", name="Apply filters").click()
    rows = page.get_by_role("row").filter(has_text=f"{name}, the")
    expect(rows.first).to_contain_text("is off sick until 3 January 2027: cover is needed")
    for reference in kept:
        expect(page.get_by_role("row").filter(has_text=reference).first).to_contain_text(
            "Cover needed while away"
        )
    assert serious_accessibility_violations(page) == []
