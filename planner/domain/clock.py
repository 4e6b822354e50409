"""Today's date, which a test or a demonstration can fix with the TODAY setting."""

from __future__ import annotations

from datetime import date

from flask import current_app, has_app_context


def today() -> date:
    """The configured TODAY (an ISO date), else the real date."""
    configured = current_app.config.get("TODAY") if has_app_context() else None
    return date.fromisoformat(configured) if configured else date.today()
