"""The forms for an absence or reduction, and for confirming its deletion."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCharacterCount, GovSubmitInput
from wtforms import StringField, SubmitField
from wtforms.validators import Length, StopValidation, ValidationError

from planner.forms import GovDateField, HoursField, choices, enum_choices, required_radios, strip
from planner.staff.forms import number_or_none
from planner.staff.records import PART_TIME, WHOLE_TIME, AbsenceDetails
from planner.vocabulary import AbsenceKind


class AbsenceForm(FlaskForm):
    """Leave, sickness or a standing reduction, over a date range."""

    kind = required_radios(
        "What kind of absence or reduction is it?",
        enum_choices(AbsenceKind),
        "Select the kind of absence or reduction",
    )
    start_date = GovDateField(
        "Start date",
        description="For example, 6 4 2026",
        required_message="Enter the start date",
    )
    end_date = GovDateField(
        "End date",
        description="The last day it covers. For example, 17 4 2026",
        required_message="Enter the end date",
    )
    extent = required_radios(
        "How much of their time does it take?",
        choices([(WHOLE_TIME, "All their working time"), (PART_TIME, "Some hours each week")]),
        "Select whether it takes all their time or some hours a week",
    )
    hours_per_week = HoursField("Hours a week", example="7.4 or 3.7")
    note = StringField(
        "Note (optional)",
        widget=GovCharacterCount(),
        filters=[strip],
        validators=[Length(max=200, message="Note must be 200 characters or fewer")],
    )
    submit = SubmitField("Save", widget=GovSubmitInput())

    def __init__(
        self, contracted_hours: float, initial: AbsenceDetails | None, **kwargs: Any
    ) -> None:
        """A form for a new absence or a stored one, checked against the person's contract."""
        super().__init__(data=_absence_initial(initial), **kwargs)
        self.contracted_hours = contracted_hours

    def validate_end_date(self, field: GovDateField) -> None:
        """An absence ends on or after the day it starts."""
        start = self.start_date.data
        if not field.errors and start is not None and field.data is not None and field.data < start:
            raise ValidationError("End date must be the same as or after the start date")

    def validate_hours_per_week(self, field: HoursField) -> None:
        """Some hours a week: more than none and no more than the contract; none for all time."""
        if self.extent.data != PART_TIME:
            typed = bool(field.raw_data and field.raw_data[0].strip())
            # Whatever is wrong with the hours does not matter unless some hours are chosen.
            field.errors[:] = []
            if typed and self.extent.data == WHOLE_TIME:
                raise StopValidation("Remove the hours a week, or select some hours each week")
            raise StopValidation()
        if field.errors:
            return
        hours = number_or_none(field.data)
        if hours is None:
            raise ValidationError("Enter the hours a week, like 7.4 or 3.7")
        if hours <= 0:
            raise ValidationError("Hours a week must be more than 0")
        if hours > self.contracted_hours:
            raise ValidationError(
                f"Hours a week must be no more than their contracted hours "
                f"({self.contracted_hours:g})"
            )

    def details(self) -> AbsenceDetails:
        """What a valid form says, as the values to store."""
        part = self.extent.data == PART_TIME
        start: date = self.start_date.data
        end: date = self.end_date.data
        return AbsenceDetails(
            kind=AbsenceKind(self.kind.data),
            start_date=start,
            end_date=end,
            hours_per_week=number_or_none(self.hours_per_week.data) if part else None,
            note=self.note.data or None,
        )


def _absence_initial(absence: AbsenceDetails | None) -> dict[str, Any]:
    """What the absence form shows before anything is typed."""
    if absence is None:
        return {}
    return {
        "kind": absence.kind.value,
        "start_date": absence.start_date,
        "end_date": absence.end_date,
        "extent": WHOLE_TIME if absence.hours_per_week is None else PART_TIME,
        "hours_per_week": absence.hours_per_week,
        "note": absence.note or "",
    }
