"""Keeps a case's stored needs in step with the rules, without touching what managers set."""

from __future__ import annotations

from datetime import date

from planner.models import Case, Need
from planner.policy import Policy
from planner.rules import NeedSpec, default_needs
from planner.vocabulary import NeedSource


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


def need_name(need: Need) -> str:
    """A need as managers call it: POM, COM, co-working COM, or an extra one a manager added."""
    return need_name_for(need.key, need.role)


def need_name_for(key: str, role: str) -> str:
    """The name of a need of this key and role."""
    title = "POM" if role == "prison" else "COM"
    if key.endswith("_coworker"):
        return f"Co-working {title}"
    if key.startswith("manager_"):
        return f"Additional {title}"
    return title
