"""What the benchmarks share: peak memory and time of a block, and a demo database to measure on."""

from __future__ import annotations

import os
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from flask import Flask

START = date(2026, 11, 30)  # the demo data is built around this Monday, so runs are comparable


def _rss(pid: int) -> int:
    """Resident memory of one process, in bytes (0 once it has gone)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return 0
    return 0


def _tree(pid: int) -> list[int]:
    """A process and all its descendants."""
    found = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children = (task / "children").read_text().split()
        except OSError:
            continue
        for child in children:
            found += _tree(int(child))
    return found


class PeakMemory:
    """Samples the memory of this process tree in the background, keeping the peak."""

    def __init__(self) -> None:
        """Start sampling."""
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        """Add up the tree's memory every 50 ms."""
        while not self._stop.is_set():
            self.peak = max(self.peak, sum(_rss(pid) for pid in _tree(os.getpid())))
            time.sleep(0.05)

    def stop(self) -> int:
        """Stop sampling and return the peak, in bytes."""
        self._stop.set()
        self._thread.join()
        return self.peak


def demo_app(scale: str, folder: Path, database: str | None = None) -> Flask:
    """The planner on a fresh database (SQLite in a folder unless given another's URL), migrated,
    with a scale's demo data."""
    from flask_migrate import upgrade

    from planner import create_app

    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "benchmark",
            "SQLALCHEMY_DATABASE_URI": database or f"sqlite:///{folder / f'{scale}.db'}",
            "TODAY": START.isoformat(),
            # The benchmarks sign in through the test client, which carries no CSRF token.
            "WTF_CSRF_ENABLED": False,
        }
    )
    with app.app_context():
        upgrade()
    result = app.test_cli_runner().invoke(
        args=["demo-data", "--scale", scale, "--seed", "1", "--start", START.isoformat()]
    )
    if result.exit_code:
        raise SystemExit(result.output)
    return app


@contextmanager
def demo_database(scale: str, database: str | None = None) -> Iterator[Flask]:
    """A demo app on a throwaway database (SQLite unless given an empty one's URL), its
    connections closed before the database goes."""
    from planner.extensions import db

    with tempfile.TemporaryDirectory() as folder:
        app = demo_app(scale, Path(folder), database)
        try:
            yield app
        finally:
            with app.app_context():
                db.engine.dispose()


MANAGER = {"username": "bench.manager", "password": "benchmark password"}


def plan_with_a_manager(app: Flask) -> None:
    """Plan the demo's week (so that a review and alerts exist) and add a national manager."""
    from planner.domain.vocabulary import UserRole
    from planner.domain.weeks import IsoWeek
    from planner.extensions import db
    from planner.models import User
    from planner.plans.batch import run_week

    with app.app_context():
        run_week(db.session, IsoWeek.containing(START), "highs", None, None, "benchmark")
        user = User(username=MANAGER["username"], role=UserRole.MANAGER, national=True)
        user.set_password(MANAGER["password"])
        db.session.add(user)
        db.session.commit()


@dataclass
class Measurement:
    """The wall time, in seconds, and peak memory, in bytes, of a measured block."""

    wall: float = 0.0
    peak: int = 0


@contextmanager
def measured() -> Iterator[Measurement]:
    """Time the block and sample its process tree's peak memory, filled in when it ends."""
    figures = Measurement()
    memory = PeakMemory()
    started = time.perf_counter()
    try:
        yield figures
    finally:
        figures.wall = time.perf_counter() - started
        figures.peak = memory.stop()
