"""A manager opens the handovers from the dashboard and acts on an overdue COM allocation."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from planner.domain.clock import today
from planner.domain.handovers import Stage
from planner.domain.reach import Reach
from planner.domain.weeks import IsoWeek
from planner.extensions import db
from planner.handovers.queries import handover_cases, on_stage
from planner.models import PlanRun, ProposedAssignment
from planner.models.policy import load_policy
from planner.plans.batch import run_week
from planner.plans.overrides import candidates
from tests.browser.journeys import serious_accessibility_violations, sign_in


@pytest.fixture
def overdue(app: Flask) -> dict[str, Any]:
    """This week planned, and an overdue COM allocation whose proposal another COM could take."""
    with app.app_context():
        run = run_week(db.session, IsoWeek.containing(today()), "highs", 10, None, "test")
        run = db.session.get(PlanRun, run.id)
        cases = handover_cases(db.session, today(), load_policy(db.session), Reach.everything())
        item, other = next(
            (item, person.staff)
            for item in on_stage(cases, Stage.COM_OVERDUE)
            if item.proposal
            for person in candidates(
                db.session, run, db.session.get(ProposedAssignment, item.proposal.proposal_id)
            )
            if person.eligible and person.staff.name != item.proposal.staff_name
        )
        found = {"reference": item.case.reference, "run": run.id, "name": other.name}
        db.session.close()
        db.engine.dispose()
    return found


def test_open_the_handovers_from_the_dashboard_and_give_an_overdue_case_a_com(
    overdue: dict[str, Any], page: Page, site: str
) -> None:
    sign_in(page, site)
    panel = page.locator("#handovers + .govuk-summary-list")
    expect(panel).to_contain_text("COM allocation overdue")
    assert serious_accessibility_violations(page) == []
    panel.get_by_role("link", name="View COM allocation overdue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Handovers")
    current = page.locator(".moj-sub-navigation__link[aria-current=page]")
    expect(current).to_contain_text(re.compile(r"COM allocation overdue \(\d+\)"))
    row = page.get_by_role("row").filter(has_text=overdue["reference"])
    expect(row).to_contain_text("Overdue")
    expect(row).to_contain_text(f"Run {overdue['run']} proposes")
    assert serious_accessibility_violations(page) == []

    row.get_by_role("link", name=f"Change the proposal for {overdue['reference']}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(overdue["reference"])
    page.get_by_role("radio", name=overdue["name"], exact=True).check()
    page.get_by_role("checkbox", name="Workload").check()
    page.get_by_role("button", name="Save the change").click()
    expect(
        page.get_by_text(
            f"{overdue['reference']}: the plan now gives this need to {overdue['name']}."
        )
    ).to_be_visible()

    page.get_by_role("link", name="Handovers", exact=True).click()
    row = page.get_by_role("row").filter(has_text=overdue["reference"])
    expect(row).to_contain_text(f"Run {overdue['run']} proposes {overdue['name']}.")
