"""Versions of the records managers edit, so that a save never silently overwrites another.

Each case, need, staff member and absence carries a version that SQLAlchemy raises by one with
every UPDATE of the row, and checks in that UPDATE's WHERE (`version_id_col`): of two saves of
the same row, on SQLite or PostgreSQL, the second matches no row and is refused. A form carries
the version it was opened at; a save at any other version is refused before anything is written.

What raises a version is a change to the row itself, whoever makes it:
- a manager's save of the record (and, for needs, a case's save that derives them again);
- the weekly batch, when it derives a case's needs for its week: a need form opened before then
  shows values the rules have since changed, so saving it must not put the old ones back
  unseen. The batch itself is never refused: it reads the needs it derives inside the write
  lock it stores under (SQLite's, and a lock of the table on PostgreSQL), so no save can come
  between its read and its write.
Approving a plan changes allocations (who holds a need), not cases or needs, so it raises no
version: a manager editing a case while a plan is approved saves their edit without being told
of a change their form never shows, and cannot undo the approval, because the form does not
carry holders.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, object_session
from sqlalchemy.orm.exc import StaleDataError


class EditConflict(Exception):
    """Someone saved the record after the form was opened: this save was refused."""


class Versioned:
    """A row whose every change raises its version, checked by the UPDATE that makes it."""

    # Rows stored before versions existed start at 1, as new rows do.
    version: Mapped[int] = mapped_column(default=1, server_default=text("1"))

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        """The version column is SQLAlchemy's version counter."""
        return {"version_id_col": cls.__table__.c.version}


@contextmanager
def saving_at(row: Versioned, opened_at: int | None) -> Iterator[None]:
    """Save a record only if it is at the version its form was opened at, else EditConflict.

    A stale form is refused before anything is written; a save that loses a race (another
    committed between this request's read and its write) is rolled back whole.
    """
    session = object_session(row)
    if opened_at is None or row.version != opened_at:
        raise EditConflict
    try:
        yield
    except StaleDataError as error:
        if session is not None:
            session.rollback()
        raise EditConflict from error
