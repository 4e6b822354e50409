"""Starts a command in its own process, outside the request, with the app's own settings."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading

from flask import current_app

from planner.config import PROJECT_ROOT


def launch(arguments: list[str], name: str) -> None:
    """Run `flask ARGUMENTS` in the background against this app's database, logging to NAME.log."""
    app = current_app
    environment = dict(os.environ)
    # JSON-quoted, because Flask reads FLASK_* variables as JSON where they parse as JSON.
    environment["FLASK_SQLALCHEMY_DATABASE_URI"] = json.dumps(app.config["SQLALCHEMY_DATABASE_URI"])
    environment["FLASK_SECRET_KEY"] = json.dumps(app.config["SECRET_KEY"])
    if app.config.get("TODAY"):
        environment["FLASK_TODAY"] = json.dumps(app.config["TODAY"])
    logs = os.path.join(app.instance_path, "runs")
    os.makedirs(logs, exist_ok=True)
    with open(os.path.join(logs, f"{name}.log"), "ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "planner", *arguments],
            cwd=PROJECT_ROOT,
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    # Someone must wait for the process when it ends, or it lingers as a zombie.
    threading.Thread(target=process.wait, name=name, daemon=True).start()
