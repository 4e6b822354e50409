"""The policy in force as the settings page shows it, its history, and saving a group's changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from planner.admin.numbers import dig
from planner.admin.policy_groups import GROUPS, NUMBERS_BY_KEY, SETTING_TITLES, SettingsGroup
from planner.domain.policy import CASE_TYPES, DEFAULT_POLICY, Policy
from planner.domain.vocabulary import label, skill_choices
from planner.models import AuditEvent, Region, Site, User
from planner.models.policy import load_policy

HISTORY_LENGTH = 20
SKILL_LABELS = dict(skill_choices())


@dataclass(frozen=True)
class SettingRow:
    """One setting on the settings page: its value and who last changed it, when."""

    key: str
    title: str
    hint: str
    lines: list[str]
    changed_at: datetime | None
    changed_by: str | None


@dataclass(frozen=True)
class GroupView:
    """A group of settings on the settings page, with its table of points if it has one."""

    group: SettingsGroup
    rows: list[SettingRow]
    grid: list[tuple[str, list[Any]]]


@dataclass(frozen=True)
class SettingChange:
    """A line of the settings' history."""

    key: str
    at: datetime
    actor: str
    title: str
    change: str


def show_choice(key: str, value: Any) -> str:
    """A setting that is not a number, as the settings page shows it."""
    if key == "ct_skills":
        return ", ".join(SKILL_LABELS.get(skill, skill) for skill in value or []) or "None"
    if key == "senior_grade":
        return f"{value} or above"
    if key == "beyond_safe_risks":
        return (
            ", ".join(label(risk) for risk in value)
            or "None: every need stops at the safe workload"
        )
    return label(value)


def show_setting(key: str, value: Any) -> list[str]:
    """A setting's value as lines of text: one per entry of a table, none for a grid."""
    numbers = NUMBERS_BY_KEY.get(key)
    if numbers is None:
        return [show_choice(key, value)]
    if len(numbers[0].path) == 1:
        return [numbers[0].show(value)]
    if len(numbers[0].path) > 2:
        return []
    lines = [
        f"{number.label}: {number.show(entry)}"
        for number in numbers
        if (entry := dig(value, number.path[1:])) is not None
    ]
    return lines or ["None"]


def describe_change(key: str, before: Any, after: Any) -> str:
    """What a change did to a setting, entry by entry for a table: "High: 100 → 200"."""
    numbers = NUMBERS_BY_KEY.get(key)
    if numbers is None:
        return f"{show_choice(key, before)} → {show_choice(key, after)}"
    if len(numbers[0].path) == 1:
        return f"{numbers[0].show(before)} → {numbers[0].show(after)}"
    return "; ".join(
        f"{number.label}: {number.show(old)} → {number.show(new)}"
        for number in numbers
        if (old := dig(before, number.path[1:])) != (new := dig(after, number.path[1:]))
    )


def settings_overview(session: Session, changes: list[SettingChange]) -> list[GroupView]:
    """Every group of settings with the values in force and who last changed each, when."""
    policy = load_policy(session)
    latest: dict[str, SettingChange] = {}
    for change in changes:
        latest.setdefault(change.key, change)
    views = []
    for group in GROUPS:
        rows = []
        for key in group.keys:
            numbers = NUMBERS_BY_KEY.get(key, [])
            last = latest.get(key)
            rows.append(
                SettingRow(
                    key=key,
                    title=SETTING_TITLES[key],
                    hint=numbers[0].hint if len(numbers) == 1 else "",
                    lines=show_setting(key, getattr(policy, key)),
                    changed_at=last.at if last else None,
                    changed_by=last.actor if last else None,
                )
            )
        views.append(GroupView(group, rows, _grid(policy, group)))
    return views


def _grid(policy: Policy, group: SettingsGroup) -> list[tuple[str, list[Any]]]:
    """A table of points by tier (rows) and case type (columns), if the group has one."""
    if group.grid_key is None:
        return []
    table = getattr(policy, group.grid_key)
    return [(tier, [table[tier].get(kind) for kind in CASE_TYPES]) for tier in table]


def setting_changes(session: Session) -> list[SettingChange]:
    """Every change to a setting's value, newest first, from the audit log."""
    defaults = DEFAULT_POLICY.to_dict()
    # Only admins' saves write these lines, so there are few: read them all.
    events = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.entity == "policy setting", AuditEvent.action.in_(("create", "update")))
        .order_by(AuditEvent.id.desc())
    )
    changes = []
    for event in events:
        key = event.entity_id
        after = event.after or {}
        if "value" not in after or key not in defaults:
            continue
        before = (event.before or {}).get("value") if event.action == "update" else defaults[key]
        if before == after["value"]:
            continue  # a default stored for the first time: nothing a plan uses changed
        change = describe_change(key, before, after["value"])
        changes.append(SettingChange(key, event.at, event.actor, SETTING_TITLES[key], change))
    return changes


def all_users(session: Session) -> list[User]:
    """Every account, by username, with the regions each may see."""
    query = select(User).options(selectinload(User.regions)).order_by(func.lower(User.username))
    return list(session.scalars(query))


def find_user(session: Session, user_id: int) -> User | None:
    """The account with this id, if there is one."""
    return session.get(User, user_id)


def regions_with_sites(session: Session) -> list[Region]:
    """Every region by name, its sites loaded in the same few queries."""
    query = select(Region).options(selectinload(Region.sites)).order_by(Region.name)
    return list(session.scalars(query))


def region_choices(session: Session) -> list[tuple[int, str]]:
    """Every region's id and name, by name, to choose from."""
    return [
        tuple(row) for row in session.execute(select(Region.id, Region.name).order_by(Region.name))
    ]


def find_region(session: Session, region_id: int) -> Region | None:
    """The region with this id, if there is one."""
    return session.get(Region, region_id)


def find_site(session: Session, site_id: int) -> Site | None:
    """The site with this id, if there is one."""
    return session.get(Site, site_id)
