"""Worker processes for solving parts side by side, with a watchdog that ends any overrun.

Each worker is `python -m optimisation.worker`, fed pickled tasks on stdin and answering on
stdout, so it never depends on how the caller's program was started (a web app, a CLI, a
test). Each has its own temporary directory, removed afterwards even if the worker was killed
mid-solve (CBC leaves files then). Which worker solves a part does not change its answer.
"""

from __future__ import annotations

import os
import pickle
import selectors
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

# Seconds a worker may run past the deadline before the watchdog ends it.
GRACE = 5.0


def send(stream: BinaryIO, message: object) -> None:
    """Write one length-prefixed pickled message."""
    data = pickle.dumps(message)
    stream.write(len(data).to_bytes(8, "big") + data)
    stream.flush()


def receive(stream: BinaryIO) -> Any:
    """Read one length-prefixed pickled message; EOFError when the other side has gone."""
    header = stream.read(8)
    if len(header) < 8:
        raise EOFError
    data = stream.read(int.from_bytes(header, "big"))
    return pickle.loads(data)


class _Worker:
    """One child process and the task it is on."""

    def __init__(self, directory: str) -> None:
        """Start the child in its own temporary directory."""
        package_root = str(Path(__file__).resolve().parent.parent)
        env = dict(
            os.environ,
            TMPDIR=directory,
            PYTHONPATH=os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")])),
        )
        self.errors = open(os.path.join(directory, "errors.txt"), "wb")  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", "optimisation.worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.errors,
            env=env,
            cwd=directory,
        )
        self.task: int | None = None

    def stop(self) -> None:
        """End the child, whatever it is doing."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout, self.errors):
            if stream is not None:
                stream.close()


def run_tasks(
    tasks: list[Any], fallback: Callable[[Any, str], Any], workers: int, deadline: float
) -> list[Any]:
    """Answers to tasks in their order, solved by `workers` child processes."""
    # A task whose worker overruns the deadline or dies gets `fallback(task, why)`.
    answers: list[Any] = [None] * len(tasks)
    waiting = list(range(len(tasks)))
    directory = tempfile.mkdtemp(prefix="caseload-workers-")
    pool = [_Worker(tempfile.mkdtemp(dir=directory)) for _ in range(min(workers, len(tasks)))]
    selector = selectors.DefaultSelector()
    try:
        for worker in pool:
            _give(worker, waiting, tasks, selector)
        while any(worker.task is not None for worker in pool):
            ready = selector.select(timeout=max(deadline + GRACE - time.time(), 0.0))
            if not ready:
                for worker in pool:
                    if worker.task is not None:
                        answers[worker.task] = fallback(tasks[worker.task], "time limit")
                        worker.task = None
                break
            for key, _ in ready:
                worker = key.data
                selector.unregister(worker.process.stdout)
                try:
                    answers[worker.task] = receive(worker.process.stdout)
                except (EOFError, pickle.UnpicklingError):
                    answers[worker.task] = fallback(tasks[worker.task], "a worker failed")
                    worker.task = None
                    continue
                worker.task = None
                _give(worker, waiting, tasks, selector)
        for index in waiting:
            answers[index] = fallback(tasks[index], "time limit")
    finally:
        for worker in pool:
            worker.stop()
        selector.close()
        shutil.rmtree(directory, ignore_errors=True)
    return answers


def _give(
    worker: _Worker, waiting: list[int], tasks: list[Any], selector: selectors.BaseSelector
) -> None:
    """Hand the worker the next waiting task, if there is one and it is alive."""
    if not waiting or worker.process.poll() is not None:
        return
    index = waiting.pop(0)
    try:
        send(worker.process.stdin, tasks[index])
    except (BrokenPipeError, OSError):
        waiting.insert(0, index)
        return
    worker.task = index
    selector.register(worker.process.stdout, selectors.EVENT_READ, worker)
