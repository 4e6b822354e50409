"""Changing a proposal as managers do now: candidates with their figures, rules in words, reasons."""

from __future__ import annotations

import html
import re
from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from planner.domain.vocabulary import OverrideReason, Rosh, UserRole
from planner.domain.weeks import IsoWeek
from planner.extensions import db
from planner.models import Allocation, Case, Exclusion, OverrideCategory, ProposedAssignment
from planner.models.auditing import set_actor
from planner.plans.batch import run_week
from planner.web.templating import govuk_date
from tests.conftest import add_user, sign_in
from tests.planner.pages import body_rows, cells, text_of
from tests.planner.world import MONDAY, World

WEEK = IsoWeek.containing(MONDAY)
DETAIL = "Speaks Somali; knew the family's GP — see O'Brien's note (CT-LDN-0042)!"


@pytest.fixture
def app_settings() -> dict[str, Any]:
    """Today is the tiny world's Monday."""
    return {"TODAY": MONDAY.isoformat()}


@pytest.fixture
def facts(app: Flask) -> dict[str, Any]:
    """A new case to give, a busy holder, a past holder, and three people the rules rule out."""
    with app.app_context():
        world = World(db.session)
        busy = world.person(name="Alex Jones")
        past = world.person(name="Sam Patel")
        world.person(name="Una Trained", skills=[])
        world.person(name="Lee Lapsed", vetting_expiry=date(2026, 11, 2))
        excluded = world.person(name="Eve Excluded")
        held = world.case(rosh=Rosh.HIGH)
        very_high = world.case(rosh=Rosh.VERY_HIGH)
        world.hold(held, "com", busy)
        world.hold(very_high, "com", busy)
        target = world.case(rosh=Rosh.HIGH)
        com = next(need for need in target.needs if need.key == "com")
        com.allocations.append(
            Allocation(staff_member=past, start_date=date(2026, 1, 5),
                       end_date=date(2026, 6, 30), reason="test")
        )  # fmt: skip
        db.session.add(
            Exclusion(case=target, staff_member=excluded, reason="Knew the family at school")
        )
        db.session.flush()
        hours = {case.reference: next(n.hours for n in case.needs if n.key == "com")
                 for case in (held, very_high, target)}  # fmt: skip
        run = run_week(db.session, WEEK, "highs", 10, None, "test")
        proposal = db.session.scalar(
            select(ProposedAssignment).where(
                ProposedAssignment.run_id == run.id, ProposedAssignment.need_id == com.id
            )
        )
        held_proposal = db.session.scalar(
            select(ProposedAssignment.id).where(
                ProposedAssignment.case_reference == held.reference,
                ProposedAssignment.need_index == 0,
            )
        )
        kept = {
            p.case_reference: p.staff_member_id
            for p in db.session.scalars(select(ProposedAssignment).where(
                ProposedAssignment.need_index == 0))
        }  # fmt: skip
        facts = {
            "proposal": proposal.id,
            "url": f"/plans/{run.id}/proposals/{proposal.id}/override",
            "hours": hours,
            "held": held.reference,
            "very_high": very_high.reference,
            "target": target.reference,
            "busy": busy.id,
            "past": past.staff_ref,
            "kept": kept,
            "held_url": f"/plans/{run.id}/proposals/{held_proposal}/override",
            "held_id": held.id,
            "past_id": past.id,
        }
    add_user(app, "manager.user", UserRole.MANAGER)
    return facts


@pytest.fixture
def manager(client: FlaskClient, facts: dict[str, Any]) -> FlaskClient:
    """A manager, signed in."""
    sign_in(client, "manager.user")
    return client


def rows_of(page: str, table_caption: str) -> dict[str, list[str]]:
    """A table's rows by the practitioner's name (the second cell: the first is the radio)."""
    table = page.split(table_caption, 1)[1]
    rows = [
        [html.unescape(cell).replace("\xa0", " ") for cell in cells(row)]
        for row in body_rows(table)
    ]
    return {values[1]: values for values in rows}


def test_the_candidates_show_workload_now_and_with_the_need(
    manager: FlaskClient, facts: dict[str, Any]
) -> None:
    assert facts["kept"][facts["held"]] == facts["kept"][facts["very_high"]] == facts["busy"]
    page = manager.get(facts["url"]).get_data(as_text=True)
    rows = rows_of(page, "Practitioners who may hold the COM")
    hours = facts["hours"]
    # Alex Jones holds two COMs in this plan, on a full-time 37 hours and nothing else.
    now = hours[facts["held"]] + hours[facts["very_high"]]
    alex = next(values for name, values in rows.items() if name.startswith("Alex Jones"))
    assert (
        alex[2]
        == f"{round(100 * now / 37)} % → {round(100 * (now + hours[facts['target']]) / 37)} %"
    )
    assert alex[3] == f"{37 - now:.2f}".rstrip("0").rstrip(".")
    assert alex[4] == "No"
    assert alex[5] == "1"
    sam = next(values for name, values in rows.items() if name.startswith("Sam Patel"))
    assert sam[4] == "Held the COM until 30 June 2026"
    # One radio group, each radio named by the person it chooses.
    assert page.count('name="person" type="radio"') == len(rows) + 1
    assert (
        '<label class="govuk-label govuk-radios__label" for="person"><span class="govuk-visually-hidden">'
        in page
    )


