"""Configuration: defaults, then instance/config.py, then FLASK_* variables, then test settings."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import click
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
    # HTTPS only: the cookie never crosses the network in clear, and browsers are told to use
    # HTTPS for a year (Strict-Transport-Security; 0 sends no such header). Development and
    # `make run`, on plain http://127.0.0.1, turn both off.
    "SESSION_COOKIE_SECURE": True,
    "HSTS_MAX_AGE": 365 * 24 * 3600,
    "REMEMBER_COOKIE_DURATION": timedelta(hours=8),
    # A session ends this long after sign-in, however busy; the policy's idle time-out ends it
    # sooner when nothing is asked of the planner.
    "PERMANENT_SESSION_LIFETIME": timedelta(hours=8),
    # Wrong passwords in a row that lock an account, and for how long each lock lasts.
    "SIGN_IN_LOCK_AFTER": 10,
    "SIGN_IN_LOCK_MINUTES": 15,
    # Failed sign-ins one address may make (in Flask-Limiter's words), whatever the usernames.
    "SIGN_IN_ADDRESS_LIMIT": "20 per 15 minutes",
    # Reverse proxies in front of the planner whose X-Forwarded-For and -Proto are believed:
    # without them, every person would share the proxy's address and its sign-in limit.
    "TRUSTED_PROXIES": 0,
    "WTF_CSRF_TIME_LIMIT": 8 * 3600,
    "MAX_CONTENT_LENGTH": 5 * 1024 * 1024,
    # The largest spreadsheet an import takes, in bytes and in rows. An upload is a request, so
    # MAX_CONTENT_LENGTH bounds it in the browser too: keep this below it.
    "IMPORT_MAX_BYTES": 4 * 1024 * 1024,
    "IMPORT_MAX_ROWS": 50_000,
    "SERVICE_NAME": "Caseload planner",
    # Statements in logs and errors without their values: those are people's names and cases.
    "SQLALCHEMY_ENGINE_OPTIONS": {"hide_parameters": True},
    # Seconds a write to SQLite waits for another writer's lock before it fails (and the page
    # says saving is not possible at the moment).
    "SQLITE_BUSY_TIMEOUT": 30,
    "PASSWORD_HASH_METHOD": "scrypt",
    # The job queue's store: SQLite in instance/ by default; redis://HOST:6379/0 for workers
    # on several machines; memory:// with JOBS_IMMEDIATE to run each job at once (tests).
    "JOBS_URL": "sqlite:///jobs.db",
    "JOBS_NAME": "caseload-planner",
    "JOBS_IMMEDIATE": False,
    # When the weekly batch plans the coming week by itself ("friday 18:00", UK time); "" for never.
    "WEEKLY_PLAN_AT": "friday 18:00",
    # Email (Flask-Mailman, over SMTP): off unless turned on, so `make run` needs no mail server.
    "MAIL_ENABLED": False,
    # Always SMTP: Flask-Mailman would keep a testing app's mail in memory, unsent.
    "MAIL_BACKEND": "smtp",
    "MAIL_SERVER": "localhost",
    "MAIL_PORT": 25,
    "MAIL_USE_TLS": False,
    "MAIL_USERNAME": None,
    "MAIL_PASSWORD": None,
    "MAIL_DEFAULT_SENDER": "caseload-planner@localhost",
    "MAIL_TIMEOUT": 30,
    # A message the server refused is tried again this many times, this far apart.
    "MAIL_RETRIES": 5,
    "MAIL_RETRY_SECONDS": 300,
    # When managers get their weekly digest of open alerts ("monday 07:00", UK time); "" for never.
    "MAIL_DIGEST_AT": "monday 07:00",
}


# Development (FLASK_DEBUG) serves plain http://127.0.0.1: no HTTPS-only cookie, no HSTS.
DEVELOPMENT: dict[str, Any] = {"SESSION_COOKIE_SECURE": False, "HSTS_MAX_AGE": 0}


class ConfigurationError(click.ClickException):
    """A setting that stops the planner starting, said in one line.

    A ClickException, so that every `flask` command shows it as one line ("Error: ...") and
    exits 1 rather than printing a traceback; under gunicorn it is an exception like any other.
    """


class MissingSecretKey(ConfigurationError):
    """The app was asked to start for real with no secret key configured."""


def configure(app: Flask, test_config: dict[str, Any] | None) -> None:
    """Load configuration in order of precedence and refuse to run unsafely."""
    app.config.from_mapping(DEFAULTS)
    if app.debug:
        app.config.from_mapping(DEVELOPMENT)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env()
    if test_config is not None:
        app.config.from_mapping(test_config)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(app.config)
    for key, value in rate_limit_defaults(app.config["JOBS_URL"], app.config["JOBS_NAME"]).items():
        app.config.setdefault(key, value)
    if not app.config.get("SECRET_KEY") and not (app.testing or app.debug):
        raise MissingSecretKey(
            "No SECRET_KEY: set it in instance/config.py or FLASK_SECRET_KEY "
            "(`make run` writes a random one)."
        )
    clock.tell_the_date_with(configured_today)
    try:
        # A mistyped schedule stops the start, in words.
        weekly_slot(app.config["WEEKLY_PLAN_AT"])
        weekly_slot(app.config["MAIL_DIGEST_AT"], "MAIL_DIGEST_AT")
    except ValueError as error:
        raise ConfigurationError(str(error)) from None


def engine_options(config: dict[str, Any]) -> dict[str, Any]:
    """The engine's options, with SQLite's busy time-out (a new dict: the defaults are shared)."""
    options = dict(config["SQLALCHEMY_ENGINE_OPTIONS"])
    if str(config["SQLALCHEMY_DATABASE_URI"]).startswith("sqlite"):
        # The driver's own time-out is SQLite's busy time-out: a writer waits this long for a lock.
        connect_args = {"timeout": float(config["SQLITE_BUSY_TIMEOUT"])}
        options["connect_args"] = {**connect_args, **options.get("connect_args", {})}
    return options


def rate_limit_defaults(jobs_url: str, jobs_name: str) -> dict[str, Any]:
    """Flask-Limiter's settings, unless set: its counts kept where every web process sees them."""
    # Several gunicorn processes share counts only in a shared store: the job queue's Redis
    # when there is one. Otherwise each process counts alone, in memory.
    redis = jobs_url.startswith(("redis://", "rediss://"))
    return {
        "RATELIMIT_STORAGE_URI": jobs_url if redis else "memory://",
        "RATELIMIT_KEY_PREFIX": jobs_name,
        "RATELIMIT_STRATEGY": "moving-window",
        "RATELIMIT_HEADERS_ENABLED": True,
        # Should Redis fail, each process goes on counting in memory rather than refusing.
        "RATELIMIT_SWALLOW_ERRORS": True,
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
    }


def configured_today() -> date:
    """The app's TODAY setting (an ISO date) when it has one, else the real date."""
    configured = current_app.config.get("TODAY") if has_app_context() else None
    return date.fromisoformat(configured) if configured else date.today()
