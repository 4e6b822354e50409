"""Commands for the terminal: demo data, accounts, the weekly batch, alerts, the job workers."""

from __future__ import annotations

import functools
import getpass
import logging
import re
import secrets
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from optimisation import SOLVERS
from planner.admin.services import RefusedChange, add_user
from planner.admin.services import set_password as change_password
from planner.alerting.report import open_alerts, render
from planner.alerting.services import check_dates, dates_week
from planner.demo.places import SCALES
from planner.domain.clock import today
from planner.domain.vocabulary import JobStatus, UserRole, label
from planner.domain.weeks import IsoWeek
from planner.exports.command import export
from planner.extensions import db
from planner.imports.cli import import_records
from planner.jobs.queue import consume, store_name
from planner.models import Case, PlanRun, Region, User
from planner.models.access import record_view
from planner.models.auditing import set_actor
from planner.models.policy import load_policy
from planner.notifications.triggers import email_cases_changed
from planner.plans.approval import ApprovalRefused, Moves, approve
from planner.plans.batch import RunRefused, run_week
from planner.plans.lookahead import LOOK_AHEAD_SECONDS, look_ahead_here

DEMO_ACCOUNT = "demo.manager"


def init_app(app: Flask) -> None:
    """Register the commands on the app's `flask` group."""
    for command in (
        demo_data,
        demo_account,
        create_user,
        set_password,
        plan,
        alerts,
        look_ahead,
        export,
        jobs,
        import_records,
    ):
        app.cli.add_command(command)
    migrations = app.cli.commands.get("db")
    if isinstance(migrations, click.Group):
        app.cli.add_command(MigrationCommands(migrations))


def database_failure(error: SQLAlchemyError) -> None:
    """Stop with the database's failure in one line (the driver's may run to several)."""
    cause = getattr(error, "orig", None) or error
    words = " ".join(str(cause).split())
    fail(
        f"the database could not be used ({words}); check FLASK_SQLALCHEMY_DATABASE_URI "
        "and run `flask --app planner db upgrade`"
    )


def database_errors_in_words(command: Callable[..., None]) -> Callable[..., None]:
    """Turn a database failure into one readable line and a non-zero status, not a traceback."""

    @functools.wraps(command)
    def guarded(*args: Any, **kwargs: Any) -> None:
        try:
            command(*args, **kwargs)
        except SQLAlchemyError as error:
            database_failure(error)

    return guarded


class MigrationCommands(click.Group):
    """Flask-Migrate's `db` commands, with a database that cannot be reached said in one line."""

    def __init__(self, commands: click.Group) -> None:
        super().__init__(
            commands.name,
            commands=commands.commands,
            callback=commands.callback,
            params=commands.params,
            help=commands.help,
        )

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; a database failure stops it in words rather than a traceback."""
        try:
            return super().invoke(ctx)
        except SQLAlchemyError as error:
            database_failure(error)
            return None


def fail(message: str) -> None:
    """Stop with one readable line and a non-zero status."""
    raise click.ClickException(message)


@click.command("demo-data")
@with_appcontext
@database_errors_in_words
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
    summary = load_demo_data(db.session, scale, seed, start.date() if start else today())
    db.session.commit()
    click.echo(
        f"Loaded {scale} demo data (seed {seed}): {summary.regions} regions, {summary.sites} "
        f"sites, {summary.staff} staff, {summary.cases} cases, {summary.needs} needs, "
        f"{summary.allocations} allocations, {summary.exclusions} exclusions."
    )


@click.command("demo-account")
@with_appcontext
@database_errors_in_words
def demo_account() -> None:
    """Create the demo manager's account and print its password, once."""
    if db.session.scalar(select(User).where(User.username == DEMO_ACCOUNT)):
        click.echo(
            f"Sign in as {DEMO_ACCOUNT} with the password printed when the account was made "
            f"(to choose a new one: flask --app planner set-password {DEMO_ACCOUNT})."
        )
        return
    password = secrets.token_urlsafe(12)
    set_actor(db.session, "demo-account")
    # The demo manager sees every region, so that `make run` shows everything.
    _refused_in_words(
        lambda: add_user(db.session, DEMO_ACCOUNT, UserRole.MANAGER, password, True, set())
    )
    regional = _regional_demo_managers()
    db.session.commit()
    click.echo(f"Demo account: sign in as {DEMO_ACCOUNT} with password {password}")
    for username, region, other in regional:
        click.echo(f"Regional demo manager: {username}, who sees {region} only, password {other}")
    click.echo("These passwords are shown once only.")


