"""Form fields shared by every area, with GOV.UK widgets and GOV.UK error wording."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date
from enum import StrEnum
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovDateInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    Field,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    InputRequired,
    Length,
    Optional,
    Regexp,
    StopValidation,
    ValidationError,
)
from wtforms.widgets import TextArea

from planner.domain.vocabulary import label
from planner.web.text import hidden_character, hidden_message, tidy

# Hours a week are typed to a tenth at most: anything smaller is a slip (or an attack: 1e-320
# once stopped a whole region's plan). Plain decimals only, with no sign or exponent.
MIN_HOURS = 0.1
WHOLE_NUMBER = re.compile(r"^[0-9]{1,9}$")
HOURS_TEXT = re.compile(r"^[0-9]{1,4}(\.[0-9]{1,10})?$|^\.[0-9]{1,10}$")

# An email address as GOV.UK's pattern checks one: something, an @, a domain with a dot.
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def is_multiline(field: Any) -> bool:
    """Whether a text field is drawn as a box of several lines (a textarea)."""
    return isinstance(field, TextAreaField) or isinstance(field.widget, TextArea)


class NoHiddenCharacters:
    """Refuse text holding control or text-direction characters, before any other check."""

    def __call__(self, form: Any, field: Any) -> None:
        """Stop at the first check with a message naming the field."""
        if hidden_character(field.data, multiline=is_multiline(field)):
            raise StopValidation(hidden_message(field.label.text))


class PlannerMeta:
    """How every planner form binds its fields: each text box tidied and checked alike."""

    def bind_field(self, form: Any, unbound_field: Any, options: dict[str, Any]) -> Any:
        """Give every text field (not passwords, which are never changed) the shared rules."""
        field_class = unbound_field.field_class
        if issubclass(field_class, StringField) and not issubclass(field_class, PasswordField):
            kwargs = unbound_field.kwargs
            options = {
                **options,
                "filters": [tidy, *kwargs.get("filters", ())],
                "validators": [NoHiddenCharacters(), *(kwargs.get("validators") or ())],
            }
        return unbound_field.bind(form=form, **options)


class PlannerForm(FlaskForm):
    """The base of every form of the planner: text is tidied and hidden characters refused."""

    class Meta(PlannerMeta):
        """FlaskForm's own Meta (CSRF), with the planner's binding of fields."""


VERSION = re.compile(r"[0-9]{1,9}")


def strip(value: Any) -> Any:
    """Text without the spaces around it: text of spaces alone is then no answer at all."""
    return value.strip() if isinstance(value, str) else value


def upper(value: Any) -> Any:
    """References and codes in capitals, however they were typed."""
    return value.strip().upper() if isinstance(value, str) else value


def _tidy(params: dict[str, Any], field: Any) -> dict[str, Any]:
    """No empty hint for screen readers to announce, and a legend that keeps its words."""
    hint = params.get("hint") or {}
    if not hint.get("text") and not hint.get("html"):
        params.pop("hint", None)
    legend = (params.get("fieldset") or {}).get("legend")
    if legend is not None and not legend.get("text") and not legend.get("html"):
        legend["text"] = field.label.text
    return params


class RadioInput(GovRadioInput):
    """GOV.UK radios under a legend, with a hint only when there is one."""

    def map_gov_params(self, field: Any, **kwargs: Any) -> dict[str, Any]:
        """GOV.UK Frontend's parameters, tidied."""
        return _tidy(super().map_gov_params(field, **kwargs), field)


class CheckboxesInput(GovCheckboxesInput):
    """GOV.UK checkboxes under a legend, with a hint only when there is one."""

    def map_gov_params(self, field: Any, **kwargs: Any) -> dict[str, Any]:
        """GOV.UK Frontend's parameters, tidied."""
        return _tidy(super().map_gov_params(field, **kwargs), field)


class CheckboxInput(GovCheckboxInput):
    """A single GOV.UK checkbox, with a hint only when there is one."""

    def map_gov_params(self, field: Any, **kwargs: Any) -> dict[str, Any]:
        """GOV.UK Frontend's parameters, tidied."""
        return _tidy(super().map_gov_params(field, **kwargs), field)


def enum_choices(enum: Iterable[StrEnum], blank: str | None = None) -> list[SelectChoice]:
    """Options for a select or radios, labelled as people read them, optionally with a blank."""
    options = [SelectChoice(member.value, label(member)) for member in enum]
    return [SelectChoice("", blank), *options] if blank is not None else options


def choices(pairs: Sequence[tuple[str, str]], blank: str | None = None) -> list[SelectChoice]:
    """Options from (value, label) pairs, optionally with a blank first."""
    options = [SelectChoice(value, text) for value, text in pairs]
    return [SelectChoice("", blank), *options] if blank is not None else options


