"""Configuration: defaults, then instance/config.py, then FLASK_* variables, then test settings."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from flask import Flask, current_app, has_app_context

from planner.domain import clock
from planner.domain.weeks import weekly_slot

PROJECT_ROOT = Path(__file__).resolve().parent.parent

DEFAULTS: dict[str, Any] = {
    "SECRET_KEY": None,
    # A relative SQLite path resolves inside the instance folder.
    "SQLALCHEMY_DATABASE_URI": "sqlite:///planner.db",
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    # Served on plain http://127.0.0.1 by default; set FLASK_SESSION_COOKIE_SECURE=true behind TLS.
    "SESSION_COOKIE_SECURE": False,
    "REMEMBER_COOKIE_DURATION": timedelta(hours=8),
    "PERMANENT_SESSION_LIFETIME": timedelta(hours=8),
    "WTF_CSRF_TIME_LIMIT": 8 * 3600,
    "MAX_CONTENT_LENGTH": 5 * 1024 * 1024,
    "SERVICE_NAME": "Caseload planner",
    # Statements in logs and errors without their values: those are people's names and cases.
    "SQLALCHEMY_ENGINE_OPTIONS": {"hide_parameters": True},
    "PASSWORD_HASH_METHOD": "scrypt",
    # The job queue's store: SQLite in instance/ by default; redis://HOST:6379/0 for workers
    # on several machines; memory:// with JOBS_IMMEDIATE to run each job at once (tests).
    "JOBS_URL": "sqlite:///jobs.db",
    "JOBS_NAME": "caseload-planner",
    "JOBS_IMMEDIATE": False,
    # When the weekly batch plans the coming week by itself ("friday 18:00", UK time); "" for never.
    "WEEKLY_PLAN_AT": "friday 18:00",
}


class MissingSecretKey(RuntimeError):
    """The app was asked to start for real with no secret key configured."""


def configure(app: Flask, test_config: dict[str, Any] | None) -> None:
    """Load configuration in order of precedence and refuse to run unsafely."""
    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env()
    if test_config is not None:
        app.config.from_mapping(test_config)
    if not app.config.get("SECRET_KEY") and not (app.testing or app.debug):
        raise MissingSecretKey(
            "No SECRET_KEY: set it in instance/config.py or FLASK_SECRET_KEY "
            "(`make run` writes a random one)."
        )
    clock.tell_the_date_with(configured_today)
    weekly_slot(app.config["WEEKLY_PLAN_AT"])  # a mistyped schedule stops the start, in words


def configured_today() -> date:
    """The app's TODAY setting (an ISO date) when it has one, else the real date."""
    configured = current_app.config.get("TODAY") if has_app_context() else None
    return date.fromisoformat(configured) if configured else date.today()
