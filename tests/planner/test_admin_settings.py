"""The policy settings: everyone reads them, admins change them a group at a time, all audited."""

from __future__ import annotations

import dataclasses
import re
from html.parser import HTMLParser
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from planner.admin.policy_checks import capacities_in_order
from planner.admin.policy_groups import GROUPS, GROUPS_BY_SLUG, SETTING_TITLES
from planner.domain.policy import DEFAULT_POLICY, POLICY_KEYS
from planner.domain.vocabulary import UserRole
from planner.extensions import db
from planner.models import AuditEvent, PolicySetting
from planner.models.auditing import set_actor
from planner.models.policy import load_policy, seed_policy
from tests.conftest import count, sign_in
from tests.planner.pages import cells


class FormReader(HTMLParser):
    """Reads what a page's form would send, as a browser does: boxes, ticks and selections."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, Any] = {}
        self.select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Note each box's value, each ticked box and each selected option."""
        found = dict(attrs)
        name = found.get("name")
        if tag == "input" and found.get("type") == "text" and name:
            self.values[name] = found.get("value") or ""
        elif tag == "input" and found.get("type") in ("checkbox", "radio") and name:
            if "checked" in found:
                self.values.setdefault(name, []).append(found.get("value"))
        elif tag == "select":
            self.select = name
        elif tag == "option" and self.select and "selected" in found:
            self.values[self.select] = found.get("value")


def form_values(client: FlaskClient, slug: str) -> dict[str, Any]:
    """What the group's form holds before anything is typed, as a browser would send it."""
    reader = FormReader()
    reader.feed(client.get(f"/settings/policy/{slug}").get_data(as_text=True))
    return reader.values


def stored(app: Flask) -> tuple[dict[str, Any], int]:
    """The policy in force and the number of audit lines."""
    with app.app_context():
        policy = load_policy(db.session).to_dict()
    return policy, count(app, AuditEvent)


def settings_shown(page: str) -> dict[str, tuple[str, ...]]:
    """Each setting on the settings page: its value and when it was last changed, as text."""
    rows = re.findall(r'<tr class="govuk-table__row" id="setting-([^"]+)">(.*?)</tr>', page, re.S)
    return {key: tuple(cells(row)) for key, row in rows}


# Some of the defaults as the settings page writes them.
IN_FORCE = {
    "risk_weights": "Low: 1 Medium: 10 High: 100 Very high: 1,000",
    "safe_workload": "110%",
    "hard_capacity": "120%",
    "pom_hours": "Low: 1 hour Medium: 1.5 hours High: 2 hours Very high: 2.5 hours",
    "ct_multiplier": "× 1.5",
    "full_time_points": "2,176 points",
    "early_allocation_months": "15 months",
    "determinate_months": "8 months",
    "determinate_days": "14 days",
    "trainee_reductions": "The first 6 months: 80% Months 7 to 12: 60% Months 13 to 18: 40%",
    "base_vetting": "BPSS",
    "ct_vetting": "SC",
    "relative_gap": "0.01%",
    "beyond_safe_risks": "Very high, High",
    "horizon_weeks": "4 weeks",
    "due_soon_days": "14 days",
}


def test_every_setting_has_a_title_and_exactly_one_group() -> None:
    keys = [key for group in GROUPS for key in group.keys]
    assert sorted(keys) == sorted(POLICY_KEYS)
    assert set(SETTING_TITLES) == POLICY_KEYS


@pytest.mark.parametrize("role", list(UserRole))
def test_everyone_reads_the_policy_in_force(
    client: FlaskClient, users: dict[UserRole, str], role: UserRole
) -> None:
    sign_in(client, users[role])
    page = client.get("/settings/").get_data(as_text=True)
    assert "<title>Settings – Caseload planner</title>" in page
    for group in GROUPS:
        assert f'id="{group.slug}-title">{group.title}</h2>' in page
    shown = settings_shown(page)
    assert set(shown) == POLICY_KEYS
    assert {key: shown[key][0] for key in IN_FORCE} == IN_FORCE
    assert all(changed == "Never: the default" for _, changed in shown.values())
    assert "No setting has been changed from its default yet." in page


