"""The database a test's app is built on: a SQLite file, or a fresh PostgreSQL database.

`PLANNER_TEST_DATABASE=postgresql` runs the tests on PostgreSQL (`make test` runs tests/planner
and tests/browser a second time so); unset, or `sqlite`, on SQLite files.
"""

from __future__ import annotations

import itertools
import os
import queue
import threading
from pathlib import Path
from typing import Protocol

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

VARIABLE = "PLANNER_TEST_DATABASE"
KINDS = ("sqlite", "postgresql")


def wanted_kind() -> str:
    """The database the tests were asked to run on, from PLANNER_TEST_DATABASE."""
    kind = os.environ.get(VARIABLE, "").strip().lower() or "sqlite"
    if kind not in KINDS:
        raise ValueError(f"{VARIABLE} must be one of {', '.join(KINDS)}, not {kind!r}")
    return kind


class Databases(Protocol):
    """Makes an empty planner schema for one app, and throws it away afterwards."""

    kind: str

    def create(self, place: Path) -> str:
        """A new database holding the planner's empty tables; `place` names a file to use."""

    def drop(self, url: str) -> None:
        """Throw away a database `create` made."""

    def close(self) -> None:
        """Finish: nothing is made or dropped after."""


class SQLiteDatabases:
    """A SQLite file per app, in the test's temporary directory (removed with it)."""

    kind = "sqlite"

    def create(self, place: Path) -> str:
        """A file database, its tables created by the app's make_app."""
        return f"sqlite:///{place}"

    def drop(self, url: str) -> None:
        """Nothing to do: pytest removes the temporary directory."""

    def close(self) -> None:
        """Nothing to finish."""


class PostgresDatabases:
    """A database per app on one server, each a copy of a template holding the empty schema.

    Copying takes a quarter of a second or so (a checkpoint each time), about as long as a
    test: a thread of its own makes the next few and drops the used ones while tests run.
    """

    kind = "postgresql"
    template = "planner_template"
    ahead = 3

    def __init__(self, server_url: str) -> None:
        """Build the template once, and start making copies of it."""
        from planner.extensions import db
        from planner.models import User  # noqa: F401  (every model is imported with it)

        self.server_url = make_url(server_url)
        self.names = itertools.count(1)
        # Autocommit: CREATE and DROP DATABASE cannot run in a transaction.
        self.server = create_engine(server_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        self._execute(f'DROP DATABASE IF EXISTS "{self.template}"')
        self._execute(f'CREATE DATABASE "{self.template}"')
        schema = create_engine(self._url_of(self.template), poolclass=NullPool)
        db.metadata.create_all(schema)
        schema.dispose()
        self.ready: queue.Queue[str | BaseException] = queue.Queue()
        self.used: queue.Queue[str | None] = queue.Queue()
        self.maker = threading.Thread(target=self._make_and_drop, name="test-databases")
        self.maker.start()

    def create(self, place: Path) -> str:
        """The next copy of the template (made ahead, by the thread)."""
        made = self.ready.get(timeout=60)
        if isinstance(made, BaseException):
            raise made
        self.used.put(None)  # one taken: the thread makes another
        return made

    def drop(self, url: str) -> None:
        """Have it dropped, with any connection a server or worker of the test left open."""
        self.used.put(make_url(url).database)

    def close(self) -> None:
        """Stop the thread once it has dropped every database it was given."""
        self.used.put("")
        self.maker.join(timeout=60)

    def _make_and_drop(self) -> None:
        """Keep `ahead` databases ready; drop each used one; stop when given ""."""
        try:
            for _ in range(self.ahead):
                self.ready.put(self._copy())
            while (name := self.used.get()) != "":
                if name is None:
                    self.ready.put(self._copy())
                else:
                    self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        except BaseException as error:  # handed to the test that waits for a database
            self.ready.put(error)

    def _copy(self) -> str:
        """A copy of the template under a new name."""
        name = f"test_{os.getpid()}_{next(self.names)}"
        # A file copy (after a checkpoint, cheap without fsync) is quicker than PostgreSQL
        # 15's default, which writes the whole template to the log.
        self._execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}" STRATEGY FILE_COPY')
        return self._url_of(name)

    def _url_of(self, name: str) -> str:
        """The URL of a database on the server."""
        return self.server_url.set(database=name).render_as_string(hide_password=False)

    def _execute(self, statement: str) -> None:
        """One statement on the server's own database."""
        with self.server.connect() as connection:
            connection.execute(text(statement))
