"""Recording cases: their facts, the needs managers set, exclusions, and what each change ends."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from planner.domain.policy import Policy
from planner.domain.rules import NeedSpec, default_needs
from planner.domain.vocabulary import (
    Cohort,
    Grade,
    NeedSource,
    Role,
    Rosh,
    SentenceType,
    Setting,
    Vetting,
)
from planner.models import Allocation, Case, Exclusion, Need, Site, StaffMember

DATE_FIELDS = (
    "sentence_date",
    "release_date",
    "parole_eligibility_date",
    "tariff_expiry_date",
    "parole_hearing_date",
    "released_on",
    "licence_end_date",
    "next_mappa_review",
    "next_erg_review",
)
# Manager-added needs sort after the ones the rules derive.
MANAGER_POSITION = 100


@dataclass(frozen=True)
class CaseDetails:
    """Everything a manager records about a case."""

    reference: str
    name: str
    cohort: Cohort
    rosh: Rosh
    tier: str
    mappa_category: int | None
    mappa_level: int | None
    setting: Setting
    site: Site
    sentence_type: SentenceType
    dates: dict[str, date | None]


@dataclass(frozen=True)
class NeedDetails:
    """A need as a manager sets it, and why."""

    role: Role
    min_grade: Grade
    hours: float
    vetting: Vetting
    skills: list[str]
    same_site: bool
    reason: str


def save_case(session: Session, case: Case, details: CaseDetails, policy: Policy, on: date) -> None:
    """Copy the details onto the case and derive its needs again; retired needs lose holders."""
    for name in ("reference", "name", "cohort", "rosh", "tier", "mappa_category", "mappa_level"):
        setattr(case, name, getattr(details, name))
    case.setting, case.site, case.sentence_type = (
        details.setting,
        details.site,
        details.sentence_type,
    )
    for name in DATE_FIELDS:
        setattr(case, name, details.dates.get(name))
    if case.active is None:
        case.active = True
    session.add(case)
    end_holdings(sync_needs(case, policy, on), on)


def end_holdings(needs: list[Need], on: date) -> None:
    """End the current allocations of needs that no longer apply."""
    for need in needs:
        for allocation in need.allocations:
            if allocation.end_date is None or allocation.end_date > on:
                allocation.end_date = max(allocation.start_date, on)


def set_need(need: Need, details: NeedDetails, username: str) -> None:
    """Give a need what the manager chose; it is now theirs, and kept when the case changes."""
    need.role = details.role
    need.min_grade = details.min_grade
    need.hours = details.hours
    need.vetting = details.vetting
    need.skills = list(details.skills)
    need.same_site = details.same_site
    need.source = NeedSource.MANAGER
    need.rule = f"Set by {username}: {details.reason}"[:300]
    need.active = True


def add_need(case: Case, details: NeedDetails, username: str) -> Need:
    """A need the rules do not give, added by a manager."""
    key = next_manager_key(case)
    need = Need(key=key, position=MANAGER_POSITION + int(key.rsplit("_", 1)[1]))
    set_need(need, details, username)
    case.needs.append(need)
    return need


def restore_need(case: Case, need: Need, policy: Policy, on: date) -> None:
    """Hand a need back to the rules (a need only a manager gave is retired)."""
    need.source = NeedSource.RULES
    end_holdings(sync_needs(case, policy, on), on)


def exclude(case: Case, person: StaffMember, reason: str) -> bool:
    """Record that a person must not hold the case; say whether they hold part of it now."""
    case.exclusions.append(Exclusion(staff_member=person, reason=reason.strip()))
    return any(
        allocation.staff_member_id == person.id and allocation.end_date is None
        for need in case.needs
        for allocation in need.allocations
    )


def set_pin(allocation: Allocation, pinned: bool, reason: str, username: str) -> None:
    """Pin a holder (future plans keep them while eligible) or release them, saying why."""
    allocation.pinned = pinned
    what = "Pinned" if pinned else "Pin removed"
    allocation.reason = f"{what} by {username}: {reason.strip()}"[:300]


def sync_needs(case: Case, policy: Policy, on: date) -> list[Need]:
    """Derive the case's needs for a date; returns those retired, whose holdings must end."""
    # A need set by a manager is kept as it is. A derived need the rules no longer give is made
    # inactive rather than deleted, so that the history of who held it survives.
    specs = {spec.key: spec for spec in default_needs(case, policy, on)}
    existing = {need.key: need for need in case.needs}
    retired = []
    for need in case.needs:
        if need.source == NeedSource.RULES and need.active and need.key not in specs:
            need.active = False
            retired.append(need)
    for position, (key, spec) in enumerate(specs.items()):
        need = existing.get(key)
        if need is None:
            case.needs.append(_need_from(spec, position))
        elif need.source == NeedSource.RULES:
            _apply(need, spec, position)
    return retired


def _need_from(spec: NeedSpec, position: int) -> Need:
    """A new stored need from a derived one."""
    need = Need(key=spec.key, source=NeedSource.RULES, active=True)
    _apply(need, spec, position)
    return need


def _apply(need: Need, spec: NeedSpec, position: int) -> None:
    """Copy what the rules derived onto a stored need (only fields that differ, for the audit)."""
    values = {
        "position": position,
        "role": spec.role,
        "min_grade": spec.min_grade,
        "hours": spec.hours,
        "vetting": spec.vetting,
        "skills": list(spec.skills),
        "same_site": spec.same_site,
        "rule": spec.rule,
        "active": True,
    }
    for name, value in values.items():
        if getattr(need, name, None) != value:
            setattr(need, name, value)


def next_manager_key(case: Case) -> str:
    """A fresh key for a need a manager adds."""
    taken = {need.key for need in case.needs}
    number = 1
    while f"manager_{number}" in taken:
        number += 1
    return f"manager_{number}"
