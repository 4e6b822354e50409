"""Solving in a process of its own, so that a cancelled or overrunning solve can be stopped."""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import threading
import time
from multiprocessing.connection import Connection

from optimisation import Plan, Problem, solve
from planner.jobs.lifecycle import JobCancelled, JobFailed

# Seconds a solve may run past its own time limit before it is stopped (building the model and
# reporting are not inside the solver's limit).
OVERRUN = 60.0
PR_SET_PDEATHSIG = 1


def solve_apart(
    problem: Problem, solver: str, time_limit: float, cancelled: threading.Event
) -> Plan:
    """The optimiser's plan, solved in a child process that a cancellation or overrun ends."""
    # Spawned, not forked: the worker has threads (heartbeats), and a fork copies their locks.
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(
        target=_solve, args=(sender, problem, solver, time_limit), name="solve", daemon=True
    )
    child.start()
    sender.close()
    deadline = time.monotonic() + time_limit + OVERRUN
    try:
        while not receiver.poll(0.2):
            if cancelled.is_set():
                raise JobCancelled
            if not child.is_alive() and not receiver.poll(0):
                raise JobFailed("The solver stopped without making a plan.")
            if time.monotonic() > deadline:
                raise JobFailed(
                    f"The solver ran more than {OVERRUN:.0f} seconds past its time limit of "
                    f"{time_limit:g} seconds and was stopped."
                )
        return receiver.recv()
    finally:
        receiver.close()
        if child.is_alive():
            # The solver's own worker processes are in the child's process group.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.pid, signal.SIGKILL)
        child.join()
        child.close()


def _solve(sender: Connection, problem: Problem, solver: str, time_limit: float) -> None:
    """In the child: solve at a low priority (pages come first) and send the plan back."""
    os.setpgid(0, 0)
    # If the worker dies, so does its solve (Linux only; elsewhere the solve's time limit ends it).
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    os.nice(10)
    sender.send(solve(problem, solver=solver, time_limit=time_limit))
    sender.close()
