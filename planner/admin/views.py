"""The admin pages: the policy (all may read it), users (admins only), regions and sites."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm

from planner.admin import queries, services
from planner.admin.forms import (
    NATIONAL,
    AddUserForm,
    EmailForm,
    PasswordForm,
    RegionForm,
    RegionsForm,
    RoleForm,
    SiteForm,
    StatusForm,
    reach_words,
    region_items,
    role_items,
)
from planner.admin.policy_groups import GROUPS_BY_SLUG
from planner.admin.queries import (
    HISTORY_LENGTH,
    setting_changes,
    settings_overview,
)
from planner.admin.services import RefusedChange
from planner.domain.vocabulary import SiteKind, UserRole
from planner.extensions import db
from planner.models import Region, Site, User
from planner.models.policy import load_policy
from planner.models.types import utcnow
from planner.web import sessions
from planner.web.security import role_required

blueprint = Blueprint("admin", __name__, url_prefix="/settings")
admin_only = role_required(UserRole.ADMIN)


def _commit(form: FlaskForm, change: Callable[[], object]) -> bool:
    """Make a change and commit it; if the rules refuse it, say why on the form and keep it."""
    try:
        change()
    except RefusedChange as refusal:
        db.session.rollback()
        form[refusal.field].errors.append(refusal.message)
        return False
    db.session.commit()
    return True


def _shown(data: dict[str, Any]) -> dict[str, Any] | None:
    """What a form holds before it is sent; once sent, only what was sent counts."""
    return data if request.method == "GET" else None


# --- The policy -----------------------------------------------------------------------------


@blueprint.route("/")
def index() -> ResponseReturnValue:
    """The policy in force, who last changed each setting, and the latest changes."""
    changes = setting_changes(db.session)
    return render_template(
        "admin/index.html",
        groups=settings_overview(db.session, changes),
        history=changes[:HISTORY_LENGTH],
    )


@blueprint.route("/policy/<slug>", methods=["GET", "POST"])
@admin_only
def edit_settings(slug: str) -> ResponseReturnValue:
    """Change one group of settings."""
    group = GROUPS_BY_SLUG.get(slug) or abort(404)
    policy = load_policy(db.session)
    form = group.form_class(data=_shown(group.form_class.initial(policy)))
    if form.validate_on_submit():
        changed = services.save_settings(
            db.session, group, form.changes(policy), current_user.username
        )
        db.session.commit()
        if changed:
            flash(f"{group.title} saved. {'; '.join(changed)}.", "success")
        else:
            flash(f"{group.title}: nothing changed.", "info")
        return redirect(url_for(".index", _anchor=group.slug))
    return render_template("admin/edit_settings.html", group=group, form=form)


# --- Users ----------------------------------------------------------------------------------


def _user(user_id: int) -> User:
    """The user the address names, or 404."""
    return queries.find_user(db.session, user_id) or abort(404)


@blueprint.route("/users")
@admin_only
def user_list() -> ResponseReturnValue:
    """Everyone who can sign in, or could."""
    return render_template(
        "admin/users.html", users=queries.all_users(db.session), reach_words=reach_words
    )


@blueprint.route("/users/new", methods=["GET", "POST"])
@admin_only
def add_user() -> ResponseReturnValue:
    """Give someone an account."""
    regions = queries.region_choices(db.session)
    form = AddUserForm(regions)
    if form.validate_on_submit() and _commit(
        form,
        lambda: services.add_user(
            db.session,
            form.username.data,
            UserRole(form.role.data),
            form.password.data,
            form.national(),
            form.region_ids(),
        ),
    ):
        flash(f"Added {form.role.data} {form.username.data}.", "success")
        return redirect(url_for(".user_list"))
    return render_template(
        "admin/add_user.html",
        form=form,
        role_items=role_items(),
        region_items=region_items(regions),
    )


@blueprint.route("/users/<int:user_id>")
@admin_only
def user(user_id: int) -> ResponseReturnValue:
    """One account: its role, status and sign-ins."""
    account = _user(user_id)
    return render_template(
        "admin/user.html",
        user=account,
        locked=account.locked_at(utcnow()),
        reach_words=reach_words,
    )


@blueprint.route("/users/<int:user_id>/role", methods=["GET", "POST"])
@admin_only
def change_role(user_id: int) -> ResponseReturnValue:
    """Give a user another role."""
    account = _user(user_id)
    form = RoleForm(data=_shown({"role": account.role.value}))
    if form.validate_on_submit() and _commit(
        form,
        lambda: services.change_role(db.session, account, UserRole(form.role.data), current_user),
    ):
        flash(f"{account.username} now has the {account.role.value} role.", "success")
        return redirect(url_for(".user", user_id=account.id))
    return render_template(
        "admin/change_role.html", form=form, user=account, role_items=role_items()
    )


@blueprint.route("/users/<int:user_id>/email", methods=["GET", "POST"])
@admin_only
def change_email(user_id: int) -> ResponseReturnValue:
    """Where a user's emails go, or none."""
    account = _user(user_id)
    form = EmailForm(data=_shown({"email": account.email or ""}))
    if form.validate_on_submit():
        account.email = form.email.data or None
        db.session.commit()
        flash(f"Saved the email address of {account.username}.", "success")
        return redirect(url_for(".user", user_id=account.id))
    return render_template("admin/change_email.html", form=form, user=account)


