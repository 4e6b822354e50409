"""The handover lists: each stage on cases built to be on it and not, the page and the dashboard."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from planner.domain.handovers import Stage, handover_stages
from planner.domain.policy import DEFAULT_POLICY
from planner.domain.reach import Reach
from planner.domain.vocabulary import Cohort, Role, Rosh, SentenceType, Setting, UserRole
from planner.domain.weeks import IsoWeek
from planner.extensions import db
from planner.handovers.queries import handover_cases, on_stage, stage_counts
from planner.models import Case
from planner.plans.batch import run_week
from tests.conftest import add_user, sign_in
from tests.planner.pages import body_rows, text_of
from tests.planner.world import MONDAY, World

EVERYWHERE = Reach.everything()


@pytest.fixture
def app_settings() -> dict[str, Any]:
    """Today is the tiny world's Monday, 30 November 2026."""
    return {"TODAY": MONDAY.isoformat()}


def in_custody(world: World, release: date, **facts: Any) -> Case:
    """A TACT case in custody: the COM responsible 15 months before release, allocated 8 weeks
    before that (early allocation)."""
    return world.case(setting=Setting.CUSTODY, release_date=release, **facts)


def stages_of(case: Case) -> set[Stage]:
    """The lists the page puts a case on today."""
    listed = {item.case.reference: item for item in handover_cases(
        db.session, MONDAY, DEFAULT_POLICY, EVERYWHERE
    )}  # fmt: skip
    item = listed.get(case.reference)
    return set(item.dates.stages) if item else set()


def test_a_com_not_allocated_by_its_date_is_overdue_and_allocated_it_is_not(world: World) -> None:
    # Release 20 December 2027: COM responsible from 20 September 2026, allocated by 26 July.
    nobody = in_custody(world, date(2027, 12, 20))
    held = in_custody(world, date(2027, 12, 20))
    world.hold(held, "com", world.person())
    db.session.commit()
    assert stages_of(nobody) == {Stage.COM_OVERDUE}
    assert stages_of(held) == set()


def test_a_com_due_within_eight_weeks_is_to_be_allocated_and_one_due_later_is_not(
    world: World,
) -> None:
    soon = in_custody(world, date(2028, 5, 1))  # COM allocated by 7 December 2026
    later = in_custody(world, date(2028, 9, 1))  # by 6 April 2027: beyond the 8 weeks
    db.session.commit()
    assert stages_of(soon) == {Stage.COM_TO_ALLOCATE}
    (item,) = [i for i in handover_cases(db.session, MONDAY, DEFAULT_POLICY, EVERYWHERE)]
    assert item.dates.com_allocated_from == date(2026, 12, 7)
    assert item.dates.com_responsible_from == date(2027, 2, 1)
    assert stages_of(later) == set()


def test_a_com_allocated_before_the_handover_is_a_handover_in_progress(world: World) -> None:
    # Release 15 March 2028: COM allocated from 20 October 2026, responsible from 15 December.
    case = in_custody(world, date(2028, 3, 15))
    pom, com = world.person(Role.PRISON), world.person()
    world.hold(case, "pom", pom)
    world.hold(case, "com", com)
    without = in_custody(world, date(2028, 3, 15))
    db.session.commit()
    assert stages_of(case) == {Stage.IN_PROGRESS}
    assert stages_of(without) == {Stage.COM_OVERDUE}
    (item,) = on_stage(
        handover_cases(db.session, MONDAY, DEFAULT_POLICY, EVERYWHERE), Stage.IN_PROGRESS
    )
    assert (item.pom, item.com) == (pom.name, com.name)


def test_handed_over_in_the_last_four_weeks_and_not_before(world: World) -> None:
    recent = in_custody(world, date(2028, 2, 15))  # COM responsible from 15 November 2026
    earlier = in_custody(world, date(2028, 1, 15))  # from 15 October: more than 4 weeks ago
    for case in (recent, earlier):
        world.hold(case, "com", world.person())
    db.session.commit()
    assert stages_of(recent) == {Stage.HANDED_OVER}
    assert stages_of(earlier) == set()


def test_a_release_in_the_next_twelve_weeks_is_listed_and_one_after_or_gone_is_not(
    world: World,
) -> None:
    due = in_custody(world, date(2027, 1, 15))
    after = in_custody(world, date(2027, 3, 1))
    released = world.case(release_date=MONDAY - timedelta(days=3), released_on=MONDAY)
    for case in (due, after):
        world.hold(case, "com", world.person())
    db.session.commit()
    assert stages_of(due) == {Stage.RELEASE_DUE}
    assert stages_of(after) == set()
    assert stages_of(released) == set()


def test_someone_held_past_tariff_years_ago_is_still_overdue_a_com(world: World) -> None:
    # Every date of the case is years ago: a list that looked only at dates near today would
    # miss the person most overdue.
    case = world.case(
        setting=Setting.CUSTODY,
        sentence_type=SentenceType.INDETERMINATE,
        sentence_date=date(2012, 3, 5),
        release_date=None,
        tariff_expiry_date=date(2019, 6, 1),
    )
    db.session.commit()
    assert stages_of(case) == {Stage.COM_OVERDUE}


