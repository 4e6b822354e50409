"""Serves the front end installed from npm: GOV.UK Frontend, MoJ Frontend and our built CSS."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask, abort, current_app, send_from_directory
from flask.typing import ResponseReturnValue

blueprint = Blueprint("assets", __name__, url_prefix="/assets")

ONE_DAY = 24 * 3600
SERVED_SUFFIXES = frozenset({".css", ".js", ".png", ".svg", ".ico", ".json", ".woff", ".woff2"})


def init_app(app: Flask, root: Path) -> None:
    """Look for assets in the build output first, then in the npm packages."""
    govuk = root / "node_modules" / "govuk-frontend" / "dist" / "govuk"
    moj = root / "node_modules" / "@ministryofjustice" / "frontend" / "moj"
    app.config.setdefault(
        "ASSET_DIRECTORIES",
        [root / "build" / "assets", root / "assets", govuk / "assets", govuk, moj / "assets", moj],
    )
    app.register_blueprint(blueprint)


@blueprint.route("/<path:filename>")
def asset(filename: str) -> ResponseReturnValue:
    """The first file of that name in the asset directories, if it is a kind we serve."""
    if Path(filename).suffix not in SERVED_SUFFIXES:
        abort(404)
    for directory in current_app.config["ASSET_DIRECTORIES"]:
        if (Path(directory) / filename).is_file():
            return send_from_directory(directory, filename, max_age=ONE_DAY)
    abort(404)
