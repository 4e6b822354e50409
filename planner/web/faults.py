"""A database that cannot take writes just now (read-only, or locked): reads go on, saves wait."""

from __future__ import annotations

import logging

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

# SQLite's result codes (extended ones start with these): a read-only file or connection, and a
# write lock held by another connection past the busy time-out.
SQLITE_REFUSALS = {
    "SQLITE_READONLY": "is read-only",
    "SQLITE_BUSY": "is locked by another writer",
    "SQLITE_LOCKED": "is locked by another writer",
}
# PostgreSQL's: a read-only transaction (a standby, or default_transaction_read_only), and a
# lock not granted within lock_timeout.
POSTGRESQL_REFUSALS = {
    "25006": "is read-only",
    "55P03": "is locked by another writer",
}


def write_refusal(error: BaseException) -> str | None:
    """Why the database refused a write for now, in words; None for any other error."""
    if not isinstance(error, DBAPIError):
        return None
    driver_error = error.orig
    sqlstate = getattr(driver_error, "sqlstate", None)
    if sqlstate in POSTGRESQL_REFUSALS:
        return POSTGRESQL_REFUSALS[sqlstate]
    name = getattr(driver_error, "sqlite_errorname", "") or ""
    return next((why for code, why in SQLITE_REFUSALS.items() if name.startswith(code)), None)


def commit_view_line(session: Session, entity: str) -> None:
    """Commit the audit line of a view; a database refusing writes costs the line, not the page."""
    try:
        session.commit()
    except DBAPIError as error:
        why = write_refusal(error)
        if why is None:
            raise
        session.rollback()
        # Which kind of record, never which one: the log holds nothing about a person.
        log.warning("The opening of a %s was not audited: the database %s", entity, why)