def _regional_demo_managers() -> list[tuple[str, str, str]]:
    """A manager for each of the first two demo regions, to show need-to-know in a walk-through."""
    made = []
    regions = db.session.scalars(select(Region).order_by(Region.id).limit(2)).all()
    for region in regions:
        username = "demo." + re.sub(r"[^a-z0-9]+", "-", region.name.lower()).strip("-")
        password = secrets.token_urlsafe(12)
        add_user(db.session, username, UserRole.MANAGER, password, False, {region.id})
        made.append((username, region.name, password))
    return made


@click.command("create-user")
@with_appcontext
@database_errors_in_words
@click.argument("username")
@click.option(
    "--role",
    type=click.Choice([r.value for r in UserRole]),
    required=True,
    help="admin (users, settings), manager (cases, staff, plans) or viewer.",
)
@click.option("--national", is_flag=True, help="The user sees every region.")
@click.option("--region", "regions", multiple=True, help="A region the user sees (repeatable).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_user(
    username: str, role: str, national: bool, regions: tuple[str, ...], password_stdin: bool
) -> None:
    """Create a user who can sign in."""
    username = username.strip()
    if not username or len(username) > 60:
        fail("the username must be 1 to 60 characters")
    if db.session.scalar(select(User).where(User.username == username)):
        fail(f"a user called {username} already exists")
    region_ids = _region_ids(regions)
    if not national and not region_ids:
        fail("give the user --national or one or more --region NAME: what they may see")
    password = _read_password(password_stdin)
    set_actor(db.session, "create-user")
    _refused_in_words(
        lambda: add_user(db.session, username, UserRole(role), password, national, region_ids)
    )
    db.session.commit()
    click.echo(f"Created {role} {username}.")


def _region_ids(names: tuple[str, ...]) -> set[int]:
    """The ids of regions named on the command line; an unknown name is an error."""
    found = {}
    for name in names:
        region = db.session.scalar(select(Region).where(func.lower(Region.name) == name.lower()))
        if region is None:
            fail(f"there is no region called {name}")
        found[name] = region.id
    return set(found.values())


@click.command("set-password")
@with_appcontext
@database_errors_in_words
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def set_password(username: str, password_stdin: bool) -> None:
    """Choose a new password for a user."""
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        fail(f"there is no user called {username}")
    password = _read_password(password_stdin)
    set_actor(db.session, "set-password")
    _refused_in_words(lambda: change_password(user, password))
    db.session.commit()
    click.echo(f"Changed the password of {username}.")


def _read_password(from_stdin: bool) -> str:
    """A password typed at a prompt (twice) or piped in."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


def _refused_in_words(change: Callable[[], object]) -> None:
    """Make a change to an account; if the rules refuse it, stop and say why, as the pages do."""
    try:
        change()
    except RefusedChange as refusal:
        fail(refusal.message[:1].lower() + refusal.message[1:])


def _week(_context: click.Context, _parameter: click.Parameter, value: str | None) -> IsoWeek:
    """The week asked for, or the coming one."""
    if value is None:
        return IsoWeek.containing(today()).plus(1)
    try:
        return IsoWeek.parse(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


@click.command("plan")
@with_appcontext
@database_errors_in_words
@click.option(
    "--week", callback=_week, help="The ISO week to plan, like 2026-W49 (default: next week)."
)
@click.option("--solver", type=click.Choice(SOLVERS), default="highs", show_default=True)
@click.option(
    "--time-limit", type=click.FloatRange(1, 3600), help="Seconds (default: the policy's)."
)
@click.option(
    "--approve", "approve_now", is_flag=True, help="Approve the plan as soon as it is made."
)
@click.option(
    "--save-json",
    type=click.Path(file_okay=False, writable=True, path_type=Path),
    help="Also write the run's problem.json and plan.json into this folder.",
)
def plan(
    week: IsoWeek, solver: str, time_limit: float | None, approve_now: bool, save_json: Path | None
) -> None:
    """Plan a week's allocation: snapshot the caseload, solve, store the run, print a summary."""
    actor = f"cli:{getpass.getuser()}"
    try:
        run = run_week(db.session, week, solver, time_limit, None, actor)
    except RunRefused as refusal:
        fail(str(refusal))
    if not run.finished:
        fail(f"plan run {run.id} for {run.week} {run.status.value}: {run.message}")
    for line in describe_run(run):
        click.echo(line)
    if save_json is not None:
        save_json.mkdir(parents=True, exist_ok=True)
        (save_json / "problem.json").write_text(run.problem_json or "")
        (save_json / "plan.json").write_text(run.plan_json or "")
        record_view(db.session, actor, None, "export", f"plan run {run.id}",
                    f"Exported the problem and plan of plan run {run.id} as JSON")  # fmt: skip
        db.session.commit()
        click.echo(f"Wrote {save_json / 'problem.json'} and {save_json / 'plan.json'}.")
    if approve_now:
        moves = Moves()
        try:
            changes = approve(db.session, run, None, actor, moves=moves)
        except ApprovalRefused as refusal:
            fail(str(refusal))
        db.session.commit()
        email_cases_changed(db.session, run, moves.gained, moves.lost)
        click.echo(f"Approved: {changes} allocations changed from {run.week}.")


