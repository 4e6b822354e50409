"""A case's or a person's history in sentences, read from the audit log: who holds what from
when and why, and who changed which fact from what to what."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.domain.needs import need_name_for
from planner.domain.vocabulary import ROSH_RANK, SKILL_WORDS, Rosh, label
from planner.models import (
    Allocation,
    AuditEvent,
    Case,
    Need,
    ProposedAssignment,
    Site,
    StaffMember,
)
from planner.web.templating import govuk_date, hours

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# What a manager calls the facts of a case, a need and a person.
FIELD_NAMES = {
    "reference": "reference",
    "name": "name",
    "cohort": "cohort",
    "rosh": "RoSH",
    "tier": "tier",
    "mappa_category": "MAPPA category",
    "mappa_level": "MAPPA level",
    "setting": "setting",
    "site_id": "site",
    "sentence_type": "sentence",
    "sentence_date": "sentence date",
    "release_date": "release date",
    "parole_eligibility_date": "parole eligibility date",
    "tariff_expiry_date": "tariff expiry date",
    "parole_hearing_date": "parole hearing date",
    "released_on": "date released",
    "licence_end_date": "licence or order end date",
    "next_mappa_review": "next MAPPA review",
    "next_erg_review": "next extremism risk review",
    "active": "supervision",
    "staff_ref": "staff ID",
    "role": "role",
    "grade": "grade",
    "contracted_hours": "contracted hours",
    "other_work_hours": "other work hours",
    "vetting": "vetting",
    "vetting_expiry": "vetting expiry date",
    "skills": "skills",
    "max_cases": "maximum cases",
    "training_start": "training start date",
    "hours": "hours a week",
    "min_grade": "lowest grade",
    "same_site": "same site",
    "source": "source",
    "rule": "rule",
    "kind": "kind",
    "start_date": "start date",
    "end_date": "end date",
    "hours_per_week": "hours a week",
    "note": "note",
}
# Bookkeeping a reader does not need: keys, and times the log records anyway.
HIDDEN = frozenset(
    {"id", "case_id", "need_id", "staff_member_id", "created_at", "updated_at", "created_by_id",
     "rosh_rank", "key", "plan_run_id", "reason"}
)  # fmt: skip


@dataclass(frozen=True)
class HistoryLine:
    """One thing that happened, as a sentence, with when it was recorded and by whom."""

    event: AuditEvent
    sentence: str


@dataclass
class _Names:
    """What the ids in a batch of events are called, read in a few queries."""

    staff: dict[int, str]
    needs: dict[int, tuple[str, str]]
    sites: dict[int, str]
    # (need, day an allocation ended) to who held it: who a need moved from.
    ended: dict[tuple[int, date], int]
    overrides: dict[tuple[int, int], ProposedAssignment]
    proposals: dict[int, ProposedAssignment]
    cases: dict[int, str]
    # The need of each allocation: the log of a change names only what changed.
    allocations: dict[int, int]
    # What the batch's added or deleted rows held, by (entity, id), to name a row a change left.
    rows: dict[tuple[str, str], dict[str, Any]]

    def person(self, staff_id: Any) -> str:
        """A person's name (or "someone no longer recorded")."""
        return self.staff.get(staff_id, "someone no longer recorded")

    def need(self, need_id: Any, with_case: bool) -> str:
        """A need as managers call it: "the COM", or "the COM of CT-LDN-0042"."""
        name, reference = self.needs.get(need_id, ("need", ""))
        return f"the {name} of {reference}" if with_case and reference else f"the {name}"


def history_lines(
    session: Session, events: Sequence[AuditEvent], with_case: bool = False
) -> list[HistoryLine]:
    """The events as sentences, newest first as given; events that say nothing are left out."""
    names = _names(session, events)
    lines = []
    for event in events:
        sentence = _sentence(event, names, with_case)
        if sentence:
            lines.append(HistoryLine(event, sentence))
    return lines


def _values(event: AuditEvent) -> dict[str, Any]:
    """Every value an event names, before and after."""
    return {**(event.before or {}), **(event.after or {})}


