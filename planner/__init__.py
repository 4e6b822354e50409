"""The caseload planner web application."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask

from planner.config import PROJECT_ROOT, ConfigurationError, configure


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the planner, one named step after another; nothing heavy happens at import."""
    app = Flask(
        __name__,
        instance_path=str(PROJECT_ROOT / "instance"),
        instance_relative_config=True,
        static_folder=None,
    )
    configure(app, test_config)
    for step in (
        register_extensions,
        register_jobs,
        register_web,
        register_blueprints,
        register_commands,
    ):
        step(app)
    return app


def register_extensions(app: Flask) -> None:
    """The database and its migrations, sign-in and its limits, CSRF, mail and the audit log."""
    from sqlalchemy.exc import ArgumentError

    from planner.extensions import csrf, db, limiter, login_manager, mail, migrate
    from planner.models import auditing

    try:
        db.init_app(app)
    except (ArgumentError, ImportError) as error:
        # The address itself is not repeated: it may hold the database's password.
        raise ConfigurationError(
            f"SQLALCHEMY_DATABASE_URI does not name a database the planner can use ({error}); "
            "for PostgreSQL, postgresql+psycopg://USER:PASSWORD@HOST/DATABASE"
        ) from None
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    mail.init_app(app)
    # Its note of each refused request names the address: a person's, so not for the logs.
    logging.getLogger("flask-limiter").setLevel(logging.WARNING)
    auditing.init_app(app)


def register_jobs(app: Flask) -> None:
    """The job queue, and the long work each kind of job does."""
    from planner.jobs import queue
    from planner.notifications.jobs import register_notification_jobs
    from planner.plans.jobs import register_plan_jobs

    queue.init_app(app)
    register_plan_jobs()
    register_notification_jobs()


def register_web(app: Flask) -> None:
    """Bounded ids in addresses, templates, security headers and sign-in, assets, error pages."""
    from planner import auth
    from planner.web import addresses, assets, errors, security, templating

    addresses.init_app(app)
    templating.init_app(app, PROJECT_ROOT / "templates")
    security.init_app(app)
    assets.init_app(app, PROJECT_ROOT)
    auth.init_app(app)
    errors.init_app(app)


def register_blueprints(app: Flask) -> None:
    """One blueprint per area of the service."""
    from planner.admin.views import blueprint as admin
    from planner.alerting.views import blueprint as alerts
    from planner.cases.views import blueprint as cases
    from planner.dashboard.views import blueprint as dashboard
    from planner.exports.views import blueprint as exports
    from planner.handovers.views import blueprint as handovers
    from planner.imports.views import blueprint as imports
    from planner.plans.views import blueprint as plans
    from planner.search.views import blueprint as search
    from planner.staff.views import blueprint as staff

    areas = (dashboard, cases, staff, handovers, plans, alerts, admin, imports, exports, search)
    for blueprint in areas:
        app.register_blueprint(blueprint)


def register_commands(app: Flask) -> None:
    """The `flask` commands."""
    from planner import cli

    cli.init_app(app)