def share(coverage: float, bound: float) -> str:
    """Coverage as a share of the best proven possible (all of it, when nothing was possible)."""
    return f"{coverage / bound:.2%}" if bound else "100.00%"


def describe_run(run: PlanRun) -> list[str]:
    """A run's summary in a few lines."""
    summary = run.summary or {}
    proven = share(run.coverage or 0.0, run.bound or 0.0)
    risks = ", ".join(
        f"{label(name).lower()} {counts['covered']}/{counts['needs']}"
        for name, counts in summary.get("by_risk", {}).items()
    )
    proof = "proven the best possible" if run.optimal else "the best found"
    lines = [
        f"Plan run {run.id} for {run.week}: {proof} ({run.solver.upper()}, "
        f"{summary.get('timings', {}).get('total', 0):.1f} s); coverage {run.coverage:,.0f} "
        f"of a proven possible {run.bound:,.0f} ({proven})",
        f"Needs covered by risk: {risks}",
        f"Uncovered: {summary.get('uncovered', 0)}. People over the safe workload: "
        f"{summary.get('over_safe_workload', 0)}. Moves: {summary.get('moves', 0)}, new: "
        f"{summary.get('new', 0)}, left without a holder: {summary.get('dropped', 0)}.",
    ]
    lines += [f"Warning: {warning}" for warning in summary.get("warnings", [])[:10]]
    return lines


@click.command("alerts")
@with_appcontext
@database_errors_in_words
@click.option(
    "--week",
    callback=lambda context, parameter, value: value and _week(context, parameter, value),
    help="The ISO week the dates are checked for (default: the latest run's, or this week).",
)
@click.option(
    "--format",
    "form",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
)
def alerts(week: IsoWeek | None, form: str) -> None:
    """Check the dates again, then list every open alert, worst first (for the weekly email)."""
    actor = f"cli:{getpass.getuser()}"
    set_actor(db.session, actor)
    check_dates(db.session, week or dates_week(db.session), load_policy(db.session))
    report = render(open_alerts(db.session), form)
    record_view(db.session, actor, None, "export", "open alerts",
                f"Exported the open alerts as {form}")  # fmt: skip
    db.session.commit()
    click.echo(report)


@click.command("look-ahead")
@with_appcontext
@database_errors_in_words
@click.option("--from", "first", callback=_week, help="The first week (default: next week).")
@click.option("--weeks", type=click.IntRange(1, 26), default=12, show_default=True)
@click.option("--solver", type=click.Choice(SOLVERS), default="highs", show_default=True)
@click.option(
    "--time-limit",
    type=click.FloatRange(1, 600),
    default=LOOK_AHEAD_SECONDS,
    show_default=True,
    help="Seconds for each week.",
)
def look_ahead(first: IsoWeek, weeks: int, solver: str, time_limit: float) -> None:
    """Plan the coming weeks in turn without approving anything, and say where gaps fall."""
    actor = f"cli:{getpass.getuser()}"
    try:
        forecast = look_ahead_here(db.session, first, weeks, solver, time_limit, actor)
    except RunRefused as refusal:
        fail(str(refusal))
    if forecast.status != JobStatus.FINISHED:
        fail(f"look-ahead {forecast.id} {forecast.status.value}: {forecast.message}")
    for week in forecast.results or []:
        risks = week["by_risk"]
        gaps = {risk: risks[risk]["needs"] - risks[risk]["covered"] for risk in risks}
        click.echo(
            f"{week['week']}: {week['uncovered']} needs uncovered ({gaps['very_high']} very high, "
            f"{gaps['high']} high); coverage {share(week['coverage'], week['bound'])} of the "
            f"proven best ({'proven best' if week['optimal'] else 'not proven best'})"
        )


@click.group("jobs")
def jobs() -> None:
    """The job workers that do the long work: plan runs, look-aheads, what-ifs, staffing asks."""


@jobs.command("worker")
@with_appcontext
@click.option(
    "--threads",
    type=click.IntRange(1, 32),
    default=2,
    show_default=True,
    help="Jobs this worker does at once.",
)
@click.option(
    "--schedule/--no-schedule",
    default=True,
    show_default=True,
    help="Also run the schedule (the weekly plan): give it to one worker only.",
)
def jobs_worker(threads: int, schedule: bool) -> None:
    """Take jobs from the queue and do them until stopped (Ctrl+C or SIGTERM)."""
    app = current_app._get_current_object()
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    click.echo(
        f"Job worker: {threads} at once, from {store_name(app.config['JOBS_URL'])}; schedule "
        f"{'on' if schedule else 'off'}. Ctrl+C to stop."
    )
    consume(app, threads, schedule)
