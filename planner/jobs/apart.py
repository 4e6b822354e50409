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

import psutil

from optimisation import Plan, Problem, solve
from planner.jobs.lifecycle import JobCancelled, JobFailed

# Seconds of work a solve may do past its own time limit before it is stopped (building the model
# and reporting are not inside the solver's limit). Counted in processor time, not on the clock:
# on a machine busy with pages a solve waits its turn, and waiting is not overrunning.
OVERRUN = 60.0
# Seconds on the clock past its limit after which a solve is stopped however little it worked:
# one stuck without working, or on a machine too busy ever to finish it.
STUCK_AFTER = 600.0
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
    solve_process = psutil.Process(child.pid)
    # The solver may keep every processor busy (its workers) until its limit, and then some.
    allowance = (time_limit + OVERRUN) * (os.cpu_count() or 1)
    stuck_at = time.monotonic() + time_limit + STUCK_AFTER
    try:
        while not receiver.poll(0.2):
            if cancelled.is_set():
                raise JobCancelled
            if not child.is_alive() and not receiver.poll(0):
                raise JobFailed("The solver stopped without making a plan.")
            if processor_seconds(solve_process) > allowance:
                raise JobFailed(
                    f"The solver worked more than {OVERRUN:.0f} seconds past its time limit of "
                    f"{time_limit:g} seconds and was stopped."
                )
            if time.monotonic() > stuck_at:
                raise JobFailed(
                    f"The solver had not finished {STUCK_AFTER / 60:.0f} minutes after its time "
                    f"limit of {time_limit:g} seconds and was stopped."
                )
        return receiver.recv()
    finally:
        receiver.close()
        if child.is_alive():
            # The solver's own worker processes are in the child's process group, once the child
            # has made it; a child stopped before then is killed on its own.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.pid, signal.SIGKILL)
            child.kill()
        child.join()
        child.close()


def processor_seconds(solve_process: psutil.Process) -> float:
    """The processor time a solve and its workers have used so far (0 once it has ended)."""
    try:
        with solve_process.oneshot():
            own = solve_process.cpu_times()
            workers = solve_process.children(recursive=True)
        # Workers that have ended count in their parent's children_* times.
        total = own.user + own.system + own.children_user + own.children_system
        for worker in workers:
            with contextlib.suppress(psutil.NoSuchProcess):
                times = worker.cpu_times()
                total += times.user + times.system
        return total
    except psutil.NoSuchProcess:
        return 0.0


def _solve(sender: Connection, problem: Problem, solver: str, time_limit: float) -> None:
    """In the child: solve at a low priority (pages come first) and send the plan back."""
    os.setpgid(0, 0)
    # If the worker dies, so does its solve (Linux only; elsewhere the solve's time limit ends it).
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    os.nice(10)
    sender.send(solve(problem, solver=solver, time_limit=time_limit))
    sender.close()
