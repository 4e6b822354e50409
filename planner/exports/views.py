"""Downloads: each list's export at /exports/KIND, with its page's query string and a format."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from flask import Blueprint, abort, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from planner.domain.clock import today
from planner.exports.audit import record_export
from planner.exports.kinds import EXPORTS, ExportKind
from planner.exports.options import ExportRefused, Options
from planner.extensions import db
from planner.web.reach import current_reach
from planner.web.spreadsheets import DOWNLOADS, FileFormat, download, file_name

blueprint = Blueprint("exports", __name__, url_prefix="/exports")


def endpoint_of(kind: str) -> str:
    """The endpoint of a kind's download ("staffing-ask" is exports.staffing_ask)."""
    return kind.replace("-", "_")


def _download(kind_name: str, kind: ExportKind) -> ResponseReturnValue:
    """The list as a file, as its page lists it for the user; its download audited."""
    try:
        file_format = FileFormat(request.args.get("format", ""))
    except ValueError:
        abort(404)
    reach = current_reach()
    if file_format not in DOWNLOADS or (kind.national and not reach.national):
        abort(404)
    options = Options(request.args)
    try:
        sheet = kind.build(reach, options)
    except ExportRefused:
        # A run or an answer that is not there: as its page would be.
        abort(404)
    record_export(db.session, current_user.username, current_user.id, kind_name, sheet,
                  file_format, options.given(kind.options))  # fmt: skip
    db.session.commit()
    return download(sheet, file_format, file_name(_stem(sheet.title), today()))


def _stem(title: str) -> str:
    """A file's name from a sheet's title: "Run 3 changes" is run-3-changes."""
    return "-".join("".join(c if c.isalnum() else " " for c in title.lower()).split())


def _view(kind_name: str, kind: ExportKind) -> Callable[[], ResponseReturnValue]:
    """A view function of its own for each kind, so that each has an endpoint to walk."""

    def view() -> ResponseReturnValue:
        """The kind's file."""
        return _download(kind_name, kind)

    view.__doc__ = f"Download {kind.title}."
    return view


for _name, _kind in EXPORTS.items():
    blueprint.add_url_rule(f"/{_name}", endpoint_of(_name), _view(_name, _kind))


@blueprint.app_template_global()
def download_url(kind: str, file_format: str, **options: object) -> str:
    """This page's download as a file: its query string (not its page number), its options."""
    args = request.args.to_dict(flat=False)
    args.pop("page", None)
    args.update({name: [str(value)] for name, value in options.items()})
    args["format"] = [file_format]
    return url_for(f"exports.{endpoint_of(kind)}") + "?" + urlencode(args, doseq=True)
