"""Numbers in web addresses: ids and page numbers the database can hold, or no page at all."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter, Map

# The largest id every database the planner runs on holds: a PostgreSQL INTEGER (SQLite's
# reach further). A larger one cannot name a row, and would overflow the query that looks for it.
LARGEST_ID = 2**31 - 1
DIGITS = re.compile(r"^[0-9]{1,10}$")


class DatabaseId(IntegerConverter):
    """`<int:...>` in every route: ASCII digits up to the largest id, else the page is not found."""

    regex = r"[0-9]{1,10}"

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", LARGEST_ID)
        super().__init__(map, *args, **kwargs)


def init_app(app: Flask) -> None:
    """Bound every route's `int` to the database's range, before any route is added."""
    # Replacing `int` itself, rather than adding a converter of another name, means a new
    # route cannot forget it.
    app.url_map.converters["int"] = DatabaseId


def database_id(text: str | None) -> int | None:
    """An id from a query string, if it is one a row could have."""
    if text is None or not DIGITS.match(text):
        return None
    number = int(text)
    return number if number <= LARGEST_ID else None
