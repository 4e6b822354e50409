"""The service as it runs for real, on loopback: gunicorn with several processes and job workers,
on a PostgreSQL database and a Redis queue. tests/browser/test_production_shape.py and
benchmarks/load.py both start it from here."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from planner.config import PROJECT_ROOT
from tests.services import JobWorker, flask_environment, free_port


def create_database(server_url: str, name: str) -> str:
    """A new, empty database on the PostgreSQL server at `server_url`: its URL."""
    server = create_engine(server_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    server.dispose()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def flask(settings: Mapping[str, Any], *arguments: str, stdin: str | None = None) -> str:
    """Run a `flask --app planner` command as an operator would; what it printed."""
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "planner", *arguments],
        cwd=PROJECT_ROOT,
        env=flask_environment(settings),
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"flask {' '.join(arguments)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


class Service:
    """gunicorn and job workers for the app `settings` make, each logging into `folder`."""

    def __init__(
        self,
        settings: Mapping[str, Any],
        folder: Path,
        web_processes: int = 2,
        job_workers: int = 2,
        threads: int = 2,
    ) -> None:
        """A service not started yet."""
        self.settings, self.folder = settings, folder
        self.web_processes, self.job_workers, self.threads = web_processes, job_workers, threads
        self.address = ""
        self.web: subprocess.Popen[bytes] | None = None
        self.workers: list[JobWorker] = []

    def __enter__(self) -> Service:
        """Start gunicorn and the workers; return once the sign-in page answers."""
        port = free_port()
        log = self.folder / "gunicorn.log"
        with open(log, "wb") as output:
            self.web = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "--workers", str(self.web_processes),
                 "--bind", f"127.0.0.1:{port}", "planner:create_app()"],
                cwd=PROJECT_ROOT,
                env=flask_environment(self.settings),
                stdout=output,
                stderr=subprocess.STDOUT,
            )  # fmt: skip
        try:
            for n in range(1, self.job_workers + 1):
                worker = JobWorker(self.settings, self.folder / f"worker-{n}.log", self.threads)
                self.workers.append(worker.start())
            self.address = f"http://127.0.0.1:{port}"
            deadline = time.time() + 30
            while not self._answers():
                if self.web.poll() is not None or time.time() > deadline:
                    raise RuntimeError(f"gunicorn did not answer:\n{log.read_text()}")
                time.sleep(0.2)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stop the workers (each after what it is doing) and gunicorn."""
        for worker in self.workers:
            worker.stop()
        if self.web is not None and self.web.poll() is None:
            self.web.terminate()
            self.web.wait(timeout=30)

    def _answers(self) -> bool:
        """Whether gunicorn serves the sign-in page yet."""
        try:
            with urllib.request.urlopen(f"{self.address}/sign-in", timeout=1) as response:
                return response.status == 200
        except OSError:
            return False