def test_people_the_rules_rule_out_are_listed_apart_in_words(
    manager: FlaskClient, facts: dict[str, Any]
) -> None:
    page = manager.get(facts["url"]).get_data(as_text=True)
    apart = page.split("Who may not hold it, and why")[1]
    reasons = {values[0]: values[1] for values in map(cells, body_rows(apart))}
    assert reasons["Una Trained"] == "Not CT trained"
    assert reasons["Lee Lapsed"] == "Vetting lapsed on 2 November 2026"
    assert reasons["Eve Excluded"] == "Excluded from this case: Knew the family at school"
    chosen = page.split("Who may not hold it, and why")[0]
    for name in ("Una Trained", "Lee Lapsed", "Eve Excluded"):
        assert name not in chosen


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"detail": "Knows the area"}, "Select at least one reason for the change"),
        ({"reasons": ["other"], "detail": "   "}, "Enter the detail of the other reason"),
    ],
)
def test_the_reasons_are_checked(
    manager: FlaskClient, facts: dict[str, Any], data: dict[str, Any], message: str
) -> None:
    page = manager.post(facts["url"], data={"person": facts["past"], **data}).get_data(as_text=True)
    assert "<title>Error: Change the plan for" in page
    summary = page.split('class="govuk-error-summary"')[1].split("</div>\n")[0]
    assert message in text_of(summary)
    assert f'value="{facts["past"]}" checked' in page
    with manager.application.app_context():
        assert not db.session.get(ProposedAssignment, facts["proposal"]).overridden


def test_the_reason_is_kept_and_shown_exactly_as_typed(
    app: Flask, manager: FlaskClient, facts: dict[str, Any]
) -> None:
    response = manager.post(
        facts["url"],
        data={
            "person": facts["past"],
            "reasons": ["better_suited", "continuity"],
            "detail": DETAIL,
        },
    )
    assert response.status_code == 302
    with app.app_context():
        stored = db.session.get(ProposedAssignment, facts["proposal"])
        assert stored.override_reason == DETAIL
        assert stored.override_categories == [
            OverrideReason.CONTINUITY,
            OverrideReason.BETTER_SUITED,
        ]
        assert db.session.scalars(select(OverrideCategory.category)).all() != []
    again = manager.get(facts["url"]).get_data(as_text=True)
    assert DETAIL.replace("'", "&#39;") in again
    assert 'value="better_suited" checked' in again or 'better_suited" checked' in again
    # Changed again with fewer reasons: the kinds follow, the words are the new ones.
    manager.post(
        facts["url"], data={"person": "nobody", "reasons": ["workload"], "detail": "Over the Limit"}
    )
    with app.app_context():
        stored = db.session.get(ProposedAssignment, facts["proposal"])
        assert stored.override_categories == [OverrideReason.WORKLOAD]
        assert stored.override_reason == "Over the Limit"
        assert stored.detail == "Left without a holder by manager.user: Workload: Over the Limit"


def test_history_reads_as_sentences_after_an_approval_and_an_edit(
    app: Flask, manager: FlaskClient, facts: dict[str, Any]
) -> None:
    manager.post(
        facts["held_url"],
        data={"person": facts["past"], "reasons": ["continuity"], "detail": "Knew Him in 2025."},
    )
    assert manager.post("/plans/1/approve").status_code == 302
    with app.app_context():
        set_actor(db.session, "alex.jones")
        db.session.get(Case, facts["held_id"]).rosh = Rosh.VERY_HIGH
        db.session.commit()
    today = govuk_date(date.today())
    page = text_of(manager.get(f"/cases/{facts['held_id']}").get_data(as_text=True))
    history = page.split("History", 1)[1]
    assert re.search(rf"[\w.]+ raised the RoSH from High to Very high on {today}\.", history)
    assert (
        "From 30 November 2026 Sam Patel holds the COM, moved from Alex Jones when run 1 was "
        "approved by manager.user. A manager chose Sam Patel: Continuity with the current "
        "holder: Knew Him in 2025." in history
    )
    assert (
        f"manager.user changed run 1&#39;s plan on {today} to give the COM to Sam Patel instead "
        "of Alex Jones. Why: Continuity with the current holder: Knew Him in 2025." in history
    )
    assert "Alex Jones held the COM until 29 November 2026." in history
    assert "→" not in history and "_" not in history
    person = text_of(manager.get(f"/staff/{facts['past_id']}").get_data(as_text=True))
    assert (
        "From 30 November 2026 Sam Patel holds the COM of " + facts["held"] + ", moved from "
        "Alex Jones when run 1 was approved by manager.user." in person
    )
