"""`flask import KIND FILE`: a spreadsheet of records in from the terminal (a nightly extract)."""

from __future__ import annotations

import getpass
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from planner.domain.clock import today
from planner.domain.reach import Reach
from planner.domain.vocabulary import UserRole
from planner.extensions import db
from planner.imports.applying import apply_import
from planner.imports.columns import ImportKind
from planner.imports.reading import FileRefused, too_large
from planner.imports.services import Limits, prepare
from planner.models import User
from planner.models.auditing import set_actor
from planner.models.policy import load_policy
from planner.web.reach import reach_of


@click.command("import")
@with_appcontext
@click.argument("kind", type=click.Choice([kind.value for kind in ImportKind]))
@click.argument("path", metavar="FILE", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--dry-run", is_flag=True, help="Check the file and say what it would do; save nothing."
)
@click.option(
    "--as",
    "username",
    metavar="USERNAME",
    help="Import as this manager, changing only the regions they see (default: every region, "
    "as a nightly extract of the whole service does).",
)
def import_records(kind: str, path: Path, dry_run: bool, username: str | None) -> None:
    """Import staff, cases, absences, reductions or needs from CSV or XLSX, all or nothing."""
    try:
        _import(ImportKind(kind), path, dry_run, username)
    except SQLAlchemyError as error:
        cause = " ".join(str(getattr(error, "orig", None) or error).split())
        raise click.ClickException(f"the database could not be used ({cause})") from None


def _import(kind: ImportKind, path: Path, dry_run: bool, username: str | None) -> None:
    """Check the whole file, then save it (unless a dry run); one line per problem if any."""
    reach, actor, user_id = _who(username)
    set_actor(db.session, actor)
    config = current_app.config
    limits = Limits(config["IMPORT_MAX_BYTES"], config["IMPORT_MAX_ROWS"])
    try:
        if path.stat().st_size > limits.max_bytes:
            raise FileRefused(too_large(limits.max_bytes))
        content = path.read_bytes()
        policy = load_policy(db.session)
        prepared = prepare(db.session, kind, content, path.name, reach, policy, limits)
    except OSError as error:
        raise click.ClickException(f"{path}: {error.strerror or error}") from None
    except FileRefused as refusal:
        raise click.ClickException(f"{path.name}: {refusal}") from None
    if prepared.problems or prepared.plan is None:
        for problem in prepared.problems:
            click.echo(problem.line(), err=True)
        count = len(prepared.problems)
        raise click.ClickException(
            f"{path.name}: {count:,} problem{'' if count == 1 else 's'}; nothing was imported"
        )
    if dry_run:
        click.echo(
            f"Dry run of {kind} from {path.name}: {prepared.plan.in_words()} (nothing saved)"
        )
        return
    apply_import(db.session, prepared, policy, today(), actor, user_id)
    db.session.commit()
    click.echo(f"Imported {kind} from {path.name}: {prepared.plan.in_words()}")


def _who(username: str | None) -> tuple[Reach, str, int | None]:
    """Whose regions the import may change, and who the audit log names."""
    if username is None:
        return Reach.everything(), f"cli:{getpass.getuser()}", None
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None or not user.active or not user.can(UserRole.MANAGER):
        raise click.ClickException(f"{username} is not an active manager's username")
    return reach_of(db.session, user), user.username, user.id
