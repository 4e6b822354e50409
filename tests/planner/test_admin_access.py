"""Who may use each settings page: route × role → status; nothing written when refused."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from planner.domain.vocabulary import SiteKind, UserRole
from planner.extensions import db
from planner.models import AuditEvent, Region, Site, User
from planner.models.auditing import set_actor
from planner.models.policy import load_policy
from tests.conftest import PASSWORD, AppFactory, add_user, count, sign_in

EVERYONE = "everyone"
ADMINS = "admins"
NEW_PASSWORD = "a brand new long password"

# (method, address, who may use it, form data): {user}, {region} and {site} name the rows the
# fixture makes. Every POST is valid, so an admin's is saved and redirected.
ROUTES: list[tuple[str, str, str, dict[str, Any] | None]] = [
    ("GET", "/settings/", EVERYONE, None),
    ("GET", "/settings/policy/hours", ADMINS, None),
    (
        "POST",
        "/settings/policy/optimiser",
        ADMINS,
        {"time_limit_seconds": "90", "relative_gap": "0.5"},
    ),
    ("GET", "/settings/users", ADMINS, None),
    ("GET", "/settings/users/new", ADMINS, None),
    (
        "POST",
        "/settings/users/new",
        ADMINS,
        {
            "username": "new.user",
            "role": "viewer",
            "regions": "national",
            "password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
    ),
    ("GET", "/settings/users/{user}", ADMINS, None),
    ("GET", "/settings/users/{user}/role", ADMINS, None),
    ("POST", "/settings/users/{user}/role", ADMINS, {"role": "manager"}),
    ("GET", "/settings/users/{user}/regions", ADMINS, None),
    ("POST", "/settings/users/{user}/regions", ADMINS, {"regions": "national"}),
    ("GET", "/settings/users/{user}/status", ADMINS, None),
    ("POST", "/settings/users/{user}/status", ADMINS, {"active": "no"}),
    ("GET", "/settings/users/{user}/password", ADMINS, None),
    (
        "POST",
        "/settings/users/{user}/password",
        ADMINS,
        {"password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD},
    ),
    ("GET", "/settings/places", EVERYONE, None),
    ("GET", "/settings/places/regions/new", ADMINS, None),
    ("POST", "/settings/places/regions/new", ADMINS, {"name": "Wales"}),
    ("GET", "/settings/places/regions/{region}", ADMINS, None),
    ("POST", "/settings/places/regions/{region}", ADMINS, {"name": "Greater London"}),
    ("GET", "/settings/places/sites/new", ADMINS, None),
    (
        "POST",
        "/settings/places/sites/new",
        ADMINS,
        {"kind": "pdu", "code": "PDU-LAMBETH", "name": "Lambeth PDU", "region": "{region}"},
    ),
    ("GET", "/settings/places/sites/{site}", ADMINS, None),
    (
        "POST",
        "/settings/places/sites/{site}",
        ADMINS,
        {"kind": "prison", "code": "HMP-BELMARSH", "name": "HMP Belmarsh", "region": "{region}"},
    ),
]


@pytest.fixture
def rows(app: Flask) -> dict[str, int]:
    """A user to act on, and a region with a prison."""
    with app.app_context():
        set_actor(db.session, "test")
        target = User(username="target.user", role=UserRole.VIEWER, active=True)
        target.set_password("target password long")
        site = Site(
            code="HMP-BELMARSH",
            name="Belmarsh",
            kind=SiteKind.PRISON,
            region=Region(name="London"),
        )
        db.session.add_all([target, site])
        db.session.commit()
        return {"user": target.id, "region": site.region_id, "site": site.id}


def expected_status(method: str, who: str, role: UserRole | None) -> int:
    """What the table says a role gets: signed out → sign-in, refused → 403, allowed → 200/302."""
    if role is None:
        return 302
    if who == ADMINS and role != UserRole.ADMIN:
        return 403
    return 302 if method == "POST" else 200


def written(app: Flask) -> tuple[int, dict[str, Any]]:
    """How many audit lines there are (every write makes one) and the policy in force."""
    lines = count(app, AuditEvent)
    with app.app_context():
        return lines, load_policy(db.session).to_dict()


@pytest.mark.parametrize(
    "role", [None, *UserRole], ids=["signed-out", *(r.value for r in UserRole)]
)
def test_each_role_gets_what_the_table_says(
    app: Flask,
    client: FlaskClient,
    users: dict[UserRole, str],
    rows: dict[str, int],
    role: UserRole | None,
) -> None:
    if role is not None:
        sign_in(client, users[role])
    before = written(app)
    got, wanted = {}, {}
    for method, address, who, data in ROUTES:
        path = address.format(**rows)
        form = {name: value.format(**rows) for name, value in (data or {}).items()}
        response = client.open(path, method=method, data=form)
        got[f"{method} {path}"] = response.status_code
        wanted[f"{method} {path}"] = expected_status(method, who, role)
        if role is None:
            assert response.headers["Location"].startswith("/sign-in?next=")
    assert got == wanted
    if role != UserRole.ADMIN:
        assert written(app) == before


def test_the_settings_are_in_the_primary_navigation_for_everyone(
    client: FlaskClient, users: dict[UserRole, str]
) -> None:
    for role in UserRole:
        sign_in(client, users[role])
        page = client.get("/").get_data(as_text=True)
        assert re.search(
            r'<a class="moj-primary-navigation__link" href="/settings/"\s*>Settings<', page
        )
        client.post("/sign-out")


@pytest.mark.parametrize("role", list(UserRole))
def test_admin_only_pages_are_linked_only_for_admins(
    client: FlaskClient, users: dict[UserRole, str], rows: dict[str, int], role: UserRole
) -> None:
    sign_in(client, users[role])
    admin = role == UserRole.ADMIN
    settings = client.get("/settings/").get_data(as_text=True)
    places = client.get("/settings/places").get_data(as_text=True)
    assert ('href="/settings/users"' in settings + places) is admin
    assert ('href="/settings/policy/' in settings) is admin
    assert ('href="/settings/places/' in places) is admin
    assert ("Only admins can change these settings" in settings) is not admin


def test_the_forms_carry_a_csrf_token_and_refuse_a_post_without_one(
    app_factory: AppFactory,
) -> None:
    app = app_factory("csrf", WTF_CSRF_ENABLED=True)
    add_user(app, "admin.user", UserRole.ADMIN)
    with app.test_client() as client:
        page = client.get("/sign-in").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        data = {"username": "admin.user", "password": PASSWORD, "csrf_token": token}
        assert client.post("/sign-in", data=data).status_code == 302
        for path in (
            "/settings/policy/alerts",
            "/settings/users/new",
            "/settings/places/regions/new",
        ):
            page = client.get(path).get_data(as_text=True)
            assert 'name="csrf_token"' in page
        data = {"release_alert_weeks": "6", "due_soon_days": "14"}
        assert client.post("/settings/policy/alerts", data=data).status_code == 400
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        response = client.post("/settings/policy/alerts", data={**data, "csrf_token": token})
        assert response.status_code == 302


def test_every_group_of_choices_has_a_legend_and_no_empty_hint(
    client: FlaskClient, users: dict[UserRole, str], rows: dict[str, int]
) -> None:
    sign_in(client, users[UserRole.ADMIN])
    groups = 0
    for method, address, _, _ in ROUTES:
        if method == "GET":
            response = client.get(address.format(**rows))
            assert response.status_code == 200, address
            page = response.get_data(as_text=True)
            legends = re.findall(r"<legend[^>]*>(.*?)</legend>", page, re.S)
            groups += len(legends)
            assert page.count("<fieldset") == len(legends), address
            assert all(re.sub(r"<[^>]+>", "", legend).strip() for legend in legends), address
            assert not re.search(r'class="govuk-hint">\s*</div>', page), address
    assert groups >= 5  # the role, status, kind and region choices at least
