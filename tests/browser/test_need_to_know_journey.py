"""Need-to-know in the browser: an admin limits a manager to London; the manager then sees only
London's cases, and a Welsh case's address answers "Page not found"."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from planner.cases.services import sync_needs
from planner.domain.policy import DEFAULT_POLICY
from planner.domain.vocabulary import Cohort, Rosh, SentenceType, Setting, SiteKind, UserRole
from planner.extensions import db
from planner.models import Case, Region, Site
from planner.models.auditing import set_actor
from tests.browser.journeys import serious_accessibility_violations, sign_in
from tests.conftest import add_user

WELSH_CASE = "CT-WAL-0001"


@pytest.fixture
def wales(app: Flask) -> int:
    """A second region with one case in it, a national admin, and a manager yet to be limited."""
    with app.app_context():
        set_actor(db.session, "test")
        office = Site(
            code="NSD-WALES", name="NSD Wales team", kind=SiteKind.NSD, region=Region(name="Wales")
        )
        case = Case(
            reference=WELSH_CASE,
            name="Wyn Cardiff",
            cohort=Cohort.TACT,
            rosh=Rosh.HIGH,
            tier="B2",
            mappa_category=4,
            mappa_level=2,
            setting=Setting.COMMUNITY,
            site=office,
            sentence_type=SentenceType.DETERMINATE,
            sentence_date=date(2020, 1, 6),
            release_date=date(2024, 1, 8),
            released_on=date(2024, 1, 8),
            active=True,
        )
        sync_needs(case, DEFAULT_POLICY, date(2026, 12, 7))
        db.session.add(case)
        db.session.commit()
        case_id = case.id
        london = db.session.scalar(select(Region.id).where(Region.name == "London"))
        db.session.close()  # its connection back before the pool goes
        db.engine.dispose()
    add_user(app, "admin.user", UserRole.ADMIN)
    add_user(app, "manager.london", UserRole.MANAGER, regions=[london])
    return case_id


def test_a_manager_limited_to_london_sees_only_london(page: Page, wales: int, site: str) -> None:
    # An admin gives the manager London alone, with the checkboxes on their account's page.
    sign_in(page, site, "admin.user")
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("link", name="Users").click()
    page.get_by_role("link", name="manager.london").click()
    page.get_by_role("link", name="Change regions").click()
    expect(page.get_by_role("heading", name="Regions manager.london may see")).to_be_visible()
    expect(page.get_by_label("London")).to_be_checked()
    assert serious_accessibility_violations(page) == []
    page.get_by_label("Every region (national)").check()
    # Every region stands apart: ticking it clears the others.
    expect(page.get_by_label("London")).not_to_be_checked()
    page.get_by_label("London").check()
    expect(page.get_by_label("Every region (national)")).not_to_be_checked()
    page.get_by_role("button", name="Save regions").click()
    expect(page.get_by_text("manager.london now sees London.")).to_be_visible()
    assert serious_accessibility_violations(page) == []
    # The admin sees every region, Wales too, and who may open the Welsh case.
    page.goto(f"{site}/cases/{wales}")
    page.get_by_role("button", name="Who may open it").click()
    expect(page.get_by_role("heading", name="Who may open this case")).to_be_visible()
    assert serious_accessibility_violations(page) == []
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, site, "manager.london")
    page.get_by_role("link", name="Cases", exact=True).click()
    cases = page.get_by_role("table")
    expect(cases).to_contain_text("CT-")
    expect(cases).not_to_contain_text(WELSH_CASE)
    expect(page.get_by_label("Region")).not_to_contain_text("Wales")
    assert serious_accessibility_violations(page) == []
    page.goto(f"{site}/cases/{wales}")
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text(WELSH_CASE)
    assert serious_accessibility_violations(page) == []
