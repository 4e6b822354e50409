"""The plans forms: run a week, look ahead, change a proposal, and the what-if changes."""

from __future__ import annotations

from typing import Any

from govuk_frontend_wtf.wtforms_widgets import (
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import BooleanField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, ValidationError

from planner.domain.vocabulary import Grade, OverrideReason, Role, Rosh, Vetting
from planner.plans.whatif import Change
from planner.web.forms import (
    CheckboxInput,
    GovCheckboxesField,
    GovSelectField,
    HoursField,
    PlannerForm,
    RadioInput,
    WholeNumberField,
    choices,
    enum_choices,
    strip,
    upper,
)

NOBODY = "nobody"


class RunForm(PlannerForm):
    """Which week to plan, with which solver, for how long."""

    week = GovSelectField("Week to plan", validators=[InputRequired(message="Choose the week")])
    solver = RadioField(
        "Solver",
        widget=RadioInput(),
        choices=choices([("highs", "HiGHS (recommended)"), ("cbc", "CBC")]),
        default="highs",
        validators=[InputRequired(message="Choose a solver")],
    )
    time_limit = WholeNumberField(
        "Time limit in seconds",
        example="60",
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


class OverrideForm(PlannerForm):
    """Another person for a need, or nobody, with the reasons, and whether to pin them."""

    person = RadioField(
        "Who should hold this need?",
        validators=[InputRequired(message="Choose who should hold this need, or nobody")],
    )
    reasons = GovCheckboxesField(
        "Why are you changing the plan?",
        choices=enum_choices(OverrideReason),
        validators=[InputRequired(message="Select at least one reason for the change")],
    )
    detail = TextAreaField(
        "Give more detail",
        widget=GovTextArea(),
        filters=[strip],
        validators=[Length(max=300, message="The detail must be 300 characters or fewer")],
    )
    pin = BooleanField(
        "Keep this person on this need in future plans (pin)", widget=CheckboxInput()
    )
    submit = SubmitField("Save the change", widget=GovSubmitInput())

    def __init__(self, *args: Any, options: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.person.choices = choices([*options, (NOBODY, "Nobody: leave the need uncovered")])

    def validate_detail(self, field: TextAreaField) -> None:
        """Other says nothing by itself: it needs the detail."""
        if OverrideReason.OTHER.value in (self.reasons.data or []) and not field.data:
            raise ValidationError("Enter the detail of the other reason")

    def chosen_reasons(self) -> list[OverrideReason]:
        """The kinds of reason ticked."""
        return [OverrideReason(value) for value in self.reasons.data or []]


class LookAheadForm(PlannerForm):
    """From which week, and for how many weeks, to plan ahead."""

    first = GovSelectField(
        "First week to plan", validators=[InputRequired(message="Choose the first week")]
    )
    weeks = WholeNumberField(
        "Weeks to look ahead",
        example="12",
        validators=[
            InputRequired(message="Enter the number of weeks, like 12"),
            NumberRange(min=1, max=26, message="The number of weeks must be between 1 and 26"),
        ],
    )
    submit = SubmitField("Look ahead", widget=GovSubmitInput())

    def __init__(self, *args: Any, first_weeks: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.first.choices = choices(first_weeks)


class SickForm(PlannerForm):
    """A practitioner off sick."""

    person = GovSelectField("Who is off sick?")
    weeks = WholeNumberField(
        "For how many weeks?",
        example="2",
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

    def change(self) -> Change:
        """The change the form describes."""
        return Change("sick", staff_ref=self.person.data, weeks=self.weeks.data)


class AgencyForm(PlannerForm):
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

    def __init__(self, *args: Any, regions: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, prefix="agency", **kwargs)
        self.regions = regions
        self.site.choices = choices(
            [(site, f"{site}, {region}") for site, region in sorted(regions.items())],
            blank="Choose a prison or office",
        )

    def validate_site(self, field: GovSelectField) -> None:
        """A site from the run's region."""
        if not field.data:
            raise ValidationError("Choose where they would work")

    def change(self) -> Change:
        """The change the form describes."""
        return Change(
            "agency",
            role=self.role.data,
            grade=self.grade.data,
            site=self.site.data,
            region=self.regions[self.site.data],
            hours=self.hours.data,
            vetting=self.vetting.data,
            skills=("ct_trained",) if self.ct_trained.data else (),
        )


class RiskForm(PlannerForm):
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

    def change(self) -> Change:
        """The change the form describes."""
        return Change("risk", case_reference=self.case.data, rosh=self.rosh.data)