def _names(session: Session, events: Sequence[AuditEvent]) -> _Names:
    """The names of the people, needs and sites the events name by number."""
    staff_ids, need_ids, site_ids, runs = set(), set(), set(), set()
    for event in events:
        values = _values(event)
        if event.staff_member_id:
            staff_ids.add(event.staff_member_id)
        for field, found in (("staff_member_id", staff_ids), ("current_staff_member_id", staff_ids),
                             ("need_id", need_ids), ("site_id", site_ids)):  # fmt: skip
            for side in (event.before or {}, event.after or {}):
                if isinstance(side.get(field), int):
                    found.add(side[field])
        if event.entity == "allocation" and isinstance(values.get("plan_run_id"), int):
            runs.add(values["plan_run_id"])
    changed = {int(e.entity_id) for e in events if e.entity == "proposed assignment"}
    proposals = {
        proposal.id: proposal
        for proposal in session.scalars(
            select(ProposedAssignment).where(ProposedAssignment.id.in_(changed))
        )
    }
    need_ids |= {proposal.need_id for proposal in proposals.values()}
    allocated = {int(e.entity_id) for e in events if e.entity == "allocation"}
    allocations = dict(
        session.execute(
            select(Allocation.id, Allocation.need_id).where(Allocation.id.in_(allocated))
        ).all()
    )
    need_ids |= set(allocations.values())
    ended: dict[tuple[int, date], int] = {}
    for need_id, end, staff_id in session.execute(
        select(Allocation.need_id, Allocation.end_date, Allocation.staff_member_id).where(
            Allocation.need_id.in_(need_ids), Allocation.end_date.is_not(None)
        )
    ):
        ended[need_id, end] = staff_id
        staff_ids.add(staff_id)
    overrides = {
        (proposal.run_id, proposal.need_id): proposal
        for proposal in session.scalars(
            select(ProposedAssignment).where(
                ProposedAssignment.run_id.in_(runs),
                ProposedAssignment.need_id.in_(need_ids),
                ProposedAssignment.overridden,
            )
        )
    }
    return _Names(
        staff=dict(
            session.execute(
                select(StaffMember.id, StaffMember.name).where(StaffMember.id.in_(staff_ids))
            ).all()
        ),
        needs={
            need_id: (need_name_for(key, role), reference)
            for need_id, key, role, reference in session.execute(
                select(Need.id, Need.key, Need.role, Case.reference)
                .join(Case, Need.case_id == Case.id)
                .where(Need.id.in_(need_ids))
            )
        },
        sites=dict(session.execute(select(Site.id, Site.name).where(Site.id.in_(site_ids))).all()),
        ended=ended,
        overrides=overrides,
        proposals=proposals,
        cases=dict(
            session.execute(
                select(Case.id, Case.reference).where(
                    Case.id.in_({e.case_id for e in events if e.case_id})
                )
            ).all()
        ),
        allocations=allocations,
        rows={(e.entity, e.entity_id): _values(e) for e in events if e.action != "update"},
    )


def _day(value: Any) -> str:
    """A logged date in words."""
    return govuk_date(date.fromisoformat(value)) if isinstance(value, str) else ""


def _on(event: AuditEvent) -> str:
    """When an event was recorded, in words."""
    return govuk_date(event.at.date())


def _sentence(event: AuditEvent, names: _Names, with_case: bool) -> str | None:
    """One event as a sentence a manager reads."""
    writers = {
        "allocation": _allocation,
        "case": _fact_change,
        "need": _need,
        "exclusion": _exclusion,
        "proposed assignment": _override,
        "alert": _alert,
        "staff member": _fact_change,
        "absence": _absence,
    }
    writer = writers.get(event.entity)
    sentence = writer(event, names, with_case) if writer else None
    if sentence and not sentence.endswith((".", "!", "?")):
        sentence += "."
    return sentence


def _allocation(event: AuditEvent, names: _Names, with_case: bool) -> str | None:
    """Who holds a need from when, moved from whom, and why; or when they stopped."""
    values = _values(event)
    need_id = values.get("need_id") or names.allocations.get(int(event.entity_id))
    need = names.need(need_id, with_case)
    who = names.person(event.staff_member_id or values.get("staff_member_id"))
    if event.action == "create":
        start = date.fromisoformat(values["start_date"])
        sentence = f"From {govuk_date(start)} {who} holds {need}"
        before = names.ended.get((need_id, start - timedelta(days=1)))
        if before is not None and before != values.get("staff_member_id"):
            sentence += f", moved from {names.person(before)}"
        run = values.get("plan_run_id")
        if run:
            sentence += f" when run {run} was approved by {event.actor}"
            proposal = names.overrides.get((run, need_id))
            if proposal is not None:
                sentence += f". A manager chose {who}: {proposal.override_words}"
        else:
            sentence += f", allocated by {event.actor}"
        if values.get("pinned"):
            sentence += " (pinned)"
        return sentence
    if event.action == "delete":
        return f"{who} no longer takes over {need} from {_day(values.get('start_date'))}"
    after = event.after or {}
    if "pinned" in after:
        pin = "pinned" if after["pinned"] else "removed the pin of"
        return f"{event.actor} {pin} {who} to {need} on {_on(event)}"
    if after.get("end_date"):
        return f"{who} held {need} until {_day(after['end_date'])}"
    return None


def _shown(field: str, value: Any, names: _Names) -> str:
    """A logged value as a person reads it."""
    if value is None or value == [] or value == "":
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if field == "site_id":
        return names.sites.get(value, "a site no longer recorded")
    if isinstance(value, float):
        return hours(value)
    if field == "skills":
        return ", ".join(SKILL_WORDS.get(skill, label(skill)) for skill in value)
    if isinstance(value, str) and ISO_DATE.match(value):
        return _day(value)
    if isinstance(value, str):
        return label(value)
    return str(value)


