"""The form for a person's details, and the helpers the staff pages' forms share."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovSubmitInput,
    GovTextInput,
)
from sqlalchemy import func, select
from wtforms import BooleanField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from planner.extensions import db
from planner.forms import (
    CheckboxInput,
    GovCheckboxesField,
    GovDateField,
    GovSelectField,
    HoursField,
    choices,
    enum_choices,
    required_radios,
    strip,
    upper,
)
from planner.models import Site, StaffMember
from planner.staff.records import SKILLS, StaffDetails, languages_of
from planner.vocabulary import Grade, Role, SiteKind, Vetting

STAFF_REF = re.compile(r"^[A-Z0-9]+(-[A-Z0-9]+)*$")
LANGUAGE = re.compile(r"^[^\W\d_]+([ '-][^\W\d_]+)*$")
# National security vetting (CTC, SC, DV) is granted until a review date; BPSS is a one-off check.
EXPIRING_VETTING = frozenset({Vetting.CTC, Vetting.SC, Vetting.DV})
SITE_KINDS = {Role.PRISON: {SiteKind.PRISON}, Role.PROBATION: {SiteKind.PDU, SiteKind.NSD}}
MAX_CASES_LIMIT = 100


def number_or_none(hours: Any) -> float | None:
    """Hours already read as a number, or None if what was typed is not one."""
    return float(hours) if isinstance(hours, float | int) else None


def site_choices(sites: Sequence[Site]) -> list[Any]:
    """Every site, labelled with its region so that two regions' sites cannot be confused."""
    ordered = sorted(sites, key=lambda site: (site.region.name, site.name))
    return choices(
        [(str(site.id), f"{site.name} ({site.region.name})") for site in ordered],
        blank="Select a site",
    )


