"""One worker process of the pool in workers.py: solves the parts it is sent, one at a time."""

from __future__ import annotations

import os
import sys

from optimisation.optimiser import solve_part_safely
from optimisation.workers import receive, send


def main() -> None:
    """A worker: solve parts read from stdin until it closes; answers go to stdout only."""
    answers = os.fdopen(os.dup(1), "wb")
    # Whatever a solver prints must not mix with the answers.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    while True:
        try:
            task = receive(sys.stdin.buffer)
        except EOFError:
            return
        send(answers, solve_part_safely(task))


if __name__ == "__main__":
    main()
