"""What an export is narrowed to: a page's query string, or the command line's options."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from werkzeug.datastructures import MultiDict

from planner.web.listing import DIRECTIONS

# What a checkbox sends that means "no".
NOT_TICKED = frozenset({"", "false", "0", "no", "off"})
# As much of an option's text as its audit line keeps (a search is a few words).
TEXT_KEPT = 120


class ExportRefused(ValueError):
    """An export that cannot be made as asked, in words a person can act on."""


@dataclass(frozen=True)
class Options:
    """The options of an export. From a page they read as its filters do (a value not offered is
    ignored); from the command line (strict) such a value is refused, saying what is offered."""

    values: MultiDict[str, str] = field(default_factory=MultiDict)
    strict: bool = False

    def text(self, name: str) -> str:
        """An option's text, trimmed ("" when not given)."""
        return (self.values.get(name) or "").strip()

    def flag(self, name: str) -> bool:
        """Whether a yes-or-no option is set."""
        return self.text(name).lower() not in NOT_TICKED

    def pick(self, name: str, offered: Iterable[tuple[str, str]]) -> str:
        """The offered value an option names, or "". A page's filter is its value; a command's
        may be its words too, in any case ("very high", "london")."""
        text = self.text(name)
        if not text:
            return ""
        pairs = [(value, words) for value, words in offered if value]
        for value, words in pairs:
            if text == value:
                return value
            if self.strict and text.casefold() in (value.casefold(), words.casefold()):
                return value
        if self.strict:
            listed = ", ".join(words for _, words in pairs) or "nothing"
            raise ExportRefused(f"--{_flag(name)} cannot be {text!r}: choose from {listed}")
        return ""

    def sorting(self, keys: Iterable[str]) -> MultiDict[str, str]:
        """The sort asked for, as a list page reads it (a page answers an unknown sort itself)."""
        sort, direction = self.text("sort"), self.text("direction")
        if self.strict:
            allowed = list(keys)
            if sort and sort not in allowed:
                raise ExportRefused(f"--sort cannot be {sort!r}: choose from {', '.join(allowed)}")
            if direction and direction not in DIRECTIONS:
                raise ExportRefused(f"--direction cannot be {direction!r}: choose from asc, desc")
        chosen = {"sort": sort, "direction": direction}
        return MultiDict({name: value for name, value in chosen.items() if value})

    def given(self, names: Iterable[str]) -> dict[str, str]:
        """Those of the named options that are set, to record with the export (anything else a
        query string carries is no option of it, and is not kept)."""
        wanted = set(names)
        return {
            name: value[:TEXT_KEPT]
            for name, value in self.values.items()
            if value and name in wanted
        }


class Choice(Protocol):
    """An option of a select: its value and its words."""

    value: str
    label: str


def choices_of(offered: Iterable[Choice]) -> list[tuple[str, str]]:
    """A select's options as (value, words) pairs."""
    return [(str(choice.value), str(choice.label)) for choice in offered]


def _flag(name: str) -> str:
    """An option's name as the command line spells it."""
    return name.replace("_", "-")
