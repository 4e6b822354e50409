"""Sign-in for every page, roles for every change, and the headers that protect each response."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, g, request
from flask.typing import ResponseReturnValue
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from planner.domain.vocabulary import UserRole
from planner.extensions import login_manager
from planner.web import sessions
from planner.web.text import hidden_character

View = TypeVar("View", bound=Callable[..., Any])
# Longer than any address of the planner's own.
MAX_NEXT = 2000

# What the sign-in page is drawn with: the same for everyone, and not a use of the planner.
ASSETS = "assets.asset"
# Endpoints a signed-out person may reach.
PUBLIC_ENDPOINTS = frozenset({"auth.sign_in", ASSETS})


def init_app(app: Flask) -> None:
    """Believe the trusted proxies, require sign-in before every request, set the headers after."""
    proxies = app.config["TRUSTED_PROXIES"]
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
    sessions.init_app(app)
    app.before_request(require_sign_in)
    app.after_request(set_security_headers)


def require_sign_in() -> ResponseReturnValue | None:
    """Send anyone not signed in, or signed in too long ago or idle too long, to sign in."""
    g.csp_nonce = secrets.token_urlsafe(16)
    if request.endpoint == ASSETS:
        return None
    if current_user.is_authenticated:
        return sessions.keep_or_end()
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    return login_manager.unauthorized()


def role_required(role: UserRole) -> Callable[[View], View]:
    """Allow a view only to users with this role or a higher one (403 otherwise)."""

    def decorate(view: View) -> View:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated or not current_user.can(role):
                abort(403)
            return view(*args, **kwargs)

        return guarded  # type: ignore[return-value]

    return decorate


def set_security_headers(response: Any) -> Any:
    """No framing, no sniffing, no caching of sensitive pages, scripts only from here."""
    nonce = g.get("csp_nonce", "")
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; "
        f"script-src 'self' 'nonce-{nonce}'; "
        "style-src 'self'; img-src 'self' data:; font-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
    )
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    # Browsers heed this only over HTTPS, and then refuse plain HTTP to the host for max-age.
    hsts = current_app.config["HSTS_MAX_AGE"]
    if hsts:
        response.headers["Strict-Transport-Security"] = f"max-age={hsts}; includeSubDomains"
    if request.endpoint != ASSETS:
        response.headers["Cache-Control"] = "no-store"
    return response


def is_safe_next(target: str | None) -> bool:
    """Whether a ?next= address stays on this site (a path, never another host)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    # A line break would split the Location header; a lone surrogate cannot be sent at all.
    if len(target) > MAX_NEXT or hidden_character(target) or not target.isprintable():
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc
