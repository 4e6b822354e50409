"""Today's date, as the app tells it: the real date, unless a test or a demonstration fixes it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

_source: list[Callable[[], date]] = [date.today]


def today() -> date:
    """Today, from the source the app set (the real date by default)."""
    return _source[0]()


def tell_the_date_with(source: Callable[[], date]) -> None:
    """Make `source` the one that says what day it is."""
    _source[0] = source
