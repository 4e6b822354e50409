"""`flask --app planner export KIND`: a list as CSV, XLSX or JSON, to standard output or a file."""

from __future__ import annotations

import getpass
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.datastructures import MultiDict

from planner.domain.reach import Reach
from planner.exports.audit import record_export
from planner.exports.kinds import EXPORTS
from planner.exports.options import ExportRefused, Options
from planner.extensions import db
from planner.web.spreadsheets import FileFormat, write

# The filters a command may narrow an export by, as the pages' query strings name them.
FILTERS = {
    "run": "The plan run (a run's plan, changes, uncovered, unchanged, workloads, staffing ask).",
    "region": "A region, by name.",
    "site": "A site, by code.",
    "setting": "custody or community (the allocation).",
    "rosh": "A risk of serious harm: low, medium, high, very high.",
    "cohort": "A cohort (the allocation).",
    "mappa_level": "A MAPPA level, 1 to 3 (the allocation).",
    "covered": "yes (every need held) or no (a need with nobody) (the allocation).",
    "severity": "critical, warning or info (the alerts).",
    "kind": "A kind of alert, or of change in a run's review.",
    "status": "open, acknowledged or closed (the alerts).",
    "role": "probation (COMs) or prison (POMs) (the staff).",
    "grade": "PSO, PQiP, PO or SPO (the staff).",
    "search": "Words of a name, or a staff ID (the staff).",
    "person": "Words of a practitioner's name, or their staff ID (a run's review).",
    "sort": "The column the list's page sorts by.",
    "direction": "asc or desc.",
}
FLAGS = {
    "over": "Only people over 100% (the staff).",
    "inactive": "Include people who are not active (the staff).",
}


def _options(command: click.Command) -> click.Command:
    """Give the command an option for each filter."""
    for name, words in reversed(FILTERS.items()):
        command = click.option(f"--{name.replace('_', '-')}", name, help=words)(command)
    for name, words in FLAGS.items():
        command = click.option(f"--{name}", name, is_flag=True, help=words)(command)
    return command


@click.command("export")
@with_appcontext
# Named apart from the --kind filter (of alerts and of changes), which shares its word.
@click.argument("list_name", metavar="KIND")
@click.option(
    "--format", "file_format", default="csv", show_default=True, help="csv, xlsx or json."
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="The file to write (default: standard output).",
)
@_options
def export(
    list_name: str, file_format: str, output: Path | None, **filters: str | bool | None
) -> None:
    """Export a list (allocation, staff, alerts, plan, changes, uncovered, unchanged, workloads,
    staffing-ask, look-ahead) with the filters its page has, audited."""
    found = EXPORTS.get(list_name)
    if found is None:
        raise click.ClickException(
            f"there is no export {list_name!r}: choose from {', '.join(EXPORTS)}"
        )
    try:
        chosen = FileFormat(file_format.lower())
    except ValueError:
        raise click.ClickException(
            f"--format cannot be {file_format!r}: choose from csv, xlsx, json"
        ) from None
    given = {
        name: "yes" if value is True else str(value)
        for name, value in filters.items()
        if value not in (None, False, "")
    }
    taken = [name for name in given if name not in found.options]
    if taken:
        accepted = ", ".join("--" + name.replace("_", "-") for name in found.options) or "none"
        flag = "--" + taken[0].replace("_", "-")
        raise click.ClickException(
            f"the {list_name} export takes no {flag} (its options: {accepted})"
        )
    actor = f"cli:{getpass.getuser()}"
    try:
        sheet = found.build(Reach.everything(), Options(MultiDict(given), strict=True))
        data = write(sheet, chosen)
        record_export(db.session, actor, None, list_name, sheet, chosen, given)
        # Nothing leaves unaudited: a file is kept only once its line is, and standard output
        # (which cannot be taken back) is written only after.
        if output is None:
            db.session.commit()
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
        else:
            _write(data, output)
            db.session.commit()
    except ExportRefused as refusal:
        raise click.ClickException(str(refusal)) from None
    except SQLAlchemyError as error:
        if output is not None:
            output.unlink(missing_ok=True)
        cause = " ".join(str(getattr(error, "orig", None) or error).split())
        raise click.ClickException(f"the database could not be used ({cause})") from None
    if output is not None:
        count = len(sheet.rows)
        click.echo(f"Wrote {count} row{'' if count == 1 else 's'} of {found.title} to {output}.")


def _write(data: bytes, output: Path) -> None:
    """The file written where asked."""
    try:
        output.write_bytes(data)
    except OSError as error:
        raise click.ClickException(f"{output} could not be written: {error.strerror}") from None
