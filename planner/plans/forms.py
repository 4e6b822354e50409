"""The forms of the plans area."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import BooleanField, IntegerField, RadioField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from planner.web.forms import CheckboxInput, GovSelectField, RadioInput, choices, strip

NOBODY = "nobody"


class RunForm(FlaskForm):
    """Which week to plan, with which solver, for how long."""

    week = GovSelectField("Week to plan", validators=[InputRequired(message="Choose the week")])
    solver = RadioField(
        "Solver",
        widget=RadioInput(),
        choices=choices([("highs", "HiGHS (recommended)"), ("cbc", "CBC")]),
        default="highs",
        validators=[InputRequired(message="Choose a solver")],
    )
    time_limit = IntegerField(
        "Time limit in seconds",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter the time limit in seconds, like 60"),
            NumberRange(
                min=5, max=3600, message="The time limit must be between 5 and 3,600 seconds"
            ),
        ],
    )
    submit = SubmitField("Run the plan", widget=GovSubmitInput())

    def __init__(self, *args: Any, weeks: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.week.choices = choices(weeks)


class OverrideForm(FlaskForm):
    """Another person for a need, or nobody, with the reason, and whether to pin them."""

    person = RadioField(
        "Who should hold this need?",
        widget=RadioInput(),
        validators=[InputRequired(message="Choose who should hold this need, or nobody")],
    )
    reason = TextAreaField(
        "Why are you changing the plan?",
        widget=GovTextArea(),
        filters=[strip],
        validators=[DataRequired(message="Enter the reason for the change"), Length(max=300)],
    )
    pin = BooleanField(
        "Keep this person on this need in future plans (pin)", widget=CheckboxInput()
    )
    submit = SubmitField("Save the change", widget=GovSubmitInput())

    def __init__(self, *args: Any, options: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.person.choices = choices([*options, (NOBODY, "Nobody: leave the need uncovered")])


class LookAheadForm(FlaskForm):
    """How many coming weeks to plan ahead."""

    weeks = IntegerField(
        "Weeks to look ahead",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter the number of weeks, like 12"),
            NumberRange(min=1, max=26, message="The number of weeks must be between 1 and 26"),
        ],
    )
    submit = SubmitField("Look ahead", widget=GovSubmitInput())
