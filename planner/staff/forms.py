"""The staff forms: a practitioner's details, an absence or reduction, and the list's filters."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Any

from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovSubmitInput,
    GovTextInput,
)
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, StringField, SubmitField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Regexp,
    StopValidation,
    ValidationError,
)

from planner.domain.policy import Policy
from planner.domain.vocabulary import AbsenceKind, Grade, Role, SiteKind, Vetting
from planner.extensions import db
from planner.models import Region, Site, StaffMember
from planner.staff.queries import StaffFilters
from planner.staff.services import (
    PART_TIME,
    SKILLS,
    WHOLE_TIME,
    AbsenceDetails,
    StaffDetails,
    languages_of,
)
from planner.web.forms import (
    WHOLE_NUMBER,
    CheckboxInput,
    GovCheckboxesField,
    GovDateField,
    GovSelectField,
    HoursField,
    PlannerForm,
    VersionField,
    choices,
    email_field,
    enum_choices,
    required_radios,
    strip,
    upper,
)

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


class StaffForm(PlannerForm):
    """A practitioner's details, checked as GOV.UK forms check them."""

    staff_ref = StringField(
        "Staff ID",
        description="Letters, numbers and hyphens, like S-LDN-001",
        widget=GovTextInput(),
        filters=[upper],
        validators=[
            DataRequired(message="Enter the staff ID"),
            Length(max=20, message="Staff ID must be 20 characters or fewer"),
            Regexp(
                STAFF_REF,
                message="Staff ID must only include letters, numbers and hyphens, like S-LDN-001",
            ),
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
        allow_zero=True,
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
    email = email_field(
        "Work email address (optional)",
        "Where the planner tells them of cases given to them or taken from them, and of handovers",
    )
    not_emailed = BooleanField("Do not email this person", widget=CheckboxInput())
    version = VersionField()
    submit = SubmitField("Save", widget=GovSubmitInput())

    def __init__(
        self, sites: Sequence[Site], person: StaffMember | None = None, **kwargs: Any
    ) -> None:
        """A form for a new person, or one showing a stored person's details."""
        super().__init__(data=_initial(person), **kwargs)
        self.person_id = person.id if person is not None else None
        self.editing = person is not None
        self.site_kinds = {str(site.id): site.kind for site in sites}
        self.site_id.choices = site_choices(sites)

    def validate_staff_ref(self, field: StringField) -> None:
        """Nobody else's staff ID."""
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
        if not WHOLE_NUMBER.match(field.data):
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
            email=self.email.data or None,
            emailed=not self.not_emailed.data,
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
        "email": person.email or "",
        "not_emailed": not person.emailed,
        "version": person.version,
    }


class AbsenceForm(PlannerForm):
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
    version = VersionField()
    submit = SubmitField("Save", widget=GovSubmitInput())

    def __init__(
        self,
        contracted_hours: float,
        initial: AbsenceDetails | None,
        version: int | None = None,
        **kwargs: Any,
    ) -> None:
        """A form for a new absence or a stored one at its version, checked against the contract."""
        super().__init__(data={**_absence_initial(initial), "version": version}, **kwargs)
        self.contracted_hours = contracted_hours
        self.editing = initial is not None

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


class StaffFilterForm(PlannerForm):
    """The filters above the list: a GET form, so it carries no CSRF token."""

    class Meta:
        csrf = False

    search = StringField("Name or staff ID", widget=GovTextInput())
    region = GovSelectField("Region", validate_choice=False)
    site = GovSelectField("Site", validate_choice=False)
    role = GovSelectField("Role", choices=enum_choices(Role, blank="All roles"))
    grade = GovSelectField("Grade", choices=enum_choices(Grade, blank="All grades"))
    over = BooleanField("Workload over 100%", widget=CheckboxInput())
    inactive = BooleanField("Include people who are not active", widget=CheckboxInput())

    def __init__(
        self,
        args: MultiDict[str, str],
        regions: Sequence[Region],
        sites: Sequence[Site],
        policy: Policy,
    ) -> None:
        """The filters as the query string sets them, offering this service's regions and sites."""
        super().__init__(formdata=args)
        self.over.label.text = f"Workload over {round(policy.soft_capacity * 100)}%"
        self.region.choices = choices(
            [(str(region.id), region.name) for region in regions], blank="All regions"
        )
        self.site.choices = [*choices([], blank="All sites"), *site_choices(sites)[1:]]

    def chosen(self, field: GovSelectField) -> str | None:
        """The option picked in a select, if it is one of its options."""
        values = {choice.value for choice in field.choices if choice.value}
        return field.data if field.data in values else None

    def filters(self) -> StaffFilters:
        """What the list is filtered by (anything not offered is ignored)."""
        region, site = self.chosen(self.region), self.chosen(self.site)
        role, grade = self.chosen(self.role), self.chosen(self.grade)
        # A search with hidden characters finds nothing, and its box says why.
        search = self.search.data if self.search.validate(self) else ""
        return StaffFilters(
            search=search or "",
            region_id=int(region) if region else None,
            site_id=int(site) if site else None,
            role=Role(role) if role else None,
            grade=Grade(grade) if grade else None,
            over_only=bool(self.over.data),
            include_inactive=bool(self.inactive.data),
        )
