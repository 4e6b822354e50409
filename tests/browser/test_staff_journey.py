"""A manager changes a person's hours and sees their Workload % change, on pages axe finds clean."""

from __future__ import annotations

from datetime import date

from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from planner.domain.vocabulary import Grade
from planner.domain.weeks import IsoWeek
from planner.extensions import db
from planner.models import StaffMember
from planner.models.policy import load_policy
from planner.staff.queries import staff_loads
from tests.browser.conftest import TODAY
from tests.browser.journeys import expect_error_summary, serious_accessibility_violations, sign_in

NEW_HOURS = 30.0


def a_full_time_person_with_cases(app: Flask) -> tuple[str, str, float]:
    """Someone with cases, all 37 hours this week and no trainee time: ID, name, hours taken.

    The hours taken are their other work and the hours of the cases they hold this week.
    """
    with app.app_context():
        people = db.session.scalars(
            select(StaffMember)
            .where(StaffMember.active, StaffMember.grade != Grade.PQIP)
            .options(selectinload(StaffMember.absences))
            .order_by(StaffMember.staff_ref)
        ).all()
        week = IsoWeek.containing(date.fromisoformat(TODAY))
        loads = staff_loads(db.session, people, week, load_policy(db.session))
        person = next(
            p
            for p in people
            if loads[p.id].held > 0
            and p.contracted_hours == loads[p.id].available == 37
            and p.other_work_hours <= NEW_HOURS
        )
        load = loads[person.id]
        found = person.staff_ref, person.name, load.committed + load.held
        # The live server runs in another process: leave it no shared connection. The session
        # gives its connection back first, or it would outlive the pool, never closed.
        db.session.close()
        db.engine.dispose()
        return found


def workload_on_list(page: Page, site: str, staff_ref: str) -> str:
    """The Workload % the staff list shows for one person."""
    page.goto(f"{site}/staff/?search={staff_ref}")
    row = page.get_by_role("row").filter(has_text=staff_ref)
    return row.locator(".planner-workload__value").inner_text()


def test_changing_a_persons_hours_changes_their_workload(app: Flask, page: Page, site: str) -> None:
    staff_ref, name, taken = a_full_time_person_with_cases(app)
    sign_in(page, site)

    page.goto(f"{site}/staff/")
    expect(page.get_by_role("heading", name="Staff", exact=True)).to_be_visible()
    assert serious_accessibility_violations(page) == []
    before = workload_on_list(page, site, staff_ref)
    assert before == f"{round(taken / 37 * 100)}%"

    page.get_by_role("link", name=name).click()
    expect(page.get_by_role("heading", name=name)).to_be_visible()
    workload = page.get_by_test_id("workload").locator(".planner-workload__value")
    expect(workload).to_have_text(before)
    assert serious_accessibility_violations(page) == []

    page.get_by_role("button", name="Change details").click()
    expect(page.get_by_role("heading", name=f"Change {name}’s details")).to_be_visible()
    assert serious_accessibility_violations(page) == []

    hours = page.get_by_label("Contracted hours")
    hours.fill("sixty")
    page.get_by_role("button", name="Save").click()
    expect_error_summary(
        page,
        f"Change {name}’s details",
        "Enter the contracted hours as a number, like 37 or 22.5",
        (hours, "sixty"),
        (page.get_by_label("Staff ID"), staff_ref),
    )

    hours.fill(f"{NEW_HOURS:g}")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text(f"{name}’s details have been saved.")).to_be_visible()
    expect(page.get_by_text(f"{NEW_HOURS:g} hours a week", exact=True)).to_be_visible()
    # Other work shrinks with the hours (committed = other work × available / contracted).
    after = f"{round(taken / NEW_HOURS * 100)}%"
    expect(workload).to_have_text(after)
    latest = page.locator(".planner-history__item").first
    expect(latest).to_contain_text("manager.user changed the contracted hours from 37 to 30")

    assert workload_on_list(page, site, staff_ref) == after


def test_the_absence_form_with_errors_is_accessible(app: Flask, page: Page, site: str) -> None:
    staff_ref, name, _ = a_full_time_person_with_cases(app)
    sign_in(page, site)
    page.goto(f"{site}/staff/?search={staff_ref}")
    page.get_by_role("link", name=name).click()
    page.get_by_role("button", name="Add an absence or reduction").click()
    page.get_by_label("Some hours each week").check()
    expect(page.get_by_label("Hours a week")).to_be_visible()
    page.get_by_role("button", name="Save").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Select the kind of absence or reduction")
    expect(summary).to_contain_text("Enter the hours a week, like 7.4 or 3.7")
    assert serious_accessibility_violations(page) == []
