"""Saves racing on SQLite and PostgreSQL: whichever writes first wins, and the other is told."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, event, select, text
from sqlalchemy.orm import Session

from planner.domain.vocabulary import Grade
from planner.extensions import db
from planner.models import AuditEvent, Case, Need
from tests.conftest import AppFactory
from tests.planner.editing import case_answers, ids, need_answers, signed_in, world_app
from tests.planner.pages import opened_version, text_of

# Its tests pick their databases (SQLite and PostgreSQL in turn), so the PostgreSQL pass leaves it
# to the SQLite pass.
pytestmark = pytest.mark.own_database


@pytest.fixture(params=["sqlite", "postgresql"])
def app(request: pytest.FixtureRequest, app_factory: AppFactory, tmp_path: Path) -> Flask:
    """The tiny world and two managers, on a SQLite file or a PostgreSQL database of its own."""
    if request.param == "sqlite":
        return world_app(app_factory)
    server = request.getfixturevalue("postgres_url")
    name = f"racing_{tmp_path.name.lower().replace('-', '_')}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return world_app(app_factory, SQLALCHEMY_DATABASE_URI=server.replace("/postgres?", f"/{name}?"))


@pytest.fixture
def listening() -> Iterator[Callable[[Callable[..., None]], None]]:
    """Listens to every session's flushes for the test, and stops listening after it."""
    listeners: list[Callable[..., None]] = []

    def listen(listener: Callable[..., None]) -> None:
        event.listen(Session, "before_flush", listener)
        listeners.append(listener)

    yield listen
    for listener in listeners:
        event.remove(Session, "before_flush", listener)


def test_of_two_saves_of_a_case_racing_exactly_one_wins(
    app: Flask, listening: Callable[[Callable[..., None]], None]
) -> None:
    case_id = ids(app)["case"]
    address = f"/cases/{case_id}/edit"
    clients = [signed_in(app, name) for name in ("manager.one", "manager.two")]
    version = opened_version(clients[0], address)
    # Both requests read the case and pass the version check before either writes: the UPDATE
    # of one of them must then match no row.
    both_read = threading.Barrier(2, timeout=20)
    waited = threading.local()

    def hold_until_both_have_read(session: Session, *_: Any) -> None:
        if any(isinstance(row, Case) for row in session.dirty) and not getattr(waited, "yes", 0):
            waited.yes = True
            both_read.wait()

    statuses: dict[str, int] = {}

    def save(client: FlaskClient, rosh: str) -> None:
        response = client.post(address, data=case_answers(app, rosh=rosh, version=version))
        statuses[rosh] = response.status_code

    listening(hold_until_both_have_read)
    threads = [
        threading.Thread(target=save, args=(client, rosh))
        for client, rosh in zip(clients, ("very_high", "medium"), strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses.values()) == [302, 409]
    winner = next(rosh for rosh, status in statuses.items() if status == 302)
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case.rosh.value == winner
        assert case.version == int(version) + 1
        changes = db.session.scalars(
            select(AuditEvent).where(AuditEvent.entity == "case", AuditEvent.action == "update")
        ).all()
        assert [line.after["rosh"] for line in changes] == [winner]


def test_a_need_saved_while_its_case_is_saved_is_not_lost(
    app: Flask, listening: Callable[[Callable[..., None]], None]
) -> None:
    found = ids(app)
    case_form = f"/cases/{found['case']}/edit"
    need_form = f"/cases/{found['case']}/needs/{found['need']}/edit"
    one, two = signed_in(app, "manager.one"), signed_in(app, "manager.two")
    case_opened, need_opened = opened_version(one, case_form), opened_version(two, need_form)
    # The first manager lowers the risk, so their save derives the COM need again (a PSO may
    # hold it now); it has written the case when the second manager saves that need.
    idents: dict[str, int] = {}
    deriving, need_sent, need_saved = threading.Event(), threading.Event(), threading.Event()

    def interleave(session: Session, *_: Any) -> None:
        if not any(isinstance(row, Need) for row in session.dirty):
            return
        me = threading.get_ident()
        if me == idents.get("case") and not deriving.is_set():
            deriving.set()
            assert need_sent.wait(timeout=20)
            # On PostgreSQL the need's save goes through now; on SQLite it waits for this one.
            need_saved.wait(timeout=2)
        elif me == idents.get("need"):
            need_sent.set()

    statuses: dict[str, int] = {}
    pages: dict[str, str] = {}

    def save_case() -> None:
        idents["case"] = threading.get_ident()
        answers = case_answers(app, rosh="medium", version=case_opened)
        response = one.post(case_form, data=answers)
        statuses["case"] = response.status_code
        pages["case"] = response.get_data(as_text=True)

    def save_need() -> None:
        idents["need"] = threading.get_ident()
        response = two.post(need_form, data=need_answers(hours="5", version=need_opened))
        statuses["need"] = response.status_code
        need_saved.set()

    listening(interleave)
    saving_case = threading.Thread(target=save_case)
    saving_case.start()
    assert deriving.wait(timeout=20)
    saving_need = threading.Thread(target=save_need)
    saving_need.start()
    for thread in (saving_case, saving_need):
        thread.join(timeout=60)
    with app.app_context():
        case = db.session.get(Case, found["case"])
        need = db.session.get(Need, found["need"])
        stored = (case.rosh.value, need.source.value, need.min_grade, need.hours)
        dialect = db.engine.dialect.name
    if dialect == "sqlite":
        # The case's save held the only write lock: it won, and the need's save was refused.
        assert (statuses["case"], statuses["need"]) == (302, 409)
        assert stored == ("medium", "rules", Grade.PSO, need.hours)
    else:
        # Row locks: the need's save won, and the case's save lost on that need.
        assert (statuses["case"], statuses["need"]) == (409, 302)
        assert stored == ("high", "manager", Grade.PO, 5.0)
        assert "manager.two changed a need of this case at " in text_of(pages["case"])