@blueprint.route("/users/<int:user_id>/regions", methods=["GET", "POST"])
@admin_only
def change_regions(user_id: int) -> ResponseReturnValue:
    """Choose the regions a user may see, or every region."""
    account = _user(user_id)
    regions = queries.region_choices(db.session)
    chosen = [NATIONAL] if account.national else [str(region.id) for region in account.regions]
    form = RegionsForm(regions, data=_shown({"regions": chosen}))
    if form.validate_on_submit() and _commit(
        form,
        lambda: services.set_regions(db.session, account, form.national(), form.region_ids()),
    ):
        flash(f"{account.username} now sees {reach_words(account)}.", "success")
        return redirect(url_for(".user", user_id=account.id))
    return render_template(
        "admin/change_regions.html", form=form, user=account, region_items=region_items(regions)
    )


@blueprint.route("/users/<int:user_id>/status", methods=["GET", "POST"])
@admin_only
def change_status(user_id: int) -> ResponseReturnValue:
    """Deactivate or reactivate a user."""
    account = _user(user_id)
    form = StatusForm(data=_shown({"active": "yes" if account.active else "no"}))
    if form.validate_on_submit() and _commit(
        form,
        lambda: services.set_active(db.session, account, form.active.data == "yes", current_user),
    ):
        state = "active" if account.active else "deactivated: they cannot sign in"
        flash(f"{account.username} is {state}.", "success")
        return redirect(url_for(".user", user_id=account.id))
    return render_template("admin/change_status.html", form=form, user=account)


@blueprint.route("/users/<int:user_id>/password", methods=["GET", "POST"])
@admin_only
def set_password(user_id: int) -> ResponseReturnValue:
    """Choose a new password for a user."""
    account = _user(user_id)
    form = PasswordForm()
    if form.validate_on_submit() and _commit(
        form, lambda: services.set_password(account, form.password.data)
    ):
        if account.id == current_user.id:
            # Every session of the account ended with the old password, this one too: go on
            # in a new one.
            sessions.begin(account)
        flash(f"Set a new password for {account.username}. Tell them it safely.", "success")
        return redirect(url_for(".user", user_id=account.id))
    return render_template("admin/set_password.html", form=form, user=account)


# --- Regions and sites ----------------------------------------------------------------------


def _region(region_id: int) -> Region:
    """The region the address names, or 404."""
    return queries.find_region(db.session, region_id) or abort(404)


def _site(site_id: int) -> Site:
    """The site the address names, or 404."""
    return queries.find_site(db.session, site_id) or abort(404)


@blueprint.route("/places")
def place_list() -> ResponseReturnValue:
    """Every region and its prisons, PDUs and NSD teams."""
    return render_template("admin/places.html", regions=queries.regions_with_sites(db.session))


@blueprint.route("/places/regions/new", methods=["GET", "POST"])
@admin_only
def add_region() -> ResponseReturnValue:
    """Add a region."""
    form = RegionForm()
    if form.validate_on_submit() and _commit(
        form, lambda: services.add_region(db.session, form.name.data)
    ):
        flash(f"Added the region {form.name.data}.", "success")
        return redirect(url_for(".place_list"))
    return render_template("admin/region_form.html", form=form, region=None)


@blueprint.route("/places/regions/<int:region_id>", methods=["GET", "POST"])
@admin_only
def edit_region(region_id: int) -> ResponseReturnValue:
    """Rename a region."""
    region = _region(region_id)
    form = RegionForm(data=_shown({"name": region.name}))
    if form.validate_on_submit() and _commit(
        form, lambda: services.rename_region(db.session, region, form.name.data)
    ):
        flash(f"Saved the region {region.name}.", "success")
        return redirect(url_for(".place_list"))
    return render_template("admin/region_form.html", form=form, region=region)


@blueprint.route("/places/sites/new", methods=["GET", "POST"])
@admin_only
def add_site() -> ResponseReturnValue:
    """Add a prison, PDU or NSD team to a region."""
    form = SiteForm(
        queries.region_choices(db.session),
        data=_shown({"region": request.args.get("region", type=int)}),
    )
    if form.validate_on_submit() and _commit(
        form,
        lambda: services.add_site(
            db.session, form.code.data, form.name.data, SiteKind(form.kind.data), form.region.data
        ),
    ):
        flash(f"Added {form.code.data}, {form.name.data}.", "success")
        return redirect(url_for(".place_list"))
    return render_template("admin/site_form.html", form=form, site=None)


@blueprint.route("/places/sites/<int:site_id>", methods=["GET", "POST"])
@admin_only
def edit_site(site_id: int) -> ResponseReturnValue:
    """Change a site's code, name, kind or region."""
    site = _site(site_id)
    data = {"code": site.code, "name": site.name, "kind": site.kind.value, "region": site.region_id}
    form = SiteForm(queries.region_choices(db.session), data=_shown(data))
    if form.validate_on_submit() and _commit(
        form,
        lambda: services.update_site(
            db.session,
            site,
            form.code.data,
            form.name.data,
            SiteKind(form.kind.data),
            form.region.data,
        ),
    ):
        flash(f"Saved {site.code}, {site.name}.", "success")
        return redirect(url_for(".place_list"))
    return render_template("admin/site_form.html", form=form, site=site)
