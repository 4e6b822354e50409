"""Commands for the terminal: demo data, user accounts."""

from __future__ import annotations

import secrets
import sys
from datetime import date, datetime

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy import func, select

from planner.audit import set_actor
from planner.demo.places import SCALES
from planner.extensions import db
from planner.models import Case, User
from planner.vocabulary import UserRole

DEMO_ACCOUNT = "demo.manager"
MIN_PASSWORD_LENGTH = 12


def init_app(app: Flask) -> None:
    """Register the commands on the app's `flask` group."""
    for command in (demo_data, demo_account, create_user, set_password):
        app.cli.add_command(command)


def fail(message: str) -> None:
    """Stop with one readable line and a non-zero status."""
    raise click.ClickException(message)


@click.command("demo-data")
@with_appcontext
@click.option(
    "--scale",
    type=click.Choice(list(SCALES)),
    default="london",
    show_default=True,
    help="How much data: one small unit, London, or England and Wales.",
)
@click.option("--seed", type=int, default=1, show_default=True, help="Same seed, same data.")
@click.option("--if-empty", is_flag=True, help="Do nothing if the database already holds cases.")
@click.option(
    "--start",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="A day in the week the data is built around (default: today).",
)
def demo_data(scale: str, seed: int, if_empty: bool, start: datetime | None) -> None:
    """Load synthetic demo data: cases, staff, absences, allocations."""
    from planner.demo.generate import load_demo_data

    existing = db.session.scalar(select(func.count()).select_from(Case))
    if existing:
        if if_empty:
            click.echo(f"The database already holds {existing} cases: demo data not loaded.")
            return
        fail(f"the database already holds {existing} cases; demo data goes into an empty one")
    summary = load_demo_data(db.session, scale, seed, start.date() if start else date.today())
    db.session.commit()
    click.echo(
        f"Loaded {scale} demo data (seed {seed}): {summary.regions} regions, {summary.sites} "
        f"sites, {summary.staff} staff, {summary.cases} cases, {summary.needs} needs, "
        f"{summary.allocations} allocations, {summary.exclusions} exclusions."
    )


@click.command("demo-account")
@with_appcontext
def demo_account() -> None:
    """Create the demo manager's account and print its password, once."""
    if db.session.scalar(select(User).where(User.username == DEMO_ACCOUNT)):
        click.echo(
            f"Sign in as {DEMO_ACCOUNT} with the password printed when the account was made "
            f"(to choose a new one: flask --app planner set-password {DEMO_ACCOUNT})."
        )
        return
    password = secrets.token_urlsafe(12)
    _add_user(DEMO_ACCOUNT, UserRole.MANAGER, password, actor="demo-account")
    click.echo(f"Demo account: sign in as {DEMO_ACCOUNT} with password {password}")
    click.echo("This password is shown once only.")


@click.command("create-user")
@with_appcontext
@click.argument("username")
@click.option(
    "--role",
    type=click.Choice([r.value for r in UserRole]),
    required=True,
    help="admin (users, settings), manager (cases, staff, plans) or viewer.",
)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_user(username: str, role: str, password_stdin: bool) -> None:
    """Create a user who can sign in."""
    username = username.strip()
    if not username or len(username) > 60:
        fail("the username must be 1 to 60 characters")
    if db.session.scalar(select(User).where(User.username == username)):
        fail(f"a user called {username} already exists")
    password = _read_password(password_stdin)
    _add_user(username, UserRole(role), password, actor="create-user")
    click.echo(f"Created {role} {username}.")


@click.command("set-password")
@with_appcontext
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def set_password(username: str, password_stdin: bool) -> None:
    """Choose a new password for a user."""
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        fail(f"there is no user called {username}")
    password = _read_password(password_stdin)
    set_actor(db.session, "set-password")
    user.set_password(password)
    db.session.commit()
    click.echo(f"Changed the password of {username}.")


def _read_password(from_stdin: bool) -> str:
    """A password typed at a prompt (twice) or piped in, long enough to be safe."""
    if from_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < MIN_PASSWORD_LENGTH:
        fail(f"the password must be at least {MIN_PASSWORD_LENGTH} characters")
    return password


def _add_user(username: str, role: UserRole, password: str, actor: str) -> None:
    """Store a new user with a hashed password."""
    set_actor(db.session, actor)
    user = User(username=username, role=role, active=True)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
