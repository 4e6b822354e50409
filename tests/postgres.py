"""Starts a private PostgreSQL server from Debian's binaries, for the duration of a test run."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from types import TracebackType


class TemporaryPostgres:
    """initdb, start, hand out a URL, stop and delete: nothing outside a temporary directory."""

    def __init__(self) -> None:
        binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not binaries:
            raise RuntimeError(
                "PostgreSQL is not installed: run `make system-deps` (apt-get install postgresql)"
            )
        self.bin = os.path.dirname(binaries[-1])
        self.directory = tempfile.mkdtemp(prefix="planner-postgres-")
        self.port = _free_port()
        # PostgreSQL refuses to run as root; the Debian package brings a postgres user.
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []

    @property
    def url(self) -> str:
        """How SQLAlchemy reaches the server (over its socket, no password)."""
        return f"postgresql+psycopg://planner@/postgres?host={self.directory}&port={self.port}"

    def __enter__(self) -> TemporaryPostgres:
        """Create the cluster and start the server."""
        if self.as_user:
            user = pwd.getpwnam("postgres")
            os.chown(self.directory, user.pw_uid, user.pw_gid)
        data = os.path.join(self.directory, "data")
        self._run(
            "initdb", "-D", data, "-U", "planner", "--auth=trust", "-E", "UTF8", "-A", "trust"
        )
        options = f"-k {self.directory} -p {self.port} -c listen_addresses='' -c fsync=off"
        self._run("pg_ctl", "-D", data, "-o", options, "-l", f"{self.directory}/log", "-w", "start")
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stop the server and remove every file it wrote."""
        self._run("pg_ctl", "-D", os.path.join(self.directory, "data"), "-m", "fast", "-w", "stop")
        shutil.rmtree(self.directory, ignore_errors=True)

    def _run(self, program: str, *arguments: str) -> None:
        """Run one of the server's programs, quietly unless it fails."""
        subprocess.run(
            [*self.as_user, os.path.join(self.bin, program), *arguments],
            check=True,
            capture_output=True,
        )


def _free_port() -> int:
    """A port number nothing is using (it names the server's socket file)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
