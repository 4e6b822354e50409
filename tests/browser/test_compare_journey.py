"""A manager compares three of a proposal's candidates side by side and picks one."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from planner.domain.clock import today
from planner.domain.weeks import IsoWeek
from planner.extensions import db
from planner.models import PlanRun, ProposedAssignment
from planner.plans.batch import run_week
from planner.plans.overrides import candidates
from tests.browser.journeys import serious_accessibility_violations, sign_in


@pytest.fixture
def proposal(app: Flask) -> dict[str, Any]:
    """This week planned, and a proposal with at least three people who may hold its need."""
    with app.app_context():
        run = run_week(db.session, IsoWeek.containing(today()), "highs", 10, None, "test")
        run = db.session.get(PlanRun, run.id)
        proposals = db.session.scalars(
            select(ProposedAssignment)
            .where(ProposedAssignment.run_id == run.id)
            .order_by(ProposedAssignment.id)
        )
        chosen, names = next(
            (p, names)
            for p in proposals
            if len(names := [c.staff.name for c in candidates(db.session, run, p) if c.eligible])
            >= 3
        )
        found = {
            "url": f"/plans/{run.id}/proposals/{chosen.id}/override",
            "reference": chosen.case_reference,
            "names": names[:3],
        }
        db.session.close()
        db.engine.dispose()
    return found


def test_compare_three_candidates_and_pick_one(
    proposal: dict[str, Any], page: Page, site: str
) -> None:
    sign_in(page, site)
    page.goto(site + proposal["url"])
    for name in proposal["names"]:
        page.get_by_role("checkbox", name=f"Compare {name}", exact=True).check()
    page.get_by_role("button", name="Compare the people ticked").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Compare staff")
    expect(page.locator(".govuk-caption-l")).to_contain_text(proposal["reference"])
    table = page.get_by_role("table")
    for name in proposal["names"]:
        expect(table.get_by_role("columnheader", name=name)).to_be_visible()
    expect(table.get_by_role("rowheader", name="Workload % over the next 12 weeks")).to_be_visible()
    assert serious_accessibility_violations(page) == []

    picked = proposal["names"][2]
    page.get_by_role("link", name=f"Choose {picked}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(proposal["reference"])
    expect(page.get_by_role("radio", name=picked, exact=True)).to_be_checked()
    page.get_by_role("checkbox", name="The person is better suited").check()
    page.get_by_label("Give more detail").fill("Compared side by side: fewest very high cases")
    page.get_by_role("button", name="Save the change").click()
    expect(
        page.get_by_text(f"{proposal['reference']}: the plan now gives this need to {picked}.")
    ).to_be_visible()
