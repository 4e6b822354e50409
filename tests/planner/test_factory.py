"""The application factory: configuration in order, no start without a secret key, and
HTTPS-only cookies and HSTS everywhere but development and `make run`."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from planner import create_app
from planner.config import PROJECT_ROOT, MissingSecretKey
from planner.domain.vocabulary import UserRole
from tests.conftest import AppFactory, add_user, sign_in


def test_refuses_to_start_for_real_without_a_secret_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FLASK_SECRET_KEY", raising=False)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    with pytest.raises(MissingSecretKey, match="SECRET_KEY"):
        create_app({"SECRET_KEY": None, "TESTING": False})


def test_starts_without_a_secret_key_only_when_testing() -> None:
    assert create_app({"SECRET_KEY": None, "TESTING": True}).testing


def test_environment_variables_override_the_instance_config(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'elsewhere.db'}"
    monkeypatch.setenv("FLASK_SQLALCHEMY_DATABASE_URI", url)
    monkeypatch.setenv("FLASK_SECRET_KEY", "from-the-environment")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == url
    assert app.config["SECRET_KEY"] == "from-the-environment"


def test_test_settings_override_everything(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLASK_SECRET_KEY", "from-the-environment")
    assert create_app({"SECRET_KEY": "from-the-test"}).config["SECRET_KEY"] == "from-the-test"


def test_sessions_are_protected_by_default() -> None:
    config = create_app({"TESTING": True}).config
    assert config["SESSION_COOKIE_HTTPONLY"] is True
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert config["WTF_CSRF_ENABLED"] is True


def set_cookie_of(response: Any) -> str:
    """The Set-Cookie header that carries the session."""
    return next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))


def signed_in_client(app: Flask) -> Any:
    """A client signed in as a manager on the app."""
    add_user(app, "manager.user", UserRole.MANAGER)
    return app.test_client()


def test_outside_development_cookies_are_https_only_and_hsts_is_sent(
    app_factory: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    app = app_factory("production", TESTING=False, SECRET_KEY="a-real-secret")
    assert app.config["SESSION_COOKIE_SECURE"] is True
    client = signed_in_client(app)
    response = sign_in(client, "manager.user")
    assert response.status_code == 302
    assert "Secure" in set_cookie_of(response)
    assert "HttpOnly" in set_cookie_of(response)
    headers = client.get("/").headers
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_in_development_cookies_and_hsts_suit_plain_http(
    app_factory: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLASK_DEBUG", "1")
    app = app_factory("development")
    client = signed_in_client(app)
    response = sign_in(client, "manager.user")
    assert "Secure" not in set_cookie_of(response)
    assert "Strict-Transport-Security" not in client.get("/").headers
    assert client.get("/").status_code == 200


def test_make_run_serves_plain_http_with_a_cookie_that_works_there(
    app_factory: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    makefile = (PROJECT_ROOT / "Makefile").read_text()
    local = re.search(r"^LOCAL_HTTP := (.*)$", makefile, re.M).group(1)
    assert "$(LOCAL_HTTP) $(VENV)/bin/waitress-serve" in makefile
    for setting in local.split():
        name, value = setting.split("=")
        monkeypatch.setenv(name, value)
    app = app_factory("make-run", TESTING=False, SECRET_KEY="written-by-make-run")
    client = signed_in_client(app)
    response = sign_in(client, "manager.user")
    assert "Secure" not in set_cookie_of(response)
    assert "Strict-Transport-Security" not in client.get("/").headers
    assert client.get("/").status_code == 200