class StaffForm(FlaskForm):
    """A practitioner's details, checked as GOV.UK forms check them."""

    staff_ref = StringField(
        "Staff ID",
        description="Letters, numbers and hyphens, like S-LDN-001",
        widget=GovTextInput(),
        filters=[upper],
        validators=[
            DataRequired(message="Enter the staff ID"),
            Length(max=20, message="Staff ID must be 20 characters or fewer"),
        ],
    )
    name = StringField(
        "Full name",
        widget=GovTextInput(),
        filters=[strip],
        validators=[
            DataRequired(message="Enter the full name"),
            Length(max=120, message="Full name must be 120 characters or fewer"),
        ],
    )
    role = required_radios("Role", enum_choices(Role), "Select the role")
    grade = required_radios("Grade", enum_choices(Grade), "Select the grade")
    site_id = GovSelectField(
        "Site",
        description="A prison for a POM; a probation delivery unit or NSD team for a COM",
        validators=[InputRequired(message="Select the site")],
        invalid_choice_message="Select the site",
    )
    contracted_hours = HoursField(
        "Contracted hours",
        description="Hours a week in their contract: 37 is full time",
        validators=[InputRequired(message="Enter the contracted hours, like 37 or 22.5")],
    )
    other_work_hours = HoursField(
        "Other work hours",
        example="0 or 7.5",
        description="Hours a week of work held outside the planner, such as a general "
        "caseload. Leave empty if none.",
    )
    vetting = required_radios("Vetting level", enum_choices(Vetting), "Select the vetting level")
    vetting_expiry = GovDateField(
        "Vetting expiry date",
        description="Needed for CTC, SC and DV vetting. For example, 27 3 2028",
    )
    skills = GovCheckboxesField(
        "Skills",
        description="Select all that apply",
        choices=choices(list(SKILLS.items())),
        invalid_choice_message="Select skills from the list",
    )
    languages = StringField(
        "Languages other than English (optional)",
        description="Separate languages with commas, like Arabic, Urdu",
        widget=GovTextInput(),
        filters=[strip],
        validators=[Length(max=200, message="Languages must be 200 characters or fewer")],
    )
    max_cases = StringField(
        "Maximum cases (optional)",
        description="A whole number, if they may hold no more than this many cases",
        widget=GovTextInput(),
        filters=[strip],
    )
    training_start = GovDateField(
        "Training start date",
        description="For trainee probation officers (PQiP) only: their protected training "
        "time falls over their first 18 months. For example, 1 9 2025",
    )
    active = BooleanField("Active: they can be allocated cases", widget=CheckboxInput())
    submit = SubmitField("Save", widget=GovSubmitInput())

    def __init__(
        self, sites: Sequence[Site], person: StaffMember | None = None, **kwargs: Any
    ) -> None:
        """A form for a new person, or one showing a stored person's details."""
        super().__init__(data=_initial(person), **kwargs)
        self.person_id = person.id if person is not None else None
        self.site_kinds = {str(site.id): site.kind for site in sites}
        self.site_id.choices = site_choices(sites)

    def validate_staff_ref(self, field: StringField) -> None:
        """Letters, numbers and hyphens, and nobody else's."""
        if not STAFF_REF.match(field.data):
            raise ValidationError(
                "Staff ID must only include letters, numbers and hyphens, like S-LDN-001"
            )
        taken = select(StaffMember.id).where(func.upper(StaffMember.staff_ref) == field.data)
        if self.person_id is not None:
            taken = taken.where(StaffMember.id != self.person_id)
        if db.session.scalar(taken) is not None:
            raise ValidationError(f"Staff ID {field.data} is already used by someone else")

    def validate_site_id(self, field: GovSelectField) -> None:
        """A POM works in a prison; a COM in a probation delivery unit or an NSD team."""
        if field.errors:
            return
        kind = self.site_kinds.get(field.data)
        if self.role.data == Role.PRISON and kind not in SITE_KINDS[Role.PRISON]:
            raise ValidationError("Select a prison for a prison offender manager (POM)")
        if self.role.data == Role.PROBATION and kind not in SITE_KINDS[Role.PROBATION]:
            raise ValidationError(
                "Select a probation delivery unit or NSD team for a community offender "
                "manager (COM)"
            )

    def validate_other_work_hours(self, field: HoursField) -> None:
        """Work held elsewhere cannot exceed the hours in the contract."""
        contracted = number_or_none(self.contracted_hours.data)
        other = number_or_none(field.data)
        if contracted is not None and other is not None and other > contracted:
            raise ValidationError("Other work hours must be no more than the contracted hours")

    def validate_vetting_expiry(self, field: GovDateField) -> None:
        """CTC, SC and DV lapse on a date; no vetting has nothing to lapse."""
        if field.errors:
            return
        if self.vetting.data in EXPIRING_VETTING and field.data is None:
            raise ValidationError(f"Enter the date the {self.vetting.data} vetting expires")
        if self.vetting.data == Vetting.NONE and field.data is not None:
            raise ValidationError(
                "Remove the vetting expiry date, or select the vetting level it belongs to"
            )

    def validate_languages(self, field: StringField) -> None:
        """Language names, separated by commas."""
        for language in _split(field.data):
            if not LANGUAGE.match(language) or len(language) > 40:
                raise ValidationError(
                    "Languages must only include letters, separated by commas, like Arabic, Urdu"
                )

    def validate_max_cases(self, field: StringField) -> None:
        """Empty, or a whole number of cases."""
        if not field.data:
            return
        if not field.data.isdigit():
            raise ValidationError("Maximum cases must be a whole number, like 12")
        if int(field.data) > MAX_CASES_LIMIT:
            raise ValidationError(f"Maximum cases must be {MAX_CASES_LIMIT} or fewer")

    def validate_training_start(self, field: GovDateField) -> None:
        """A trainee's reductions are counted from the day their training started."""
        if not field.errors and self.grade.data == Grade.PQIP and field.data is None:
            raise ValidationError("Enter the date their PQiP training started")

    def details(self) -> StaffDetails:
        """What a valid form says, as the values to store."""
        grade = Grade(self.grade.data)
        vetting = Vetting(self.vetting.data)
        return StaffDetails(
            staff_ref=self.staff_ref.data,
            name=self.name.data,
            role=Role(self.role.data),
            grade=grade,
            site_id=int(self.site_id.data),
            contracted_hours=float(self.contracted_hours.data),
            other_work_hours=number_or_none(self.other_work_hours.data) or 0.0,
            vetting=vetting,
            vetting_expiry=self.vetting_expiry.data if vetting != Vetting.NONE else None,
            skills=[*self.skills.data, *(item.lower() for item in _split(self.languages.data))],
            max_cases=int(self.max_cases.data) if self.max_cases.data else None,
            training_start=self.training_start.data if grade == Grade.PQIP else None,
            active=bool(self.active.data),
        )


def _split(text: str | None) -> list[str]:
    """The items of a comma-separated list, without empty ones."""
    return [item.strip() for item in (text or "").split(",") if item.strip()]


def _initial(person: StaffMember | None) -> dict[str, Any]:
    """What the form shows before anything is typed: a new person is active."""
    if person is None:
        return {"active": True}
    return {
        "staff_ref": person.staff_ref,
        "name": person.name,
        "role": person.role.value,
        "grade": person.grade.value,
        "site_id": str(person.site_id),
        "contracted_hours": person.contracted_hours,
        "other_work_hours": person.other_work_hours,
        "vetting": person.vetting.value,
        "vetting_expiry": person.vetting_expiry,
        "skills": [skill for skill in person.skills if skill in SKILLS],
        "languages": ", ".join(language.title() for language in languages_of(person.skills)),
        "max_cases": "" if person.max_cases is None else str(person.max_cases),
        "training_start": person.training_start,
        "active": person.active,
    }