def test_storing_the_defaults_is_not_a_change(app: Flask, admin: FlaskClient) -> None:
    with app.app_context():
        set_actor(db.session, "demo-data")
        seed_policy(db.session, "demo-data")
        db.session.commit()
    page = admin.get("/settings/").get_data(as_text=True)
    assert page.count("Never: the default") == len(POLICY_KEYS)
    assert "demo-data" not in page


# Some of each group's defaults as its form holds them, as typed (percentages as whole numbers).
FORM_DEFAULTS: dict[str, dict[str, Any]] = {
    "risk-weights": {"risk_weights__low": "1", "risk_weights__very_high": "1000"},
    "capacity": {"soft_capacity": "100", "safe_workload": "110", "hard_capacity": "120", "excessive_weeks": "4"},
    "hours": {"pom_hours__medium": "1.5", "ct_multiplier": "1.5", "coworker_share": "50"},
    "workload-points": {"full_time_points": "2176", "workload_points__A3__licence": "219", "workload_points__G__custody": "12"},
    "handover": {"early_allocation_months": "15", "determinate_days": "14", "com_allocation_weeks": "8"},
    "trainees": {"trainee_reductions__0": "80", "trainee_reductions__2": "40", "trainee_reductions__3": ""},
    "requirements": {"base_vetting": "BPSS", "ct_vetting": "SC", "ct_skills": ["ct_trained"], "senior_grade": "PO"},
    "alerts": {"release_alert_weeks": "4", "due_soon_days": "14"},
    "planning": {"horizon_weeks": "4"},
    "signing-out": {"idle_minutes": "30"},
    "overload": {"beyond_safe_risks": ["very_high", "high"]},
    "optimiser": {"time_limit_seconds": "60", "relative_gap": "0.01"},
}  # fmt: skip


@pytest.mark.parametrize("group", GROUPS, ids=[group.slug for group in GROUPS])
def test_each_group_form_shows_the_values_in_force(admin: FlaskClient, group: Any) -> None:
    response = admin.get(f"/settings/policy/{group.slug}")
    assert response.status_code == 200
    assert f"<title>{group.title} – Caseload planner</title>" in response.get_data(as_text=True)
    values = form_values(admin, group.slug)
    expected = FORM_DEFAULTS[group.slug]
    assert {name: values.get(name) for name in expected} == expected


def test_an_unknown_group_is_not_found(admin: FlaskClient) -> None:
    assert admin.get("/settings/policy/no-such-group").status_code == 404


