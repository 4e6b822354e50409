"""Doing what a confirmed plan says, through the services the forms use, and auditing it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from planner.alerting.services import check_dates, dates_week
from planner.cases.services import MANAGER_POSITION, save_case, set_need
from planner.domain.policy import Policy
from planner.imports.case_rows import load_needs
from planner.imports.checking import ValidRow
from planner.imports.columns import ImportKind
from planner.imports.plan import Action
from planner.imports.services import Prepared
from planner.models import AuditEvent, Case, Need
from planner.staff.services import (
    add_absence,
    add_staff_member,
    update_absence,
    update_staff_member,
)

IMPORT = "import"


def _staff(session: Session, row: ValidRow, policy: Policy, on: date, actor: str) -> None:
    """Add or change a practitioner."""
    if row.record is None:
        add_staff_member(session, row.details)
    else:
        update_staff_member(row.record, row.details)


def _case(session: Session, row: ValidRow, policy: Policy, on: date, actor: str) -> None:
    """Add or change a case, its needs derived again by the rules (a manager's kept)."""
    case = row.record if row.record is not None else Case(active=True)
    save_case(session, case, row.details, policy, on)


def _absence(session: Session, row: ValidRow, policy: Policy, on: date, actor: str) -> None:
    """Add or change an absence or reduction."""
    if row.record is None:
        add_absence(row.owner, row.details)
    else:
        update_absence(row.record, row.details)


def _need(session: Session, row: ValidRow, policy: Policy, on: date, actor: str) -> None:
    """Set a need by hand: one the case has becomes the manager's, kept when the case changes."""
    need = row.record
    if need is None:
        key = row.key[1]
        need = Need(key=key, position=MANAGER_POSITION + int(key.rsplit("_", 1)[1]))
        row.owner.needs.append(need)
    set_need(need, row.details, actor)


APPLY: dict[ImportKind, Callable[[Session, ValidRow, Policy, date, str], None]] = {
    ImportKind.STAFF: _staff,
    ImportKind.CASES: _case,
    ImportKind.ABSENCES: _absence,
    ImportKind.REDUCTIONS: _absence,
    ImportKind.NEEDS: _need,
}
# Saving a case or a person checks their dates at once; an import checks them all, once.
DATED = frozenset({ImportKind.STAFF, ImportKind.CASES})


def apply_import(
    session: Session,
    prepared: Prepared,
    policy: Policy,
    on: date,
    actor: str,
    user_id: int | None,
) -> None:
    """Create and update what the plan says (never commits), and write the import's audit line."""
    plan = prepared.plan
    if plan is None or prepared.problems:
        raise ValueError("only a file without problems can be imported")
    apply = APPLY[prepared.kind]
    changing = [
        row
        for row, planned in zip(prepared.rows, plan.rows, strict=True)
        if planned.action is not Action.UNCHANGED
    ]
    if prepared.kind is ImportKind.CASES:
        load_needs(session, [row.record for row in changing if row.record is not None])
    for row in changing:
        apply(session, row, policy, on, actor)
    if prepared.kind in DATED and plan.total(Action.UNCHANGED) < len(plan.rows):
        session.flush()
        check_dates(session, dates_week(session), policy)
    record_import(session, prepared, actor, user_id)


def record_import(session: Session, prepared: Prepared, actor: str, user_id: int | None) -> None:
    """The audit line of an import: who, when (the line's time), what kind, which file, how many."""
    plan = prepared.plan
    if plan is None:
        raise ValueError("only a planned import is recorded")
    totals = plan.totals()
    after: dict[str, Any] = {
        "kind": prepared.kind.value,
        "file": prepared.filename,
        **{action.value: totals[action] for action in Action},
    }
    session.add(
        AuditEvent(
            actor=actor[:80],
            user_id=user_id,
            action=IMPORT,
            entity=IMPORT,
            entity_id=prepared.kind.value,
            summary=f"Imported {prepared.kind.value} from {prepared.filename}: {plan.in_words()}"[
                :300
            ],
            after=after,
        )
    )
