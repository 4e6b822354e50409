"""Admins manage users: add, change role, deactivate, set a password; never lock the admins out."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from planner.admin import services as service
from planner.admin.services import RefusedChange
from planner.domain.vocabulary import UserRole
from planner.extensions import db
from planner.models import AuditEvent, Region, User
from planner.models.auditing import set_actor
from tests.conftest import PASSWORD, add_user, count, sign_in
from tests.planner.pages import body_rows, cells

NEW_PASSWORD = "a different long password"


def user_id(app: Flask, username: str) -> int:
    """The id of a user."""
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.username == username))


def account(app: Flask, username: str) -> tuple[UserRole, bool, str]:
    """A user's role, status and password hash as stored."""
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        return user.role, user.active, user.password_hash


def user_rows(page: str) -> dict[str, list[str]]:
    """The users table, in order: each username to the rest of its row."""
    return {row[0]: row[1:] for row in map(cells, body_rows(page))}


def test_signing_in_records_when(
    app: Flask, users: dict[UserRole, str], client: FlaskClient
) -> None:
    before = datetime.now(UTC)
    sign_in(client, users[UserRole.MANAGER])
    with app.app_context():
        signed_in = {
            user.username: user.last_sign_in_at for user in db.session.scalars(select(User))
        }
    assert before <= signed_in[users[UserRole.MANAGER]] <= datetime.now(UTC)
    assert signed_in[users[UserRole.VIEWER]] is None


def test_the_list_shows_each_user_with_role_status_and_last_sign_in(
    app: Flask, admin: FlaskClient
) -> None:
    add_user(app, "gone.user", UserRole.VIEWER, active=False)
    with app.app_context():
        me = db.session.scalar(select(User).where(User.username == "admin.user"))
        me.last_sign_in_at = datetime(2026, 7, 1, 13, 5, tzinfo=UTC)  # 2:05pm in London (BST)
        db.session.commit()
    page = admin.get("/settings/users").get_data(as_text=True)
    assert "<title>Users – Caseload planner</title>" in page
    assert user_rows(page) == {
        "admin.user": ["Admin", "Every region", "Active", "1 July 2026 at 2:05pm"],
        "gone.user": ["Viewer", "Every region", "Deactivated", "Never"],
        "manager.user": ["Manager", "Every region", "Active", "Never"],
        "viewer.user": ["Viewer", "Every region", "Active", "Never"],
    }
    assert list(user_rows(page)) == ["admin.user", "gone.user", "manager.user", "viewer.user"]


def test_an_admin_adds_a_user_who_can_then_sign_in(app: Flask, admin: FlaskClient) -> None:
    data = {
        "username": " jo.bloggs ",
        "role": "manager",
        "regions": "national",
        "password": NEW_PASSWORD,
        "confirm_password": NEW_PASSWORD,
    }
    response = admin.post("/settings/users/new", data=data)
    assert response.status_code == 302
    assert response.headers["Location"] == "/settings/users"
    assert "Added manager jo.bloggs." in admin.get("/settings/users").get_data(as_text=True)
    role, active, password_hash = account(app, "jo.bloggs")
    assert (role, active) == (UserRole.MANAGER, True)
    assert NEW_PASSWORD not in password_hash
    with app.app_context():
        line = db.session.scalar(select(AuditEvent).where(AuditEvent.entity_id == "jo.bloggs"))
        assert line is None  # users are logged by id
        line = db.session.scalar(
            select(AuditEvent).where(AuditEvent.summary == "Created user jo.bloggs")
        )
        assert line.actor == "admin.user"
        assert line.after["password_hash"] == "(changed)"
    admin.post("/sign-out")
    assert sign_in(admin, "jo.bloggs", NEW_PASSWORD).status_code == 302
    assert "jo.bloggs (Manager)" in admin.get("/").get_data(as_text=True)