# (group, field, what was typed, other fields changed, the message)
INVALID = [
    ("risk-weights", "risk_weights__very_high", "", {}, "Enter the risk weight for very high RoSH, like 100"),
    ("risk-weights", "risk_weights__high", "ten", {}, "The risk weight for high RoSH must be a number, like 100"),
    ("risk-weights", "risk_weights__high", "10.5", {}, "The risk weight for high RoSH must be a whole number, like 100"),
    ("risk-weights", "risk_weights__medium", "0", {}, "The risk weight for medium RoSH must be between 1 and 1,000,000"),
    ("risk-weights", "risk_weights__high", "10", {}, "The risk weight for high RoSH must be more than the weight for medium RoSH (10)"),
    ("capacity", "soft_capacity", "300", {}, "The soft capacity must be between 50% and 150%"),
    ("capacity", "hard_capacity", "90", {}, "The hard capacity must be at least the soft capacity (100%)"),
    ("capacity", "safe_workload", "95", {}, "The safe workload must be at least the soft capacity (100%)"),
    ("capacity", "safe_workload", "130", {}, "The safe workload must be no more than the hard capacity (120%)"),
    ("capacity", "excessive_weeks", "0", {}, "The weeks above the safe workload that count as excessive must be between 1 and 52"),
    ("hours", "pom_hours__low", "-1", {}, "The POM hours for low RoSH must be 0, or between 0.1 and 40"),
    ("hours", "ct_multiplier", "0.5", {}, "The CT multiplier must be between 1 and 5"),
    ("hours", "ct_multiplier", "lots", {}, "The CT multiplier must be a number, like 1.5"),
    ("hours", "pom_hours__high", "1,5", {}, "The POM hours for high RoSH must be a number, like 1.5"),
    ("hours", "post_release_weeks", "12.5", {}, "The weeks the post-release uplift lasts must be a whole number, like 12"),
    ("hours", "coworker_share", "150", {}, "The co-worker share must be between 0% and 100%"),
    ("workload-points", "full_time_hours", "", {}, "Enter the full-time hours, like 37"),
    ("workload-points", "full_time_points", "50", {}, "The full-time points must be between 100 and 10,000"),
    ("workload-points", "workload_points__A3__licence", "abc", {}, "The points for tier A3 licence cases must be a number, like 219"),
    ("handover", "determinate_days", "31", {}, "The days before release for other determinate sentences must be between 0 and 30"),
    ("handover", "early_allocation_months", "37", {}, "The months before release for early allocation must be between 0 and 36"),
    ("trainees", "trainee_reductions__0", "120", {}, "The reduction for the first 6 months must be between 0% and 100%"),
    ("trainees", "trainee_reductions__1", "", {}, "Enter the reduction for months 7 to 12, or clear the later periods"),
    ("alerts", "release_alert_weeks", "2.5", {}, "The weeks before release or handover to alert must be a whole number, like 4"),
    ("optimiser", "time_limit_seconds", "0", {}, "The time limit must be between 1 and 3600"),
    ("optimiser", "relative_gap", "20", {}, "The relative gap must be between 0% and 10%"),
    ("requirements", "ct_vetting", "BPSS", {"base_vetting": "SC"}, "The vetting counter-terrorism cases need must be at least the vetting every case needs (SC)"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("slug", "field", "typed", "others", "message"),
    INVALID,
    ids=[f"{slug}-{field}-{typed or 'blank'}" for slug, field, typed, _, _ in INVALID],
)
def test_each_invalid_value_is_named_kept_and_nothing_is_written(
    app: Flask,
    admin: FlaskClient,
    slug: str,
    field: str,
    typed: str,
    others: dict[str, str],
    message: str,
) -> None:
    before = stored(app)
    data = {**form_values(admin, slug), **others, field: typed}
    response = admin.post(f"/settings/policy/{slug}", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.startswith("<!DOCTYPE html>")
    assert f"<title>Error: {GROUPS_BY_SLUG[slug].title} – Caseload planner</title>" in page
    assert "There is a problem" in page
    assert f'<a href="#{field}">{message}</a>' in page
    assert f'<p id="{field}-error" class="govuk-error-message">' in page
    kept = FormReader()
    kept.feed(page)
    assert kept.values == data
    assert stored(app) == before


def test_a_saved_change_is_in_force_audited_and_named(app: Flask, admin: FlaskClient) -> None:
    data = {**form_values(admin, "hours"), "ct_multiplier": "2"}
    response = admin.post("/settings/policy/hours", data=data)
    assert response.status_code == 302
    assert response.headers["Location"] == "/settings/#hours"
    page = admin.get("/settings/").get_data(as_text=True)
    assert "Hours for each case saved. CT multiplier: × 1.5 → × 2." in page
    shown = settings_shown(page)
    value, changed = shown.pop("ct_multiplier")
    assert value == "× 2" and changed.endswith(" by admin.user")
    assert all(changed == "Never: the default" for _, changed in shown.values())
    with app.app_context():
        assert load_policy(db.session).ct_multiplier == 2.0
        row = db.session.get(PolicySetting, "ct_multiplier")
        assert row.updated_by == "admin.user"
        line = db.session.scalar(
            select(AuditEvent).where(
                AuditEvent.entity == "policy setting", AuditEvent.entity_id == "ct_multiplier"
            )
        )
        assert line.actor == "admin.user"
        assert line.after["value"] == 2.0
    history = page[page.index('id="recent-changes"') :]
    assert "admin.user" in history
    assert "CT multiplier" in history
    assert "× 1.5 → × 2" in history


def test_percentages_are_stored_as_shares(app: Flask, admin: FlaskClient) -> None:
    data = {**form_values(admin, "capacity"), "safe_workload": "115", "hard_capacity": "125%"}
    assert admin.post("/settings/policy/capacity", data=data).status_code == 302
    with app.app_context():
        policy = load_policy(db.session)
    assert (policy.safe_workload, policy.hard_capacity, policy.soft_capacity) == (1.15, 1.25, 1.0)


def test_one_entry_of_the_points_table_changes_alone(app: Flask, admin: FlaskClient) -> None:
    data = {**form_values(admin, "workload-points"), "workload_points__A3__licence": "230"}
    assert admin.post("/settings/policy/workload-points", data=data).status_code == 302
    with app.app_context():
        points = load_policy(db.session).workload_points
    expected = {tier: dict(row) for tier, row in DEFAULT_POLICY.workload_points.items()}
    expected["A3"]["licence"] = 230
    assert points == expected
    assert "Tier A3, licence: 219 → 230" in admin.get("/settings/").get_data(as_text=True)


def test_trainee_reductions_end_where_the_periods_are_left_blank(
    app: Flask, admin: FlaskClient
) -> None:
    data = {**form_values(admin, "trainees"), "trainee_reductions__2": ""}
    assert admin.post("/settings/policy/trainees", data=data).status_code == 302
    with app.app_context():
        assert load_policy(db.session).trainee_reductions == [0.8, 0.6]


def test_vetting_skills_and_grade_are_chosen(app: Flask, admin: FlaskClient) -> None:
    data = {
        "base_vetting": "CTC",
        "ct_vetting": "DV",
        "ct_skills": ["erg_assessor", "ct_trained"],
        "senior_grade": "SPO",
    }
    assert admin.post("/settings/policy/requirements", data=data).status_code == 302
    with app.app_context():
        policy = load_policy(db.session)
    assert (policy.base_vetting, policy.ct_vetting, policy.senior_grade) == ("CTC", "DV", "SPO")
    assert policy.ct_skills == ["ct_trained", "erg_assessor"]


def test_saving_the_same_values_writes_nothing(app: Flask, admin: FlaskClient) -> None:
    before = stored(app)
    response = admin.post("/settings/policy/handover", data=form_values(admin, "handover"))
    assert response.status_code == 302
    assert "Handover from custody to community: nothing changed." in admin.get(
        "/settings/"
    ).get_data(as_text=True)
    assert stored(app) == before


def test_the_history_leaves_out_defaults_being_stored(app: Flask, admin: FlaskClient) -> None:
    with app.app_context():
        set_actor(db.session, "demo-data")
        seed_policy(db.session, "demo-data")
        db.session.commit()
    page = admin.get("/settings/").get_data(as_text=True)
    assert "No setting has been changed from its default yet." in page
    data = {**form_values(admin, "risk-weights"), "risk_weights__very_high": "5000"}
    admin.post("/settings/policy/risk-weights", data=data)
    page = admin.get("/settings/").get_data(as_text=True)
    history = page[page.index('id="recent-changes"') :]
    assert history.count('<tr class="govuk-table__row">') == 2  # the heading and one change
    assert "Very high: 1,000 → 5,000" in history


def test_a_changed_policy_still_loads_as_a_policy(app: Flask, admin: FlaskClient) -> None:
    for group in GROUPS:
        response = admin.post(f"/settings/policy/{group.slug}", data=form_values(admin, group.slug))
        assert response.status_code == 302, group.slug
    with app.app_context():
        assert dataclasses.asdict(load_policy(db.session)) == DEFAULT_POLICY.to_dict()


def test_a_hard_capacity_below_the_soft_one_is_the_only_error_named() -> None:
    values = {("soft_capacity",): 1.0, ("safe_workload",): 1.1, ("hard_capacity",): 0.9}
    assert [path for path, _ in capacities_in_order(values)] == [("hard_capacity",)]


@pytest.mark.parametrize(("typed", "read"), [("2176", 2176), ("2,176", 2176), ("2176.0", 2176)])
def test_numbers_are_read_as_people_type_them(typed: str, read: int) -> None:
    (full_time_points,) = [
        n for n in GROUPS_BY_SLUG["workload-points"].numbers if n.path == ("full_time_points",)
    ]
    assert full_time_points.parse(typed) == read
