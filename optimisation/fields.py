"""JSON objects read field by field, every problem found collected with where it is."""

from __future__ import annotations

import json
import math
import re
from typing import Any

from optimisation.problem import ProblemError

MISSING = object()
# Hours a week: to a tenth at most (a subnormal like 1e-320 once failed a whole region's solve),
# and no more than a week holds.
# The planner sends hours to the hundredth (a share of other work, a horizon's average).
MIN_HOURS = 0.01
MAX_HOURS = 168.0
# Beyond any weight, capacity or time a problem means, and within what a solver computes with.
MAX_NUMBER = 1e9
MAX_INTEGER = 2**31 - 1
# Control characters (C0, DEL, C1) and the bidi embeddings, overrides and isolates.
HIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def parse_json(text: str) -> object:
    """Parse JSON text, turning a syntax error into a ProblemError naming line and column."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ProblemError(
            [f"line {error.lineno} column {error.colno}: not valid JSON ({error.msg})"]
        ) from None
    except RecursionError:
        raise ProblemError(["top level: nested too deeply to read"]) from None
    except ValueError as error:
        # An integer of thousands of digits: Python refuses to read it.
        raise ProblemError([f"not valid JSON ({error})"]) from None


def _shown(value: object) -> str:
    """A value as the person wrote it in JSON, shortened."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_INTEGER:
        return "a number too large to use"
    try:
        text = json.dumps(value) if not isinstance(value, str) else ascii(value)
    except (TypeError, ValueError, RecursionError):
        text = type(value).__name__
    return text if len(text) <= 40 else text[:37] + "..."


class Fields:
    """The fields of one JSON object at `path`, read one by one; problems go to a shared list."""

    def __init__(
        self, data: object, path: str, problems: list[str], allowed: tuple[str, ...]
    ) -> None:
        """Check the value is an object and has only allowed fields."""
        self.path = path
        self.problems = problems
        self.ok = isinstance(data, dict)
        self.data: dict[str, Any] = data if isinstance(data, dict) else {}
        if not self.ok and data is not MISSING:
            problems.append(f"{path or 'top level'}: must be an object, not {_shown(data)}")
        for name in self.data:
            if name not in allowed:
                problems.append(f"{self.where(name)}: unknown field")

    def where(self, name: str | int) -> str:
        """The location of a field or list item below this object."""
        if isinstance(name, int):
            return f"{self.path}[{name}]"
        return f"{self.path}.{name}" if self.path else name

    def raw(self, name: str, default: object = MISSING) -> object:
        """The field's value, or `default`; a missing required field is a problem."""
        value = self.data.get(name, MISSING)
        if value is MISSING or (value is None and default is not MISSING):
            if default is MISSING and self.ok:
                self.problems.append(f"{self.where(name)}: missing (required)")
            return default
        return value

    def _complain(self, name: str, what: str, value: object) -> None:
        """Record that a field's value is of the wrong kind."""
        self.problems.append(f"{self.where(name)}: must be {what}, not {_shown(value)}")

    def text(self, name: str, default: object = MISSING) -> Any:
        """A non-empty string field."""
        value = self.raw(name, default)
        if value is default:
            return value
        if not isinstance(value, str) or not value.strip():
            self._complain(name, "a non-empty string", value)
            return None
        if HIDDEN.search(value):
            self._complain(name, "text without control or text direction characters", value)
            return None
        return value

    def number(
        self,
        name: str,
        default: object = MISSING,
        minimum: float = 0.0,
        maximum: float = MAX_NUMBER,
    ) -> Any:
        """A finite number field, from `minimum` to `maximum`."""
        value = self.raw(name, default)
        if value is default:
            return value
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not -MAX_NUMBER <= value <= MAX_NUMBER
            or not math.isfinite(value)
        ):
            self._complain(name, "a number", value)
            return None
        if value < minimum:
            self.problems.append(f"{self.where(name)}: must be ≥ {minimum:g}")
            return None
        if value > maximum:
            self.problems.append(f"{self.where(name)}: must be ≤ {maximum:g}")
            return None
        return float(value)

    def hours(self, name: str, default: object = MISSING, allow_zero: bool = True) -> Any:
        """Hours a week: 0 (none, where allowed), or from 0.01 to the 168 hours of a week."""
        value = self.number(name, default, maximum=MAX_HOURS)
        if value is default or value is None:
            return value
        if value == 0 and allow_zero:
            return 0.0  # never -0.0
        if value < MIN_HOURS:
            low = f"0, or between {MIN_HOURS:g}" if allow_zero else f"between {MIN_HOURS:g}"
            self.problems.append(
                f"{self.where(name)}: must be {low} and {MAX_HOURS:g} hours a week, "
                f"not {_shown(value)}"
            )
            return None
        return value

    def integer(self, name: str, default: object = MISSING) -> Any:
        """A whole number field, at least 0."""
        value = self.raw(name, default)
        if value is default:
            return value
        if isinstance(value, bool) or not isinstance(value, int):
            self._complain(name, "a whole number", value)
            return None
        if value < 0:
            self.problems.append(f"{self.where(name)}: must be ≥ 0")
            return None
        if value > MAX_INTEGER:
            self.problems.append(f"{self.where(name)}: must be ≤ {MAX_INTEGER}")
            return None
        return value

    def flag(self, name: str, default: object = MISSING) -> Any:
        """A true/false field."""
        value = self.raw(name, default)
        if value is not default and not isinstance(value, bool):
            self._complain(name, "true or false", value)
            return None
        return value

    def items(self, name: str, default: object = MISSING) -> list[tuple[str, object]]:
        """A list field, as (location, item) pairs; an absent optional list is empty."""
        value = self.raw(name, default)
        if value is MISSING or value is default:
            return []
        if not isinstance(value, list):
            self._complain(name, "a list", value)
            return []
        return [(f"{self.where(name)}[{i}]", item) for i, item in enumerate(value)]

    def texts(self, name: str, default: object = MISSING, distinct: bool = False) -> Any:
        """A list of non-empty strings (no repeats when `distinct`); `default` when absent."""
        if self.raw(name, default) is default:
            return default
        found: list[str] = []
        for where, item in self.items(name):
            if not isinstance(item, str) or not item.strip():
                self.problems.append(f"{where}: must be a non-empty string, not {_shown(item)}")
            elif HIDDEN.search(item):
                self.problems.append(
                    f"{where}: must be text without control or text direction characters, "
                    f"not {_shown(item)}"
                )
            elif distinct and item in found:
                self.problems.append(f"{where}: {item!r} is listed twice")
            else:
                found.append(item)
        return tuple(found)

    def choice(
        self, name: str, options: tuple[str, ...], kind: str, default: object = MISSING
    ) -> Any:
        """A string that must be one of `options`."""
        value = self.text(name, default)
        if value is default or value is None:
            return value
        if value not in options:
            self.problems.append(
                f"{self.where(name)}: unknown {kind} {value!r} (expected one of "
                f"{', '.join(options)})"
            )
            return None
        return value
