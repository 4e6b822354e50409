"""The admin's changes: accounts and roles (an admin always left), regions, sites, the policy."""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from planner.admin.policy_groups import SETTING_TITLES, SettingsGroup
from planner.admin.queries import describe_change
from planner.domain.passwords import password_problem
from planner.domain.vocabulary import SiteKind, UserRole
from planner.models import Case, Region, RegionAccess, Site, StaffMember, User
from planner.models.policy import load_policy, save_policy


class RefusedChange(Exception):
    """A change the rules do not allow, with the form field it concerns and what to tell people."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def add_user(
    session: Session,
    username: str,
    role: UserRole,
    password: str,
    national: bool,
    region_ids: set[int],
) -> User:
    """A new active account seeing some regions or all, unless the username is taken."""
    taken = session.scalar(select(User.id).where(func.lower(User.username) == username.lower()))
    if taken is not None:
        raise RefusedChange("username", f"There is already a user called {username}")
    if not national and not region_ids:
        raise RefusedChange("regions", "Select the regions this user may see, or every region")
    user = User(username=username, role=role, active=True)
    set_password(user, password)
    session.add(user)
    session.flush()
    set_regions(session, user, national, region_ids)
    return user


def set_regions(session: Session, user: User, national: bool, region_ids: set[int]) -> None:
    """Let a user see every region, or only these; each region given or taken is audited."""
    known = set(session.scalars(select(Region.id).where(Region.id.in_(sorted(region_ids)))))
    if not national and not known:
        raise RefusedChange("regions", "Select the regions this user may see, or every region")
    user.national = national
    wanted = set() if national else known
    present = set(
        session.scalars(select(RegionAccess.region_id).where(RegionAccess.user_id == user.id))
    )
    for region_id in sorted(present - wanted):
        access = session.get(RegionAccess, (user.id, region_id))
        if access is not None:
            session.delete(access)
    session.add_all(
        RegionAccess(user_id=user.id, region_id=region_id) for region_id in sorted(wanted - present)
    )


def change_role(session: Session, user: User, role: UserRole, actor: User) -> None:
    """Give a user another role; an admin cannot demote themselves or the last active admin."""
    if role == user.role:
        return
    if user.id == actor.id:
        raise RefusedChange("role", "You cannot change your own role: ask another admin")
    if role != UserRole.ADMIN:
        _keep_an_admin(session, user, "role", "change their role")
    user.role = role


def set_active(session: Session, user: User, active: bool, actor: User) -> None:
    """Let a user sign in or stop them; nobody can deactivate themselves or the last admin."""
    if active == user.active:
        return
    if not active and user.id == actor.id:
        raise RefusedChange("active", "You cannot deactivate your own account: ask another admin")
    if not active:
        _keep_an_admin(session, user, "active", "deactivate them")
        # Reactivating the account later must not bring its old sessions back.
        user.end_sessions()
    user.active = active


def set_password(user: User, password: str) -> None:
    """Choose a new password for a user, unless it is easy to guess; their sessions end."""
    problem = password_problem(password, user.username)
    if problem is not None:
        raise RefusedChange("password", problem)
    user.set_password(password)


def _keep_an_admin(session: Session, user: User, field: str, doing: str) -> None:
    """Refuse to remove the last active admin: nobody could then manage users or settings."""
    if user.role != UserRole.ADMIN or not user.active:
        return
    others = session.scalar(
        select(func.count())
        .select_from(User)
        .where(User.role == UserRole.ADMIN, User.active.is_(True), User.id != user.id)
    )
    if not others:
        raise RefusedChange(
            field,
            f"{user.username} is the last active admin: make another user an admin "
            f"before you {doing}",
        )


def add_region(session: Session, name: str) -> Region:
    """A new region, unless one already has the name."""
    _check_region_name(session, name, None)
    region = Region(name=name)
    session.add(region)
    return region


def rename_region(session: Session, region: Region, name: str) -> None:
    """Give a region another name, unless another region has it."""
    _check_region_name(session, name, region.id)
    region.name = name


def add_site(session: Session, code: str, name: str, kind: SiteKind, region_id: int) -> Site:
    """A new prison, PDU or NSD team in a region, unless another site has the code."""
    _check_site_code(session, code, None)
    site = Site(code=code, name=name, kind=kind, region_id=_region_id(session, region_id))
    session.add(site)
    return site


def update_site(
    session: Session, site: Site, code: str, name: str, kind: SiteKind, region_id: int
) -> None:
    """Change a site; its kind only while nobody works or is held there."""
    _check_site_code(session, code, site.id)
    region_id = _region_id(session, region_id)
    if kind != site.kind and site_in_use(session, site):
        raise RefusedChange(
            "kind",
            f"{site.code} has staff or cases, so its kind cannot change: add a new site instead",
        )
    site.code, site.name, site.kind, site.region_id = code, name, kind, region_id


def site_in_use(session: Session, site: Site) -> bool:
    """Whether any practitioner works at the site or any case is there."""
    staff = exists().where(StaffMember.site_id == site.id)
    cases = exists().where(Case.site_id == site.id)
    return bool(session.scalar(select(staff | cases)))


def _region_id(session: Session, region_id: int) -> int:
    """A region that exists (it may have gone since the form was drawn)."""
    if session.get(Region, region_id) is None:
        raise RefusedChange("region", "Select the region the site is in")
    return region_id


def _check_region_name(session: Session, name: str, ignoring: int | None) -> None:
    """Region names are unique, whatever their capitals."""
    query = select(Region.id).where(func.lower(Region.name) == name.lower())
    if ignoring is not None:
        query = query.where(Region.id != ignoring)
    if session.scalar(query) is not None:
        raise RefusedChange("name", f"There is already a region called {name}")


def _check_site_code(session: Session, code: str, ignoring: int | None) -> None:
    """Site codes are unique."""
    query = select(Site.id).where(Site.code == code)
    if ignoring is not None:
        query = query.where(Site.id != ignoring)
    if session.scalar(query) is not None:
        raise RefusedChange("code", f"There is already a site with the code {code}")


def save_settings(
    session: Session, group: SettingsGroup, changes: dict[str, Any], actor: str
) -> list[str]:
    """Put a group's new values in force; say what changed in each setting that did."""
    current = load_policy(session)
    if all(getattr(current, key) == value for key, value in changes.items()):
        # Nothing to store: saving would still write every setting not yet stored.
        return []
    changed = save_policy(session, dataclasses.replace(current, **changes), actor)
    return [
        f"{SETTING_TITLES[key]}: {describe_change(key, getattr(current, key), changes[key])}"
        for key in changed
    ]
