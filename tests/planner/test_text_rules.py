"""The rules every text box follows: hidden characters refused, text tidied as typed, and every
form of the planner built on the base that applies them (so a new form cannot forget)."""

from __future__ import annotations

import importlib
import pkgutil
import re

import pytest
from flask import Flask
from werkzeug.datastructures import MultiDict
from wtforms import Form, StringField, TextAreaField

import planner
from planner.web.forms import HoursField, PlannerForm, read_hours
from planner.web.text import hidden_character, tidy


class Example(PlannerForm):
    """A form of each kind of text box."""

    class Meta:
        csrf = False

    line = StringField("Name")
    lines = TextAreaField("Reason")
    hours = HoursField("Hours a week", allow_zero=True)


def sent(app: Flask, **values: str) -> Example:
    """The example form, validated with these values."""
    with app.test_request_context():
        form = Example(formdata=MultiDict(values))
        form.validate()
        return form


@pytest.mark.parametrize(
    ("text", "multiline", "found"),
    [("Jo Bloggs", False, None), ("Jo\x00Bloggs", False, "U+0000"), ("Jo\tB", False, "U+0009"),
     ("Jo\tB\nC", True, None), ("Jo\x85B", True, "U+0085"), ("Jo\u202eB", True, "U+202E"),
     ("Jo\u2068B", False, "U+2068"), ("Jo\x7fB", False, "U+007F"), ("Zoë ʿAlī", False, None)],
)  # fmt: skip
def test_hidden_characters_are_found(text: str, multiline: bool, found: str | None) -> None:
    assert hidden_character(text, multiline=multiline) == found


def test_text_is_tidied_as_a_manager_expects() -> None:
    assert tidy("  Zoe\u0308 \u00a0") == "Zoë"
    assert tidy("first line\r\nsecond\rthird\n") == "first line\nsecond\nthird"
    # A control character at the end is refused, not quietly dropped.
    assert tidy("name\x1f") == "name\x1f"


def test_every_text_box_refuses_hidden_characters(app: Flask) -> None:
    form = sent(app, line="Jo\u202eBloggs", lines="one\x00two", hours="3")
    assert form.line.errors == [
        "Name must not include hidden characters, such as control or text direction characters. "
        "Type it in rather than pasting it"
    ]
    assert form.lines.errors[0].startswith("Reason must not include hidden characters")


def test_lines_keep_their_breaks_and_text_its_form(app: Flask) -> None:
    form = sent(app, line=" Zoe\u0308 ", lines="one\r\n\ttwo", hours="0")
    assert not form.errors
    assert (form.line.data, form.lines.data, form.hours.data) == ("Zoë", "one\n\ttwo", 0.0)


@pytest.mark.parametrize(
    ("text", "message"),
    [("1e-320", "Enter the hours as a number, like 3"), ("nan", "Enter the hours as a number, like 3"),
     ("inf", "Enter the hours as a number, like 3"), ("-0", "Enter the hours as a number, like 3"),
     ("\u0663", "Enter the hours as a number, like 3"), ("0.05", "The hours must be between 0.1 and 37.5"),
     ("0", "The hours must be between 0.1 and 37.5"), ("37.6", "The hours must be between 0.1 and 37.5"),
     ("99999999999999999999", "Enter the hours as a number, like 3")],
)  # fmt: skip
def test_hours_are_a_tenth_or_more(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        read_hours(text, "hours", "3", 37.5, allow_zero=False)


def test_hours_of_none_are_zero_where_zero_means_none() -> None:
    assert read_hours("0", "hours", "3", 60, allow_zero=True) == 0.0
    assert read_hours(".5", "hours", "3", 60, allow_zero=False) == 0.5
    with pytest.raises(ValueError, match=re.escape("must be 0, or between 0.1 and 60")):
        read_hours("0.01", "hours", "3", 60, allow_zero=True)


def all_subclasses(cls: type) -> set[type]:
    """Every class below this one."""
    found = set(cls.__subclasses__())
    return found.union(*(all_subclasses(child) for child in found))


def test_every_form_of_the_planner_is_a_planner_form() -> None:
    for module in pkgutil.walk_packages(planner.__path__, "planner."):
        importlib.import_module(module.name)
    forms = {cls for cls in all_subclasses(Form) if cls.__module__.startswith("planner.")}
    assert len(forms) > 20
    strays = sorted(cls.__qualname__ for cls in forms if not issubclass(cls, PlannerForm))
    assert not strays, f"base these forms on planner.web.forms.PlannerForm: {strays}"
