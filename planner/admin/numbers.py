"""One number of the policy as a person edits it: its words, its range, its unit, its form field."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from govuk_frontend_wtf.wtforms_widgets import GovTextInput
from wtforms import StringField
from wtforms.validators import ValidationError

from planner.web.forms import MIN_HOURS

# A setting's address inside the policy: its name, then a key or position inside its value.
Path = tuple[str | int, ...]

THOUSANDS = re.compile(r"^-?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?$")
# A number as people type it: digits, perhaps a point and more digits. No exponent (1e-320),
# no nan or inf, no digits of other scripts, nothing long enough to be a slip of the paste.
DECIMAL = re.compile(r"^-?([0-9]{1,10}(\.[0-9]{1,10})?|\.[0-9]{1,10})$")

# How a number reads after its value on the settings page, by unit.
UNIT_WORDS = {
    "hours": ("hour", "hours"),
    "weeks": ("week", "weeks"),
    "months": ("month", "months"),
    "days": ("day", "days"),
    "minutes": ("minute", "minutes"),
    "seconds": ("second", "seconds"),
    "points": ("point", "points"),
}


def plain(value: float) -> str:
    """A number without trailing zeros or float noise: 1.5, 37, 0.01."""
    return f"{round(value, 8):.10g}"


@dataclass(frozen=True)
class Number:
    """How one number of the policy is typed, checked, stored and shown."""

    path: Path
    label: str
    noun: str
    example: str
    minimum: float
    maximum: float
    unit: str = ""
    whole: bool = False
    required: bool = True
    hint: str = ""
    # Numbers side by side under one question share a legend (a table's entries, months and days).
    legend: str = ""

    @staticmethod
    def field_name_of(path: Path) -> str:
        """The form field's name and the page's id for a number, like risk_weights__high."""
        return "__".join(str(part) for part in path)

    @property
    def field_name(self) -> str:
        """The form field's name and the page's id for this number."""
        return self.field_name_of(self.path)

    @property
    def sentence_noun(self) -> str:
        """The noun at the start of a sentence."""
        return self.noun[0].upper() + self.noun[1:]

    def bound(self, value: float) -> str:
        """A limit as the range message says it."""
        if self.unit == "%":
            return f"{plain(value)}%"
        return f"{int(value):,}" if self.whole else plain(value)

    def parse(self, text: str) -> float | None:
        """The typed text as a number in range, or a ValueError saying what to type."""
        if not text:
            if self.required:
                raise ValueError(f"Enter {self.noun}, like {self.example}")
            return None
        text = text.removesuffix("%").strip()
        # Commas only as thousands separators: "1,5" is a slip, not fifteen.
        if THOUSANDS.match(text):
            text = text.replace(",", "")
        if not DECIMAL.match(text):
            raise ValueError(f"{self.sentence_noun} must be a number, like {self.example}")
        value = float(text)
        if self.whole and not value.is_integer():
            raise ValueError(f"{self.sentence_noun} must be a whole number, like {self.example}")
        # "-0" is below every range too: no setting is negative.
        if text.startswith("-") or not self.minimum <= value <= self.maximum:
            raise ValueError(f"{self.sentence_noun} must be {self.range_words()}")
        if self.unit == "hours" and 0 < value < MIN_HOURS:
            # Hours are to a tenth at most, as in every other hours box.
            raise ValueError(f"{self.sentence_noun} must be {self.range_words()}")
        return int(value) if self.whole else value

    def range_words(self) -> str:
        """The numbers allowed, in words: "between 1 and 5", or "0, or between 0.1 and 40"."""
        if self.unit == "hours" and self.minimum < MIN_HOURS:
            low = max(self.minimum, MIN_HOURS)
            return f"0, or between {self.bound(low)} and {self.bound(self.maximum)}"
        return f"between {self.bound(self.minimum)} and {self.bound(self.maximum)}"

    def to_stored(self, value: float | None) -> float | None:
        """A typed number as the policy holds it (a percentage as a share)."""
        if value is None or self.unit != "%":
            return value
        return round(value / 100, 10)

    def to_typed(self, stored: Any) -> str:
        """A stored value as it appears in the box to change it."""
        if stored is None:
            return ""
        return plain(stored * 100) if self.unit == "%" else plain(stored)

    def show(self, stored: Any) -> str:
        """A stored value as the settings page shows it: 110%, × 1.5, 2,176 points."""
        if stored is None:
            return "None"
        if self.unit == "%":
            return f"{plain(stored * 100)}%"
        if self.unit == "×":
            return f"× {plain(stored)}"
        text = f"{stored:,}" if self.whole else plain(stored)
        if self.unit in UNIT_WORDS:
            one, many = UNIT_WORDS[self.unit]
            return f"{text} {one if stored == 1 else many}"
        return text


def dig(value: Any, parts: Path) -> Any:
    """The part of a setting's value at a key or position (None where there is none)."""
    for part in parts:
        if isinstance(value, list):
            value = value[part] if isinstance(part, int) and part < len(value) else None
        elif isinstance(value, dict):
            value = value.get(part)
        else:
            return None
    return value


class NumberField(StringField):
    """A box for one number of the policy: what was typed is kept, the number checked."""

    widget = GovTextInput()

    def __init__(self, label: str, *, number: Number, **kwargs: Any) -> None:
        super().__init__(label, description=number.hint, **kwargs)
        self.number = number
        self.value: float | None = None

    def process_formdata(self, valuelist: list[str]) -> None:
        """Keep the text as typed; it becomes a number in pre_validate."""
        self.raw_data = valuelist
        self.data = valuelist[0].strip() if valuelist else ""

    def pre_validate(self, form: Any) -> None:
        """Turn the text into a number in range, or say what to type."""
        try:
            self.value = self.number.parse(self.data or "")
        except ValueError as error:
            raise ValidationError(str(error)) from None

    @property
    def params(self) -> dict[str, Any]:
        """How GOV.UK Frontend draws the box: narrow, numeric keyboard, the unit beside it."""
        params: dict[str, Any] = {
            "classes": "govuk-input--width-5",
            "inputmode": "numeric" if self.number.whole else "decimal",
            "spellcheck": False,
        }
        if self.number.unit == "×":
            params["prefix"] = {"text": "×"}
        elif self.number.unit:
            params["suffix"] = {"text": self.number.unit}
        return params
