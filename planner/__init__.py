"""The caseload planner web application."""

from __future__ import annotations

from typing import Any

from flask import Flask

from planner.config import PROJECT_ROOT, configure


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the planner: configuration, extensions, templates, blueprints, errors, commands."""
    from planner import auth, cli
    from planner.extensions import csrf, db, login_manager, migrate
    from planner.models import auditing as audit
    from planner.web import assets, errors, security, templating

    app = Flask(
        __name__,
        instance_path=str(PROJECT_ROOT / "instance"),
        instance_relative_config=True,
        static_folder=None,
    )
    configure(app, test_config)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    audit.init_app(app)
    templating.init_app(app, PROJECT_ROOT / "templates")
    security.init_app(app)
    assets.init_app(app, PROJECT_ROOT)
    auth.init_app(app)
    register_blueprints(app)
    errors.init_app(app)
    cli.init_app(app)
    return app


def register_blueprints(app: Flask) -> None:
    """One blueprint per area of the service."""
    from planner.admin.views import blueprint as admin
    from planner.alerting.views import blueprint as alerts
    from planner.cases.views import blueprint as cases
    from planner.dashboard.views import blueprint as dashboard
    from planner.plans.views import blueprint as plans
    from planner.staff.views import blueprint as staff

    for blueprint in (dashboard, cases, staff, plans, alerts, admin):
        app.register_blueprint(blueprint)
