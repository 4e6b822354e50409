"""A solve in a process of its own: stopped when it runs away or is stuck, not when kept waiting."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Iterator

import pytest

from optimisation import Plan
from optimisation.synthetic import generate
from planner.jobs import apart
from planner.jobs.lifecycle import JobFailed

PROBLEM = generate(40, 12, seed=3)


def _solve(time_limit: float = 5.0) -> Plan:
    """The small problem, solved apart with HiGHS."""
    return apart.solve_apart(PROBLEM, "highs", time_limit, threading.Event())


def _solving() -> multiprocessing.Process:
    """The solve process once it has started."""
    while not multiprocessing.active_children():
        time.sleep(0.01)
    return multiprocessing.active_children()[0]


@pytest.fixture
def held_back() -> Iterator[threading.Event]:
    """The solve stopped (as a machine busy with pages would keep it) until the event is set."""
    release = threading.Event()

    def hold() -> None:
        pid = _solving().pid
        assert pid is not None
        os.kill(pid, signal.SIGSTOP)
        release.wait()
        with contextlib.suppress(ProcessLookupError):  # stopped for good by then
            os.kill(pid, signal.SIGCONT)

    holder = threading.Thread(target=hold)
    holder.start()
    yield release
    release.set()
    holder.join()


def test_a_solve_kept_waiting_past_its_limit_and_overrun_still_gives_its_plan(
    monkeypatch: pytest.MonkeyPatch, held_back: threading.Event
) -> None:
    # Held for longer on the clock than its limit and overrun together, working for less.
    monkeypatch.setattr(apart, "OVERRUN", 3.0)
    threading.Timer(5.0, held_back.set).start()
    plan = _solve(time_limit=0.5)
    assert plan.status in {"optimal", "feasible"}
    assert plan.assignments


def test_a_solve_stuck_long_after_its_limit_is_stopped(
    monkeypatch: pytest.MonkeyPatch, held_back: threading.Event
) -> None:
    monkeypatch.setattr(apart, "STUCK_AFTER", 1.0)
    with pytest.raises(JobFailed, match=r"had not finished 0 minutes after its time limit of 0.5"):
        _solve(time_limit=0.5)
    assert not multiprocessing.active_children()


def test_a_solve_that_works_past_its_allowance_is_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    # Starting the solve (Python, the optimiser, HiGHS) alone takes more than this much work.
    monkeypatch.setattr(apart, "OVERRUN", 0.0)
    with pytest.raises(JobFailed, match=r"worked more than 0 seconds past its time limit of 0.01"):
        _solve(time_limit=0.01)
    assert not multiprocessing.active_children()
