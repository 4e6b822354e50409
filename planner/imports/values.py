"""Cells as the forms read them: dates as day, month and year, choices as their values."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from enum import StrEnum

from planner.domain.vocabulary import label

ISO_DATE = re.compile(r"^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})$")
UK_DATE = re.compile(r"^([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})$")
YES = frozenset({"yes", "y", "true", "1"})
NO = frozenset({"no", "n", "false", "0"})


class BadCell(ValueError):
    """A cell that cannot be what its column holds: the message says what to write instead."""


def date_parts(text: str) -> list[str]:
    """A date cell as the day, month and year a date field takes (empty for an empty cell)."""
    if not text:
        return ["", "", ""]
    iso, uk = ISO_DATE.match(text), UK_DATE.match(text)
    if iso:
        return [iso.group(3), iso.group(2), iso.group(1)]
    if uk:
        return [uk.group(1), uk.group(2), uk.group(3)]
    raise BadCell(f"Enter a date like 2026-12-03 or 3/12/2026, not {text!r}")


def one_of(words: Iterable[str]) -> str:
    """Choices in a sentence: "Low, Medium, High or Very high"."""
    listed = list(words)
    return ", ".join(listed[:-1]) + " or " + listed[-1] if len(listed) > 1 else "".join(listed)


def words_of(enum: Iterable[StrEnum]) -> str:
    """An enumeration's choices as a manager reads them (a file may hold these or the values)."""
    return one_of(label(member) for member in enum)


def choice(text: str, members: Iterable[StrEnum]) -> str:
    """A choice as its value, whether written as the value or as it reads ("Very high")."""
    options = list(members)
    wanted = text.casefold()
    for member in options:
        if wanted in (member.value.casefold(), label(member).casefold()):
            return member.value
    raise BadCell(f"{text!r} is not one of {words_of(options)}")


def yes_or_no(text: str, empty: bool) -> bool:
    """A yes or no cell (empty means `empty`)."""
    wanted = text.casefold()
    if not wanted:
        return empty
    if wanted in YES:
        return True
    if wanted in NO:
        return False
    raise BadCell(f"Enter yes or no, not {text!r}")


def items(text: str) -> list[str]:
    """The items of a cell listing several, separated by commas or semicolons."""
    return [item.strip() for item in re.split(r"[,;]", text) if item.strip()]


def shown(value: object) -> str:
    """A stored or imported value as a manager reads it in a preview: dates in words."""
    if value is None or value == "":
        return "(none)"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, date):
        return f"{value.day} {value:%B %Y}"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, StrEnum):
        return label(value)
    return str(value)
