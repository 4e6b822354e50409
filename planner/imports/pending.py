"""Uploads kept on the server between their preview and their confirmation."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from planner.imports.columns import ImportKind
from planner.imports.plan import ImportPlan
from planner.imports.services import Prepared
from planner.models import PendingImport
from planner.models.types import utcnow

# An upload this old is dropped when its user next uploads (one imported is emptied at once).
KEPT_FOR = timedelta(days=1)


def keep(session: Session, user_id: int, prepared: Prepared, content: bytes) -> PendingImport:
    """Keep a checked file and its plan for the user to confirm (never commits)."""
    if prepared.plan is None:
        raise ValueError("only a file without problems is kept for confirmation")
    session.execute(
        delete(PendingImport).where(
            PendingImport.user_id == user_id, PendingImport.created_at < utcnow() - KEPT_FOR
        )
    )
    pending = PendingImport(
        user_id=user_id,
        kind=prepared.kind.value,
        filename=prepared.filename,
        content=content,
        plan=prepared.plan.as_json(),
        fingerprint=prepared.plan.fingerprint(),
    )
    session.add(pending)
    session.flush()
    return pending


def replan(pending: PendingImport, plan: ImportPlan) -> None:
    """Show the plan as it is now: the records changed since the file was previewed."""
    pending.plan = plan.as_json()
    pending.fingerprint = plan.fingerprint()


def settle(pending: PendingImport) -> None:
    """Let an imported upload go: its rows are records now, and the file need not be kept."""
    pending.content = b""
    pending.plan = ImportPlan(ImportKind(pending.kind), ()).as_json()


def claim(session: Session, pending: PendingImport) -> bool:
    """Mark the upload imported, once: a second confirmation (a double click) finds it taken."""
    result = session.execute(
        update(PendingImport)
        .where(PendingImport.id == pending.id, PendingImport.imported_at.is_(None))
        .values(imported_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)