def test_the_lists_hold_exactly_the_cases_the_rules_put_on_them(world: World) -> None:
    chance = random.Random(11)

    def some_day() -> date | None:
        """A date from three years before to three years after the Monday, or none."""
        if chance.random() < 0.25:
            return None
        return MONDAY + timedelta(days=chance.randint(-1100, 1100))

    cases = []
    for _ in range(300):
        case = world.case(
            setting=Setting.CUSTODY,
            cohort=chance.choice(list(Cohort)),
            mappa_level=chance.choice([1, 2, 3, None]),
            sentence_type=chance.choice([SentenceType.DETERMINATE, SentenceType.INDETERMINATE]),
            sentence_date=some_day(),
            release_date=some_day(),
            parole_eligibility_date=some_day(),
            tariff_expiry_date=some_day(),
            parole_hearing_date=some_day(),
        )
        if chance.random() < 0.4 and any(n.key == "com" for n in case.needs):
            world.hold(case, "com", world.person())
        cases.append(case)
    db.session.commit()
    expected = {}
    for case in cases:
        held = any(n.key == "com" and n.allocations for n in case.needs)
        stages = handover_stages(case, held, MONDAY, DEFAULT_POLICY).stages
        if stages:
            expected[case.reference] = stages
    listed = handover_cases(db.session, MONDAY, DEFAULT_POLICY, EVERYWHERE)
    assert {item.case.reference: item.dates.stages for item in listed} == expected
    counts = stage_counts(listed)
    assert all(counts[stage] >= 1 for stage in Stage), counts


def pages(app: Flask, username: str, *addresses: str) -> list[str]:
    """The pages as the user sees them, signed in in a browser of their own."""
    with app.test_client() as client:
        assert sign_in(client, username).status_code == 302
        return [client.get(address).get_data(as_text=True) for address in addresses]


def test_the_page_lists_overdue_first_with_a_way_to_fix_each(
    app: Flask, users: dict[UserRole, str]
) -> None:
    with app.app_context():
        world = World(db.session)
        world.person()  # a COM the plan can propose
        longest = in_custody(world, date(2027, 10, 20), rosh=Rosh.VERY_HIGH)
        shorter = in_custody(world, date(2027, 12, 20))
        soon = in_custody(world, date(2028, 5, 1))
        db.session.commit()
        run_week(db.session, IsoWeek.containing(MONDAY), "highs", 10, None, "test")
        references = longest.reference, shorter.reference, soon.reference
        names = longest.name, shorter.name
    page, upcoming, empty = pages(
        app,
        users[UserRole.MANAGER],
        "/handovers/",
        "/handovers/?stage=com_to_allocate",
        "/handovers/?stage=handed_over",
    )
    assert (
        "COM allocation overdue (2)" in page
        and "COM to be allocated in the next 8 weeks (1)" in page
    )
    rows = body_rows(page)
    assert [references[0] in rows[0], references[1] in rows[1]] == [True, True]
    first = text_of(rows[0])
    assert names[0] in first and "Very high" in first and "Overdue" in first
    assert "25 May 2026" in first  # the COM was to be allocated by then: the longest overdue
    assert "Change the proposal" in rows[0] and "/proposals/" in rows[0]
    add_user(app, "only.viewing", UserRole.VIEWER)
    with app.test_client() as viewer:
        sign_in(viewer, "only.viewing")
        seen = viewer.get("/handovers/").get_data(as_text=True)
    assert "Run 1 proposes" in seen and "Change the proposal" not in seen
    assert references[2] in upcoming and "7 December 2026" in upcoming
    assert "Plan the week" in upcoming  # no COM need yet: the plan makes one when it is due
    assert "No cases are on this list today." in empty


def test_the_page_shows_only_the_users_regions_and_hides_restricted_names(app: Flask) -> None:
    with app.app_context():
        world = World(db.session)
        _, prison, _ = world.elsewhere("Wales")
        here = in_custody(world, date(2027, 12, 20), restricted=True)
        there = in_custody(world, date(2027, 12, 20), site=prison)
        db.session.commit()
        add_user(app, "london.manager", UserRole.MANAGER, regions=[world.region.id])
        hidden, away = here.name, there.reference
    (page,) = pages(app, "london.manager", "/handovers/")
    assert "COM allocation overdue (1)" in page and away not in page
    assert "A restricted case" in page and hidden not in page


def test_a_list_that_is_not_or_a_page_past_the_end_is_not_found(manager: FlaskClient) -> None:
    assert manager.get("/handovers/?stage=nonsense").status_code == 404
    assert manager.get("/handovers/?page=2").status_code == 404
    assert manager.get("/handovers/?page=x").status_code == 404


def test_the_dashboard_counts_each_list_and_links_to_it(app: Flask, manager: FlaskClient) -> None:
    with app.app_context():
        world = World(db.session)
        in_custody(world, date(2027, 12, 20))
        in_custody(world, date(2028, 5, 1))
        db.session.commit()
    page = manager.get("/").get_data(as_text=True)
    panel = page.split('id="handovers"', 1)[1]
    assert "COM allocation overdue" in panel and 'govuk-tag--red">1 case<' in panel
    assert 'href="/handovers/?stage=com_overdue"' in panel
    assert 'href="/handovers/?stage=com_to_allocate"' in panel
    assert 'href="/handovers/?stage=handed_over"' not in panel  # nothing on it, nothing to open
