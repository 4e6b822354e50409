"""The what-if forms: someone off sick, an extra agency practitioner, a case's risk raised."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextInput
from wtforms import BooleanField, IntegerField, RadioField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, NumberRange, ValidationError

from planner.domain.vocabulary import Grade, Role, Rosh, Vetting
from planner.web.forms import (
    CheckboxInput,
    GovSelectField,
    HoursField,
    RadioInput,
    choices,
    enum_choices,
    upper,
)


class SickForm(FlaskForm):
    """A practitioner off sick."""

    person = GovSelectField("Who is off sick?")
    weeks = IntegerField(
        "For how many weeks?",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter the number of weeks, like 2"),
            NumberRange(min=1, max=52, message="The number of weeks must be between 1 and 52"),
        ],
    )
    submit = SubmitField("Try it", widget=GovSubmitInput())

    def __init__(self, *args: Any, staff: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, prefix="sick", **kwargs)
        self.person.choices = choices(staff, blank="Choose a practitioner")

    def validate_person(self, field: GovSelectField) -> None:
        """Someone from the run's staff."""
        if not field.data:
            raise ValidationError("Choose who is off sick")


class AgencyForm(FlaskForm):
    """An extra practitioner from an agency."""

    role = RadioField(
        "As a POM or a COM?",
        widget=RadioInput(),
        choices=enum_choices(Role),
        default=Role.PROBATION.value,
        validators=[InputRequired(message="Choose POM or COM")],
    )
    grade = GovSelectField("Grade", choices=enum_choices(Grade), default=Grade.PO.value)
    site = GovSelectField("Where they would work")
    hours = HoursField("Hours a week", example="22.5", validators=[InputRequired()])
    vetting = GovSelectField("Vetting", choices=enum_choices(Vetting), default=Vetting.SC.value)
    ct_trained = BooleanField("Counter-terrorism trained", widget=CheckboxInput(), default=True)
    submit = SubmitField("Try it", widget=GovSubmitInput())

    def __init__(self, *args: Any, sites: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, prefix="agency", **kwargs)
        self.site.choices = choices(sites, blank="Choose a prison or office")

    def validate_site(self, field: GovSelectField) -> None:
        """A site from the run's region."""
        if not field.data:
            raise ValidationError("Choose where they would work")


class RiskForm(FlaskForm):
    """A case's risk of serious harm raised (or lowered)."""

    case = StringField(
        "Case reference",
        widget=GovTextInput(),
        filters=[upper],
        validators=[DataRequired(message="Enter the case reference, like CT-LDN-0042")],
    )
    rosh = GovSelectField("New risk of serious harm", choices=enum_choices(reversed(Rosh)))
    submit = SubmitField("Try it", widget=GovSubmitInput())

    def __init__(self, *args: Any, references: set[str], **kwargs: Any) -> None:
        super().__init__(*args, prefix="risk", **kwargs)
        self.references = references

    def validate_case(self, field: StringField) -> None:
        """A case of the run."""
        if field.data not in self.references:
            raise ValidationError("Enter the reference of a case in this plan")
