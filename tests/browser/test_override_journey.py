"""A manager changes one proposal, choosing the person by radio with a reason, approves, and
reads the case's history in words."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from planner.domain.weeks import IsoWeek
from planner.extensions import db
from planner.models import PlanRun, ProposedAssignment
from planner.plans.batch import run_week
from planner.plans.overrides import candidates
from tests.browser.journeys import expect_error_summary, serious_accessibility_violations, sign_in

DETAIL = "Knows the family's GP — O'Brien; see CT note (2025)."


@pytest.fixture
def proposal(app: Flask) -> dict[str, Any]:
    """A finished run of the coming week, and a filled proposal someone else may take."""
    with app.app_context():
        run = run_week(db.session, IsoWeek.parse("2026-W51"), "highs", 10, None, "test")
        run = db.session.get(PlanRun, run.id)
        filled = db.session.scalars(
            select(ProposedAssignment)
            .where(
                ProposedAssignment.run_id == run.id, ProposedAssignment.staff_member_id.is_not(None)
            )
            .order_by(ProposedAssignment.id)
        ).all()
        chosen, other = next(
            (p, c)
            for p in filled
            for c in candidates(db.session, run, p)
            if c.eligible and c.staff.id != p.staff_member_id
        )
        found = {
            "url": f"/plans/{run.id}/proposals/{chosen.id}/override",
            "run": run.id,
            "case_id": chosen.need.case_id,
            "reference": chosen.case_reference,
            "name": other.staff.name,
        }
        db.session.close()  # its connection back before the pool goes
        db.engine.dispose()
    return found


def test_change_a_proposal_by_radio_with_a_reason_and_read_the_history(
    proposal: dict[str, Any], page: Page, site: str
) -> None:
    sign_in(page, site)
    page.goto(site + proposal["url"])
    expect(page.get_by_role("heading", level=1)).to_contain_text(proposal["reference"])
    candidates_table = page.get_by_role("table", name=re.compile("Practitioners who may hold"))
    expect(candidates_table).to_contain_text("→")
    assert serious_accessibility_violations(page) == []

    # No reason: the error summary says so, and the page stays accessible.
    page.get_by_role("radio", name=proposal["name"], exact=True).check()
    page.get_by_role("button", name="Save the change").click()
    expect_error_summary(page, f"Change the plan for {proposal['reference']} – Run {proposal['run']}",
                         "Select at least one reason for the change")  # fmt: skip
    expect(page.get_by_role("radio", name=proposal["name"], exact=True)).to_be_checked()

    page.get_by_role("checkbox", name="The person is better suited").check()
    page.get_by_label("Give more detail").fill(DETAIL)
    page.get_by_role("button", name="Save the change").click()
    expect(
        page.get_by_text(
            f"{proposal['reference']}: the plan now gives this need to {proposal['name']}."
        )
    ).to_be_visible()

    page.goto(f"{site}/plans/{proposal['run']}/approve")
    page.get_by_role("button", name=re.compile("^Approve")).click()
    expect(page.get_by_text(re.compile(r"Plan run \d+ approved"))).to_be_visible()

    page.goto(f"{site}/cases/{proposal['case_id']}")
    history = page.locator(".planner-history")
    expect(history).to_contain_text(
        re.compile(
            rf"From 14 December 2026 {re.escape(proposal['name'])} holds the [\w -]*?[PC]OM, "
            rf"(moved from [\w' -]+ )?when run {proposal['run']} was approved by manager\.user\. "
            rf"A manager chose {re.escape(proposal['name'])}: The person is better suited: "
            + re.escape(DETAIL)
        )
    )
    expect(history).to_contain_text(f"Why: The person is better suited: {DETAIL}")
    assert serious_accessibility_violations(page) == []