class GovDateField(Field):
    """A date in three boxes (day, month, year), with GOV.UK's messages for each mistake."""

    widget = GovDateInput()

    def __init__(
        self,
        label: str | None = None,
        validators: Any = None,
        *,
        required_message: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(label, validators, **kwargs)
        self.required_message = required_message
        self.data: date | None

    def _value(self) -> str:
        """Not used by the widget, which reads raw_data or data itself."""
        return ""

    def process_formdata(self, valuelist: list[str]) -> None:
        """Read day, month and year; say which part is missing or what is wrong."""
        parts = [part.strip() for part in [*valuelist, "", "", ""][:3]]
        self.raw_data = parts
        if not any(parts):
            self.data = None
            if self.required_message:
                raise ValueError(self.required_message)
            return
        missing = [
            name for name, part in zip(("day", "month", "year"), parts, strict=True) if not part
        ]
        name = self.label.text
        if missing:
            self.data = None
            raise ValueError(f"{name} must include a {' and a '.join(missing)}")
        try:
            day, month, year = (int(part) for part in parts)
            if year < 1900 or year > 2100:
                raise ValueError
            self.data = date(year, month, day)
        except ValueError:
            self.data = None
            raise ValueError(f"{name} must be a real date") from None


def hours_range(maximum: float, allow_zero: bool) -> str:
    """The hours that may be typed, in words: "between 0.1 and 37", or "0, or 0.1 to 60"."""
    if allow_zero:
        return f"0, or between {MIN_HOURS:g} and {maximum:g}"
    return f"between {MIN_HOURS:g} and {maximum:g}"


def read_hours(text: str, name: str, example: str, maximum: float, allow_zero: bool) -> float:
    """Typed hours as a number: a plain decimal, 0 only where 0 means none, at most `maximum`."""
    if not HOURS_TEXT.match(text):
        raise ValueError(f"Enter the {name} as a number, like {example}")
    value = float(text)
    if value == 0 and allow_zero:
        return 0.0
    if not MIN_HOURS <= value <= maximum:
        raise ValueError(f"The {name} must be {hours_range(maximum, allow_zero)}")
    return value


class HoursField(StringField):
    """Hours as a number, like 37 or 22.5: at least 0.1, or 0 where 0 means none."""

    widget = GovTextInput()

    def __init__(
        self,
        label: str,
        *,
        example: str = "37 or 22.5",
        maximum: float = 60.0,
        allow_zero: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(label, **kwargs)
        self.example = example
        self.maximum = maximum
        self.allow_zero = allow_zero

    def process_formdata(self, valuelist: list[str]) -> None:
        """Keep what was typed; turn it into a number in pre_validate."""
        self.raw_data = valuelist
        self.data = valuelist[0].strip() if valuelist else ""

    def pre_validate(self, form: Any) -> None:
        """A number in range, or a message saying what to type."""
        text = (
            self.data
            if isinstance(self.data, str)
            else ("" if self.data is None else str(self.data))
        )
        name = self.label.text.lower()
        if not text:
            if self.flags.required:
                raise ValidationError(f"Enter the {name}, like {self.example}")
            self.data = None
            return
        try:
            self.data = read_hours(text, name, self.example, self.maximum, self.allow_zero)
        except ValueError as error:
            raise ValidationError(str(error)) from None

    def _value(self) -> str:
        """Show what was typed, or the stored number without trailing zeros."""
        if self.raw_data:
            return self.raw_data[0]
        if isinstance(self.data, float | int):
            return f"{self.data:g}"
        return self.data or ""


class WholeNumberField(IntegerField):
    """A whole number typed in ASCII digits, like 12 (Python's int() would take "٣" or "1_0")."""

    widget = GovTextInput()

    def __init__(self, label: str, *, example: str, **kwargs: Any) -> None:
        super().__init__(label, **kwargs)
        self.example = example

    def process_formdata(self, valuelist: list[str]) -> None:
        """The number typed, or a message saying what to type."""
        text = valuelist[0].strip() if valuelist else ""
        self.data = None
        if not text:
            return
        if not WHOLE_NUMBER.match(text):
            raise ValueError(
                f"Enter the {self.label.text.lower()} as a whole number, like {self.example}"
            )
        self.data = int(text)


class GovSelectField(SelectField):
    """A select drawn by GOV.UK Frontend."""

    widget = GovSelect()


class GovCheckboxesField(SelectMultipleField):
    """Checkboxes drawn by GOV.UK Frontend."""

    widget = CheckboxesInput()


class VersionField(HiddenField):
    """The version of the record the form was opened at, carried unchanged through the page."""

    def process_formdata(self, valuelist: list[str]) -> None:
        """A whole number, or None when the form sent none (never the stored version instead)."""
        text = valuelist[0].strip() if valuelist else ""
        self.data = int(text) if VERSION.fullmatch(text) else None

    def pre_validate(self, form: Any) -> None:
        """A form that changes a stored record must say which version of it was opened."""
        if self.data is None and getattr(form, "editing", True):
            raise ValidationError(
                "This form is out of date. Go back, reload the page and make your change again"
            )


class ConfirmForm(PlannerForm):
    """One button that confirms an action: what matters is the CSRF token it carries."""

    submit = SubmitField("Confirm", widget=GovSubmitInput())

    def __init__(self, text: str = "Confirm", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.submit.label.text = text


class VersionedConfirmForm(ConfirmForm):
    """A confirmation that ends or hands back a record: refused if it changed since it was shown."""

    version = VersionField()


def required_radios(label: str, options: list[tuple[str, str]], message: str) -> RadioField:
    """GOV.UK radios that must be answered, with one message for no answer and a wrong one."""
    return RadioField(
        label,
        widget=RadioInput(),
        choices=options,
        validators=[InputRequired(message=message)],
        invalid_choice_message=message,
    )


def email_field(label: str, description: str) -> StringField:
    """An optional email address, checked as GOV.UK checks one."""
    return StringField(
        label,
        widget=GovTextInput(),
        description=description,
        filters=[strip],
        validators=[
            Optional(),
            Length(max=254, message="Email address must be 254 characters or fewer"),
            Regexp(
                EMAIL,
                message="Enter an email address in the correct format, like name@justice.gov.uk",
            ),
        ],
    )
