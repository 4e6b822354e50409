"""Start-up errors of the `flask` commands: one readable line and a non-zero status, never a
traceback, and never a password from the address that was wrong."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

FLASK = Path(sys.executable).with_name("flask")


def flask(tmp_path: Path, *command: str, **settings: str) -> subprocess.CompletedProcess[str]:
    """A `flask --app planner` command (`alerts` unless told) with these FLASK_* settings (JSON,
    as the planner reads them)."""
    env = {**os.environ, "FLASK_SECRET_KEY": '"a-secret"', "FLASK_WEEKLY_PLAN_AT": '""',
           "FLASK_SQLALCHEMY_DATABASE_URI": f'"sqlite:///{tmp_path / "none.db"}"',
           "FLASK_JOBS_URL": '"memory://"'}  # fmt: skip
    env.update({f"FLASK_{name}": value for name, value in settings.items()})
    env.pop("FLASK_DEBUG", None)
    return subprocess.run(
        [str(FLASK), "--app", "planner", *(command or ("alerts",))],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("settings", "words"),
    [
        ({"SECRET_KEY": '""'}, "Error: No SECRET_KEY: set it in instance/config.py"),
        ({"JOBS_URL": '"bogus://planner:hunter2@queue/0"'}, "Error: JOBS_URL must be sqlite:///FILE"),
        ({"WEEKLY_PLAN_AT": '"someday"'}, "Error: WEEKLY_PLAN_AT must be a day and a time"),
        ({"SQLALCHEMY_DATABASE_URI": '"nonsense:hunter2"'}, "Error: SQLALCHEMY_DATABASE_URI does not"),
        ({"SQLALCHEMY_DATABASE_URI": '"postgresql+psycopg://planner:hunter2@127.0.0.1:1/x"'},
         "Error: the database could not be used (connection failed"),
    ],
)  # fmt: skip
def test_a_start_up_error_is_one_line(tmp_path: Path, settings: dict[str, str], words: str) -> None:
    result = flask(tmp_path, **settings)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(words), lines[0]
    assert "Traceback" not in result.stderr + result.stdout
    assert "hunter2" not in result.stderr + result.stdout


def test_migrations_on_a_database_that_cannot_be_reached_say_so_in_one_line(
    tmp_path: Path,
) -> None:
    result = flask(
        tmp_path, "db", "upgrade",
        SQLALCHEMY_DATABASE_URI='"postgresql+psycopg://planner:hunter2@127.0.0.1:1/x"',
    )  # fmt: skip
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: the database could not be used")
    assert "hunter2" not in result.stderr
