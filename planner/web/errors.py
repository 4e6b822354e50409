"""Error pages in the service's own style."""

from __future__ import annotations

import logging

from flask import Flask, current_app, render_template
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException

from planner.extensions import db
from planner.web.faults import write_refusal

log = logging.getLogger(__name__)

MESSAGES = {
    400: ("Sorry, there is a problem with that request", "Go back and try again."),
    403: (
        "You do not have permission to do that",
        "Your role does not allow this. Ask your head of unit if you need it.",
    ),
    404: (
        "Page not found",
        "If you typed the web address, check it is correct. If you pasted it, check you "
        "copied the whole address.",
    ),
    405: ("Sorry, there is a problem with that request", "Go back and try again."),
    413: ("The file is too large", "Choose a file smaller than 5 MB."),
    500: (
        "Sorry, there is a problem with the service",
        "Try again later. Nothing you entered has been saved.",
    ),
    503: (
        "Saving is not possible at the moment",
        "Your change was not saved. You can still look at cases, staff and plans, but changes "
        "cannot be saved just now. Try again later.",
    ),
}
# How long to wait before trying again, as the 503 answer tells browsers and scripts.
RETRY_AFTER_SECONDS = 60


def init_app(app: Flask) -> None:
    """Answer errors with a page, never a traceback."""
    app.register_error_handler(CSRFError, csrf_expired)
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(DBAPIError, database_error)
    app.register_error_handler(Exception, server_error)


def render_error(status: int, heading: str, body: str) -> ResponseReturnValue:
    """The shared error page."""
    return render_template("errors/error.html", heading=heading, body=body), status


def http_error(error: HTTPException) -> ResponseReturnValue:
    """404, 403 and the other statuses a request can end with."""
    status = error.code or 500
    heading, body = MESSAGES.get(status, MESSAGES[400])
    return render_error(status, heading, body)


def csrf_expired(_error: CSRFError) -> ResponseReturnValue:
    """A form sent without a valid token: usually a page left open too long."""
    return render_error(
        400,
        "Your session has expired",
        "For your security, forms expire after a while. Go back, reload the page and try again.",
    )


def database_error(error: DBAPIError) -> ResponseReturnValue:
    """A database refusing writes just now (read-only, locked) says so; anything else is a 500."""
    why = write_refusal(error)
    if why is None:
        return server_error(error)
    db.session.rollback()
    # The reason alone: the statement would say what was being saved, about whom.
    log.warning("A change was not saved: the database %s", why)
    heading, body = MESSAGES[503]
    page = render_template("errors/error.html", heading=heading, body=body)
    return page, 503, {"Retry-After": str(RETRY_AFTER_SECONDS)}


def server_error(error: Exception) -> ResponseReturnValue:
    """Anything unexpected: roll back, log it, and say nothing was saved."""
    if current_app.testing and not current_app.config.get("SHOW_ERROR_PAGES"):
        raise error
    db.session.rollback()
    log.exception("unhandled error", exc_info=error)
    heading, body = MESSAGES[500]
    return render_error(500, heading, body)
