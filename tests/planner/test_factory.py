"""The application factory: configuration in order, and no start without a secret key."""

from __future__ import annotations

from pathlib import Path

import pytest

from planner import create_app
from planner.config import MissingSecretKey


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