def _fact_change(event: AuditEvent, names: _Names, with_case: bool) -> str | None:
    """A record added, ended or changed, fact by fact: "raised the RoSH from High to Very high"."""
    noun = "the case" if event.entity == "case" else "the person"
    if event.action == "create":
        return f"{event.actor} added {noun} on {_on(event)}"
    if event.action == "delete":
        return f"{event.actor} deleted {noun} on {_on(event)}"
    before, after = event.before or {}, event.after or {}
    changes = []
    for field, new in after.items():
        if field in HIDDEN:
            continue
        old = before.get(field)
        if field == "active":
            changes.append("restarted supervision" if new else "ended supervision")
            continue
        verb = "changed"
        if field == "rosh" and old in ROSH_RANK and new in ROSH_RANK:
            verb = "raised" if ROSH_RANK[Rosh(new)] > ROSH_RANK[Rosh(old)] else "lowered"
        name = _field(field)
        changes.append(
            f"{verb} the {name} from {_shown(field, old, names)} to {_shown(field, new, names)}"
        )
    if not changes:
        return None
    return f"{event.actor} {_joined(changes)} on {_on(event)}"


def _field(field: str) -> str:
    """A fact's name in the middle of a sentence."""
    return FIELD_NAMES.get(field, label(field).lower())


def _joined(parts: list[str]) -> str:
    """Phrases joined as a sentence joins them: "a, b and c"."""
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _need(event: AuditEvent, names: _Names, with_case: bool) -> str | None:
    """A need added, retired or changed."""
    values = _values(event)
    name = need_name_for(values.get("key", ""), values.get("role", "")) if "key" in values else None
    need = f"the {name}" if name else names.need(int(event.entity_id), with_case)
    if event.action == "create":
        weekly = hours(values.get("hours"))
        return f"{event.actor} added {need} need, {weekly} hours a week, on {_on(event)}"
    if event.action == "delete":
        return f"{event.actor} removed {need} need on {_on(event)}"
    before, after = event.before or {}, event.after or {}
    changes = [
        f"the {_field(field)} from {_shown(field, before.get(field), names)} "
        f"to {_shown(field, new, names)}"
        for field, new in after.items()
        if field not in HIDDEN and field != "active"
    ]
    if "active" in after:
        changes.append("it is needed again" if after["active"] else "it is no longer needed")
    if not changes:
        return None
    return f"{event.actor} changed {need} on {_on(event)}: {_joined(changes)}"


def _exclusion(event: AuditEvent, names: _Names, with_case: bool) -> str | None:
    """Someone excluded from a case, or the exclusion lifted."""
    values = _values(event)
    who = names.person(values.get("staff_member_id"))
    case = names.cases.get(event.case_id or 0, "the case") if with_case else "the case"
    if event.action == "create":
        return f"{event.actor} excluded {who} from {case} on {_on(event)}: {values.get('reason')}"
    if event.action == "delete":
        return f"{event.actor} lifted the exclusion of {who} from {case} on {_on(event)}"
    return None


def _override(event: AuditEvent, names: _Names, with_case: bool) -> str | None:
    """A manager's change to what a run proposed, with the reasons as typed."""
    before, after = event.before or {}, event.after or {}
    proposal = names.proposals.get(int(event.entity_id))
    said = {"staff_member_id", "override_reason", "overridden"} & set(after)
    if proposal is None or not said or not after.get("overridden", proposal.overridden):
        return None
    need = names.need(proposal.need_id, with_case)
    holder = after.get("staff_member_id", proposal.staff_member_id)
    who = names.person(holder) if holder else "nobody"
    sentence = (
        f"{event.actor} changed run {proposal.run_id}'s plan on {_on(event)} "
        f"to give {need} to {who}"
    )
    if "staff_member_id" in after:
        was = before.get("staff_member_id")
        sentence += f" instead of {names.person(was) if was else 'nobody'}"
    reasons = proposal.override_words
    return f"{sentence}. Why: {reasons}" if reasons else sentence


def _alert(event: AuditEvent, names: _Names, with_case: bool) -> str | None:
    """An alert acknowledged with a note."""
    after = event.after or {}
    if after.get("acknowledged_at"):
        note = after.get("acknowledgement_note")
        return f"{event.actor} acknowledged an alert on {_on(event)}" + (
            f": {note}" if note else ""
        )
    return None


def _absence(event: AuditEvent, names: _Names, with_case: bool) -> str | None:
    """An absence or reduction recorded, changed or deleted."""
    values = {**names.rows.get((event.entity, event.entity_id), {}), **_values(event)}
    kind = label(values.get("kind", "absence")).lower() if values.get("kind") else "absence"
    span = f"from {_day(values.get('start_date'))} to {_day(values.get('end_date'))}"
    if values.get("hours_per_week"):
        span += f" ({hours(values['hours_per_week'])} hours a week)"
    if event.action == "create":
        return f"{event.actor} recorded {kind} {span} on {_on(event)}"
    if event.action == "delete":
        return f"{event.actor} deleted the {kind} {span} on {_on(event)}"
    before, after = event.before or {}, event.after or {}
    changes = [
        f"the {_field(field)} from {_shown(field, before.get(field), names)} "
        f"to {_shown(field, new, names)}"
        for field, new in after.items()
        if field not in HIDDEN
    ]
    what = f": {_joined(changes)}" if changes else ""
    return f"{event.actor} changed the {kind} {span} on {_on(event)}{what}"