# (what is typed over a valid new user, the field named, the message)
INVALID_USERS = [
    ({"username": ""}, "username", "Enter a username"),
    ({"username": "jo bloggs"}, "username", "The username must start with a letter or number and contain only letters, numbers, full stops, hyphens and underscores"),
    ({"username": "x" * 61}, "username", "The username must be 60 characters or fewer"),
    ({"username": "Manager.User"}, "username", "There is already a user called Manager.User"),
    ({"role": ""}, "role", "Select a role"),
    ({"role": "superuser"}, "role", "Select a role"),
    ({"regions": ""}, "regions", "Select the regions this user may see, or every region"),
    ({"regions": "999"}, "regions", "Select the regions this user may see, or every region"),
    ({"password": "", "confirm_password": ""}, "password", "Enter a password"),
    ({"password": "short", "confirm_password": "short"}, "password", "The password must be at least 12 characters"),
    ({"confirm_password": "something else entirely"}, "confirm_password", "The passwords do not match: enter the same password twice"),
    ({"confirm_password": ""}, "confirm_password", "Enter the password again"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("typed", "field", "message"), INVALID_USERS, ids=[m for _, _, m in INVALID_USERS]
)
def test_an_invalid_new_user_is_named_kept_and_not_added(
    app: Flask, admin: FlaskClient, typed: dict[str, str], field: str, message: str
) -> None:
    before = (count(app, User), count(app, AuditEvent))
    data = {
        "username": "jo.bloggs",
        "role": "viewer",
        "regions": "national",
        "password": NEW_PASSWORD,
        "confirm_password": NEW_PASSWORD,
        **typed,
    }
    response = admin.post("/settings/users/new", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Error: Add a user – Caseload planner</title>" in page
    assert f'<a href="#{field}">{message}</a>' in page
    assert f'value="{data["username"]}"' in page
    if data["role"] == "viewer":
        assert 'value="viewer" checked' in page
    assert NEW_PASSWORD not in page  # passwords are never sent back
    assert (count(app, User), count(app, AuditEvent)) == before


def test_an_admin_changes_another_users_role(app: Flask, admin: FlaskClient) -> None:
    target = user_id(app, "manager.user")
    page = admin.get(f"/settings/users/{target}/role").get_data(as_text=True)
    assert 'value="manager" checked' in page
    response = admin.post(f"/settings/users/{target}/role", data={"role": "admin"})
    assert response.headers["Location"] == f"/settings/users/{target}"
    page = admin.get(f"/settings/users/{target}").get_data(as_text=True)
    assert "manager.user now has the admin role." in page
    assert account(app, "manager.user")[0] == UserRole.ADMIN


def test_an_admin_cannot_demote_themselves(app: Flask, admin: FlaskClient) -> None:
    me = user_id(app, "admin.user")
    before = count(app, AuditEvent)
    page = admin.post(f"/settings/users/{me}/role", data={"role": "viewer"}).get_data(as_text=True)
    assert '<a href="#role">You cannot change your own role: ask another admin</a>' in page
    assert 'value="viewer" checked' in page
    assert account(app, "admin.user")[0] == UserRole.ADMIN
    assert count(app, AuditEvent) == before


def test_an_admin_deactivates_and_reactivates_another_user(app: Flask, admin: FlaskClient) -> None:
    target = user_id(app, "manager.user")
    admin.post(f"/settings/users/{target}/status", data={"active": "no"})
    page = admin.get(f"/settings/users/{target}").get_data(as_text=True)
    assert "manager.user is deactivated: they cannot sign in." in page
    assert account(app, "manager.user")[1] is False
    admin.post(f"/settings/users/{target}/status", data={"active": "yes"})
    assert account(app, "manager.user")[1] is True
    admin.post(f"/settings/users/{target}/status", data={"active": "no"})
    admin.post("/sign-out")
    assert "Enter a correct username" in sign_in(admin, "manager.user").get_data(as_text=True)


def test_an_admin_cannot_deactivate_themselves(app: Flask, admin: FlaskClient) -> None:
    me = user_id(app, "admin.user")
    before = count(app, AuditEvent)
    response = admin.post(f"/settings/users/{me}/status", data={"active": "no"})
    page = response.get_data(as_text=True)
    assert "You cannot deactivate your own account: ask another admin" in page
    assert "<title>Error: Status of admin.user – Caseload planner</title>" in page
    assert account(app, "admin.user")[1] is True
    assert count(app, AuditEvent) == before
    assert admin.get("/settings/users").status_code == 200


def test_the_status_form_needs_an_answer(admin: FlaskClient, app: Flask) -> None:
    target = user_id(app, "manager.user")
    # A browser always sends the button's value: an empty form would read as no form at all.
    response = admin.post(f"/settings/users/{target}/status", data={"submit": "Save"})
    page = response.get_data(as_text=True)
    assert '<a href="#active">Select whether this user can sign in</a>' in page


def test_an_admin_does_not_see_links_to_change_their_own_role_or_status(
    app: Flask, admin: FlaskClient
) -> None:
    me = user_id(app, "admin.user")
    page = admin.get(f"/settings/users/{me}").get_data(as_text=True)
    assert "This is your own account" in page
    assert f"/settings/users/{me}/role" not in page
    assert f"/settings/users/{me}/status" not in page
    assert f"/settings/users/{me}/password" in page


def test_an_admin_sets_a_new_password(app: Flask, admin: FlaskClient) -> None:
    target = user_id(app, "manager.user")
    data = {"password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
    logged = count(app, AuditEvent)
    response = admin.post(f"/settings/users/{target}/password", data=data)
    assert response.status_code == 302
    assert count(app, AuditEvent) == logged + 1
    admin.post("/sign-out")
    refused = sign_in(admin, "manager.user", PASSWORD).get_data(as_text=True)
    assert "Enter a correct username and password" in refused
    assert sign_in(admin, "manager.user", NEW_PASSWORD).headers["Location"] == "/"
    assert "manager.user (Manager)" in admin.get("/").get_data(as_text=True)


def test_a_new_password_is_checked_and_not_saved_when_wrong(app: Flask, admin: FlaskClient) -> None:
    target = user_id(app, "manager.user")
    before = account(app, "manager.user")
    data = {"password": "short one", "confirm_password": "short one"}
    page = admin.post(f"/settings/users/{target}/password", data=data).get_data(as_text=True)
    assert '<a href="#password">The password must be at least 12 characters</a>' in page
    assert account(app, "manager.user") == before


def test_an_unknown_user_is_not_found(admin: FlaskClient) -> None:
    for action in ("", "/role", "/status", "/password"):
        assert admin.get(f"/settings/users/999{action}").status_code == 404, action


def test_the_last_active_admin_can_never_be_removed(app: Flask) -> None:
    add_user(app, "only.admin", UserRole.ADMIN)
    add_user(app, "other.admin", UserRole.ADMIN, active=False)
    add_user(app, "a.manager", UserRole.MANAGER)
    with app.app_context():
        named = {user.username: user for user in db.session.scalars(select(User))}
        last, actor = named["only.admin"], named["a.manager"]
        for change in (
            lambda: service.change_role(db.session, last, UserRole.MANAGER, actor),
            lambda: service.set_active(db.session, last, False, actor),
        ):
            with pytest.raises(
                RefusedChange, match=re.escape("only.admin is the last active admin")
            ):
                change()
        assert (last.role, last.active) == (UserRole.ADMIN, True)
        # An inactive admin is not the one keeping the service manageable.
        service.change_role(db.session, named["other.admin"], UserRole.VIEWER, actor)
        service.set_active(db.session, named["other.admin"], True, actor)


def test_an_admin_can_remove_another_admin_while_one_remains(
    app: Flask, admin: FlaskClient
) -> None:
    add_user(app, "second.admin", UserRole.ADMIN)
    target = user_id(app, "second.admin")
    assert admin.post(f"/settings/users/{target}/role", data={"role": "viewer"}).status_code == 302
    assert account(app, "second.admin")[0] == UserRole.VIEWER


def regions_of(app: Flask, username: str) -> tuple[bool, list[str]]:
    """Whether a user sees every region, and the regions given them, by name."""
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        return user.national, [region.name for region in user.regions]


def test_an_admin_gives_a_user_regions_with_checkboxes_and_it_is_audited(
    app: Flask, admin: FlaskClient
) -> None:
    with app.app_context():
        set_actor(db.session, "test")
        db.session.add_all([Region(name="London"), Region(name="Wales")])
        db.session.commit()
        london, wales = db.session.scalars(select(Region.id).order_by(Region.name)).all()
    target = user_id(app, "manager.user")
    address = f"/settings/users/{target}/regions"
    form = admin.get(address).get_data(as_text=True)
    assert "<title>Regions manager.user may see – Caseload planner</title>" in form
    assert 'value="national" checked' in form
    assert 'data-behaviour="exclusive"' in form
    response = admin.post(address, data={"regions": [str(london), str(wales)]})
    assert response.headers["Location"] == f"/settings/users/{target}"
    assert regions_of(app, "manager.user") == (False, ["London", "Wales"])
    shown = admin.get(f"/settings/users/{target}").get_data(as_text=True)
    assert "London and Wales" in shown
    admin.post(address, data={"regions": [str(wales)]})
    assert regions_of(app, "manager.user") == (False, ["Wales"])
    with app.app_context():
        lines = db.session.scalars(
            select(AuditEvent).where(AuditEvent.entity == "region access").order_by(AuditEvent.id)
        ).all()
        assert [(line.action, line.actor) for line in lines] == [
            ("create", "admin.user"),
            ("create", "admin.user"),
            ("delete", "admin.user"),
        ]
        assert lines[2].before == {"user_id": target, "region_id": london}
        changed = db.session.scalar(
            select(AuditEvent).where(AuditEvent.summary == "Changed user manager.user: national")
        )
        assert changed.before == {"national": True} and changed.after == {"national": False}
    # Nothing chosen is refused with a message, and nothing changes.
    refused = admin.post(address, data={})
    assert refused.status_code == 200
    assert "Select the regions this user may see, or every region" in refused.get_data(as_text=True)
    assert regions_of(app, "manager.user") == (False, ["Wales"])
    admin.post(address, data={"regions": "national"})
    assert regions_of(app, "manager.user") == (True, [])


def test_a_new_user_is_given_regions(app: Flask, admin: FlaskClient) -> None:
    with app.app_context():
        set_actor(db.session, "test")
        db.session.add(Region(name="Wales"))
        db.session.commit()
        wales = db.session.scalar(select(Region.id))
    data = {
        "username": "po.wales",
        "role": "viewer",
        "regions": str(wales),
        "password": NEW_PASSWORD,
        "confirm_password": NEW_PASSWORD,
    }
    assert admin.post("/settings/users/new", data=data).status_code == 302
    assert regions_of(app, "po.wales") == (False, ["Wales"])
