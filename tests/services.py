"""Throwaway servers and processes for the tests: Redis from Debian's package, a mail server,
and job workers."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from types import TracebackType
from typing import Any

from planner.config import PROJECT_ROOT


def free_port() -> int:
    """A port number nothing is using."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class TemporaryRedis:
    """A Redis server on loopback, in a temporary directory, for the duration of a test run."""

    def __init__(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError(
                "Redis is not installed: run `make system-deps` (apt-get install redis-server)"
            )
        self.binary = binary
        self.directory = tempfile.mkdtemp(prefix="planner-redis-")
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """How the job queue reaches it."""
        return f"redis://127.0.0.1:{self.port}/0"

    def __enter__(self) -> TemporaryRedis:
        """Start the server and wait until it answers."""
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir",
             self.directory, "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as ping:
                    ping.sendall(b"PING\r\n")
                    if ping.recv(7) == b"+PONG\r\n":
                        return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("Redis did not start")

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stop the server and remove its directory."""
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
        shutil.rmtree(self.directory, ignore_errors=True)


def flask_environment(settings: Mapping[str, Any]) -> dict[str, str]:
    """The environment a `flask --app planner` process reads the same settings from."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith("FLASK_")}
    # Flask reads FLASK_* variables as JSON where they parse as JSON.
    environment.update({f"FLASK_{key}": json.dumps(value) for key, value in settings.items()})
    return environment


class JobWorker:
    """`flask --app planner jobs worker` in a process of its own (its own process group)."""

    def __init__(self, settings: Mapping[str, Any], log: Path, threads: int = 2) -> None:
        """A worker for the app these settings make; its output goes to `log`."""
        self.settings, self.log, self.threads = settings, log, threads
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> JobWorker:
        """Start the worker and wait until it takes jobs."""
        with open(self.log, "ab") as output:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "planner", "jobs", "worker",
                 "--threads", str(self.threads), "--no-schedule"],
                cwd=PROJECT_ROOT,
                env=flask_environment(self.settings),
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        deadline = time.time() + 30
        while "Job worker:" not in self.log.read_text(errors="replace"):
            if self.process.poll() is not None or time.time() > deadline:
                self.kill()  # a worker too slow to start must not outlive the test
                raise RuntimeError(f"the job worker did not start:\n{self.log.read_text()}")
            time.sleep(0.1)
        return self

    def kill(self) -> None:
        """End the worker at once, as a machine that died would: no goodbye, no clean-up."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        """Ask the worker to stop, and make sure it has."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()

    def __enter__(self) -> JobWorker:
        """Start it."""
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stop it."""
        self.stop()


class MailServer:
    """A real SMTP server on loopback (aiosmtpd) that keeps every message it is sent."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.messages: list[EmailMessage] = []
        self.controller: Any = None

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        """Keep the message as it arrived (aiosmtpd's hook for each one)."""
        self.messages.append(message_from_bytes(envelope.content, policy=default))
        return "250 Message accepted for delivery"

    def __enter__(self) -> MailServer:
        from aiosmtpd.controller import Controller

        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.controller.stop()
