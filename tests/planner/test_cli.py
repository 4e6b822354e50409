"""Account commands: create users, set passwords, the demo account printed once."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from planner.domain.vocabulary import UserRole
from planner.extensions import db
from planner.models import Region, User
from planner.models.auditing import set_actor


def stored_user(app: Flask, username: str) -> User | None:
    """The user of that name, if any."""
    with app.app_context():
        query = select(User).where(User.username == username).options(selectinload(User.regions))
        return db.session.scalar(query)


def test_create_user_reads_the_password_from_stdin(app: Flask, runner: FlaskCliRunner) -> None:
    result = runner.invoke(
        args=["create-user", "spo.one", "--role", "manager", "--national", "--password-stdin"],
        input="a long enough password\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created manager spo.one" in result.output
    user = stored_user(app, "spo.one")
    assert user is not None and user.role == UserRole.MANAGER
    assert user.check_password("a long enough password")


def test_create_user_asks_twice_at_the_prompt(app: Flask, runner: FlaskCliRunner) -> None:
    result = runner.invoke(
        args=["create-user", "head.unit", "--role", "admin", "--national"],
        input="a long enough password\na long enough password\n",
    )
    assert result.exit_code == 0, result.output
    assert stored_user(app, "head.unit") is not None


def test_create_user_refuses_a_short_password(app: Flask, runner: FlaskCliRunner) -> None:
    result = runner.invoke(
        args=["create-user", "x", "--role", "viewer", "--national", "--password-stdin"],
        input="short\n",
    )
    assert result.exit_code == 1
    assert "Error: the password must be at least 12 characters" in result.output
    assert stored_user(app, "x") is None


def test_create_user_refuses_a_duplicate_and_an_unknown_role(runner: FlaskCliRunner) -> None:
    arguments = ["create-user", "dup", "--role", "viewer", "--national", "--password-stdin"]
    assert runner.invoke(args=arguments, input="a long enough password\n").exit_code == 0
    result = runner.invoke(args=arguments, input="a long enough password\n")
    assert result.exit_code == 1
    assert "a user called dup already exists" in result.output
    result = runner.invoke(args=["create-user", "y", "--role", "king", "--national"])
    assert result.exit_code == 2
    assert "'king' is not one of" in result.output


def test_set_password_changes_it(app: Flask, runner: FlaskCliRunner) -> None:
    runner.invoke(
        args=["create-user", "po.two", "--role", "viewer", "--national", "--password-stdin"],
        input="the first password\n",
    )
    result = runner.invoke(
        args=["set-password", "po.two", "--password-stdin"], input="the second password\n"
    )
    assert result.exit_code == 0
    assert stored_user(app, "po.two").check_password("the second password")
    missing = runner.invoke(args=["set-password", "nobody", "--password-stdin"], input="x" * 20)
    assert missing.exit_code == 1
    assert "there is no user called nobody" in missing.output


def test_the_demo_account_password_is_shown_once(app: Flask, runner: FlaskCliRunner) -> None:
    first = runner.invoke(args=["demo-account"])
    assert first.exit_code == 0
    password = first.output.split("with password ")[1].split()[0]
    assert stored_user(app, "demo.manager").check_password(password)
    assert stored_user(app, "demo.manager").role == UserRole.MANAGER
    # The demo manager sees every region, so that the demo shows everything.
    assert stored_user(app, "demo.manager").national
    second = runner.invoke(args=["demo-account"])
    assert second.exit_code == 0
    assert password not in second.output
    assert "set-password demo.manager" in second.output


def test_the_demo_account_comes_with_regional_managers_once_there_are_regions(
    app: Flask, runner: FlaskCliRunner
) -> None:
    with app.app_context():
        set_actor(db.session, "test")
        db.session.add_all([Region(name="London"), Region(name="North East")])
        db.session.commit()
    made = runner.invoke(args=["demo-account"])
    assert made.exit_code == 0, made.output
    assert "demo.london, who sees London only" in made.output
    assert "demo.north-east, who sees North East only" in made.output
    password = made.output.split("demo.london, who sees London only, password ")[1].split()[0]
    london = stored_user(app, "demo.london")
    assert london.check_password(password)
    assert not london.national
    assert [region.name for region in london.regions] == ["London"]


def test_create_user_needs_regions_or_national(app: Flask, runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["create-user", "po.three", "--role", "viewer"], input="x\n")
    assert result.exit_code != 0
    assert "--national or one or more --region NAME" in result.output
    with app.app_context():
        set_actor(db.session, "test")
        db.session.add(Region(name="Wales"))
        db.session.commit()
    arguments = ["create-user", "po.three", "--role", "viewer", "--region", "wales"]
    made = runner.invoke(args=[*arguments, "--password-stdin"], input="a long enough password\n")
    assert made.exit_code == 0, made.output
    assert [region.name for region in stored_user(app, "po.three").regions] == ["Wales"]
    unknown = runner.invoke(args=["create-user", "po.four", "--role", "viewer", "--region", "Mars"])
    assert "there is no region called Mars" in unknown.output
