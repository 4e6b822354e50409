"""The forms of the cases area: a case, a need, an exclusion, the list's filters."""

from __future__ import annotations

import re
from typing import Any

from govuk_frontend_wtf.wtforms_widgets import (
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from sqlalchemy import select
from wtforms import RadioField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Regexp, ValidationError

from planner.cases.services import DATE_FIELDS, CaseDetails, NeedDetails
from planner.domain.vocabulary import (
    Cohort,
    Grade,
    Role,
    Rosh,
    SentenceType,
    Setting,
    SiteKind,
    Vetting,
    skill_choices,
)
from planner.extensions import db
from planner.models import Case
from planner.web.forms import (
    GovCheckboxesField,
    GovDateField,
    GovSelectField,
    HoursField,
    PlannerForm,
    RadioInput,
    VersionField,
    choices,
    enum_choices,
    strip,
    upper,
)

REFERENCE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,19}$")
CUSTODIAL = (SentenceType.DETERMINATE.value, SentenceType.INDETERMINATE.value)


class CaseForm(PlannerForm):
    """The facts of a case; needs are derived from them when it is saved."""

    reference = StringField(
        "Case reference",
        widget=GovTextInput(),
        description="A pseudonymous reference, like CT-LDN-0042",
        filters=[upper],
        validators=[
            DataRequired(message="Enter the case reference, like CT-LDN-0042"),
            Regexp(
                REFERENCE,
                message="The case reference must be 2 to 20 letters, digits and hyphens, "
                "like CT-LDN-0042",
            ),
        ],
    )
    name = StringField(
        "Name",
        widget=GovTextInput(),
        filters=[strip],
        validators=[DataRequired(message="Enter the person's name"), Length(max=120)],
    )
    cohort = GovSelectField(
        "Cohort",
        choices=enum_choices(Cohort, blank="Choose a cohort"),
        validators=[InputRequired(message="Choose the cohort")],
    )
    rosh = GovSelectField(
        "Risk of serious harm (RoSH)",
        choices=enum_choices(Rosh, blank="Choose the RoSH level"),
        validators=[InputRequired(message="Choose the risk of serious harm")],
    )
    tier = GovSelectField("Tier", validators=[InputRequired(message="Choose the tier")])
    mappa_category = GovSelectField(
        "MAPPA category",
        choices=choices([("1", "1"), ("2", "2"), ("3", "3"), ("4", "4 (terrorism)")], "Not MAPPA"),
    )
    mappa_level = GovSelectField(
        "MAPPA level", choices=choices([("1", "1"), ("2", "2"), ("3", "3")], "Not MAPPA")
    )
    setting = RadioField(
        "Where is the person?",
        widget=RadioInput(),
        choices=enum_choices(Setting),
        validators=[InputRequired(message="Choose custody or community")],
    )
    site = GovSelectField("Prison or probation office", coerce=str)
    sentence_type = GovSelectField(
        "Sentence",
        choices=enum_choices(SentenceType, blank="Choose the sentence"),
        validators=[InputRequired(message="Choose the sentence")],
    )
    sentence_date = GovDateField("Sentence date")
    release_date = GovDateField(
        "Release date (CRD or ARD)", description="The conditional or automatic release date"
    )
    parole_eligibility_date = GovDateField("Parole eligibility date (PED)")
    tariff_expiry_date = GovDateField("Tariff expiry date (TED)")
    parole_hearing_date = GovDateField("Parole hearing date")
    released_on = GovDateField("Date released", description="For a person now on licence")
    licence_end_date = GovDateField("Licence or order end date")
    next_mappa_review = GovDateField("Next MAPPA review")
    next_erg_review = GovDateField("Next extremism risk review (ERG)")
    version = VersionField()
    submit = SubmitField("Save case", widget=GovSubmitInput())

    def __init__(
        self, *args: Any, sites: list[Any], tiers: list[str], case_id: int | None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.case_id = case_id
        self.editing = case_id is not None
        self.sites = {str(site.id): site for site in sites}
        self.site.choices = choices(
            [(str(s.id), f"{s.name} ({s.code}, {s.region.name})") for s in sites],
            blank="Choose a prison or office",
        )
        self.tier.choices = choices([(tier, tier) for tier in tiers], blank="Choose the tier")

    def validate_reference(self, field: StringField) -> None:
        """No other case's reference."""
        taken = select(Case.id).where(Case.reference == field.data)
        if self.case_id is not None:
            taken = taken.where(Case.id != self.case_id)
        if db.session.scalar(taken) is not None:
            raise ValidationError("A case with this reference already exists")

    def validate_site(self, field: GovSelectField) -> None:
        """A prison for a person in custody, a PDU or NSD team for one in the community."""
        site = self.sites.get(field.data or "")
        if site is None:
            raise ValidationError("Choose the prison or probation office")
        in_custody = self.setting.data == Setting.CUSTODY.value
        if in_custody and site.kind != SiteKind.PRISON:
            raise ValidationError("A person in custody must be at a prison")
        if self.setting.data == Setting.COMMUNITY.value and site.kind == SiteKind.PRISON:
            raise ValidationError("A person in the community must be at a PDU or NSD team")

    def validate_mappa_level(self, field: GovSelectField) -> None:
        """MAPPA category and level go together."""
        if bool(field.data) != bool(self.mappa_category.data):
            raise ValidationError("Choose both the MAPPA category and level, or neither")

    def validate_sentence_type(self, field: GovSelectField) -> None:
        """Someone in custody is serving a custodial sentence."""
        if self.setting.data == Setting.CUSTODY.value and field.data not in CUSTODIAL:
            raise ValidationError(
                "A person in custody must have a determinate or indeterminate sentence"
            )

    def validate(self, extra_validators: Any = None) -> bool:
        """The fields one by one, then the dates against each other and the sentence."""
        valid = super().validate(extra_validators)
        for field, message in self._date_problems():
            if not field.errors:
                field.errors.append(message)
            valid = False
        return valid

    def details(self) -> CaseDetails:
        """What the form says, as plain values."""
        return CaseDetails(
            reference=self.reference.data,
            name=self.name.data,
            cohort=Cohort(self.cohort.data),
            rosh=Rosh(self.rosh.data),
            tier=self.tier.data,
            mappa_category=int(self.mappa_category.data) if self.mappa_category.data else None,
            mappa_level=int(self.mappa_level.data) if self.mappa_level.data else None,
            setting=Setting(self.setting.data),
            site=self.sites[self.site.data],
            sentence_type=SentenceType(self.sentence_type.data),
            dates={name: getattr(self, name).data for name in DATE_FIELDS},
        )

    def _date_problems(self) -> list[tuple[Any, str]]:
        """Missing or out-of-order dates, each with a message for the field concerned."""
        custody = self.setting.data == Setting.CUSTODY.value
        sentence = self.sentence_type.data
        problems = []
        if (
            sentence in (*CUSTODIAL, SentenceType.COMMUNITY_ORDER.value)
            and not self.sentence_date.data
        ):
            problems.append((self.sentence_date, "Enter the sentence date"))
        if custody and sentence == SentenceType.DETERMINATE.value and not self.release_date.data:
            problems.append((self.release_date, "Enter the release date (CRD or ARD)"))
        if (
            custody
            and sentence == SentenceType.INDETERMINATE.value
            and not (self.tariff_expiry_date.data or self.parole_hearing_date.data)
        ):
            problems.append(
                (self.tariff_expiry_date, "Enter the tariff expiry date or a parole hearing date")
            )
        if not custody and sentence in CUSTODIAL and not self.released_on.data:
            problems.append((self.released_on, "Enter the date they were released"))
        start = self.sentence_date.data
        for later, name in (
            (self.release_date, "release date"),
            (self.parole_eligibility_date, "parole eligibility date"),
            (self.tariff_expiry_date, "tariff expiry date"),
            (self.released_on, "date released"),
            (self.licence_end_date, "licence or order end date"),
        ):
            if start and later.data and later.data < start:
                problems.append((later, f"The {name} must be on or after the sentence date"))
        release, ped = self.release_date.data, self.parole_eligibility_date.data
        if release and ped and ped > release:
            problems.append(
                (
                    self.parole_eligibility_date,
                    "The parole eligibility date must be on or before the release date",
                )
            )
        released, end = self.released_on.data, self.licence_end_date.data
        if released and end and end < released:
            problems.append(
                (self.licence_end_date, "The licence end date must be after the date released")
            )
        return problems


class NeedForm(PlannerForm):
    """A need set or changed by a manager, with the reason they give."""

    role = RadioField(
        "Who is needed",
        widget=RadioInput(),
        choices=choices(
            [
                (Role.PRISON.value, "A POM in the prison"),
                (Role.PROBATION.value, "A COM in the region"),
            ]
        ),
        validators=[InputRequired(message="Choose a POM or a COM")],
    )
    min_grade = GovSelectField(
        "Lowest grade who may hold it",
        choices=enum_choices(Grade),
        validators=[InputRequired(message="Choose the lowest grade")],
    )
    hours = HoursField(
        "Hours a week", example="3 or 1.5", maximum=37.0, validators=[InputRequired()]
    )
    vetting = GovSelectField(
        "Vetting needed",
        choices=enum_choices(Vetting),
        validators=[InputRequired(message="Choose the vetting needed")],
    )
    skills = GovCheckboxesField("Skills needed", choices=choices(skill_choices()))
    same_site = RadioField(
        "Must they work at the person's prison or office?",
        widget=RadioInput(),
        choices=choices([("yes", "Yes"), ("no", "No")]),
        validators=[InputRequired(message="Choose yes if they must work at the same site")],
    )
    reason = TextAreaField(
        "Why does this case need this?",
        widget=GovTextArea(),
        filters=[strip],
        validators=[DataRequired(message="Enter the reason for this need"), Length(max=250)],
    )
    version = VersionField()
    submit = SubmitField("Save need", widget=GovSubmitInput())

    def __init__(self, *args: Any, editing: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A new need has no version yet; a stored one is saved only at the version shown.
        self.editing = editing

    def details(self) -> NeedDetails:
        """What the form says, as plain values."""
        return NeedDetails(
            role=Role(self.role.data),
            min_grade=Grade(self.min_grade.data),
            hours=self.hours.data,
            vetting=Vetting(self.vetting.data),
            skills=list(self.skills.data or []),
            same_site=self.same_site.data == "yes",
            reason=self.reason.data,
        )


class ExclusionForm(PlannerForm):
    """A practitioner who must not hold this case, and why."""

    staff_member = GovSelectField("Practitioner", coerce=str)
    reason = TextAreaField(
        "Why must they not hold this case?",
        widget=GovTextArea(),
        filters=[strip],
        validators=[DataRequired(message="Enter the reason for the exclusion"), Length(max=300)],
    )
    submit = SubmitField("Exclude", widget=GovSubmitInput())

    def __init__(self, *args: Any, staff: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.staff = {str(person.id): person for person in staff}
        self.staff_member.choices = choices(
            [
                (str(p.id), f"{p.name} ({p.staff_ref}, {p.grade.value}, {p.site.code})")
                for p in staff
            ],
            blank="Choose a practitioner",
        )

    def validate_staff_member(self, field: GovSelectField) -> None:
        """One of the listed practitioners."""
        if field.data not in self.staff:
            raise ValidationError("Choose the practitioner to exclude")


class CaseFilterForm(PlannerForm):
    """The list's filters, read from the query string."""

    class Meta:
        csrf = False

    region = GovSelectField("Region", coerce=str)
    site = GovSelectField("Site", coerce=str)
    setting = GovSelectField("Setting", choices=enum_choices(Setting, blank="Any"))
    rosh = GovSelectField("RoSH", choices=enum_choices(Rosh, blank="Any"))
    cohort = GovSelectField("Cohort", choices=enum_choices(Cohort, blank="Any"))
    mappa_level = GovSelectField(
        "MAPPA level", choices=choices([("1", "1"), ("2", "2"), ("3", "3")], "Any")
    )
    covered = GovSelectField(
        "Covered",
        choices=choices([("yes", "Every need held"), ("no", "A need with nobody")], "Any"),
    )

    def __init__(self, *args: Any, regions: list[Any], sites: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.region.choices = choices([(str(r.id), r.name) for r in regions], "Any")
        self.site.choices = choices([(str(s.id), s.code) for s in sites], "Any")


class PinForm(PlannerForm):
    """Why a holder is pinned to a need (or unpinned)."""

    reason = TextAreaField(
        "Why?",
        widget=GovTextArea(),
        filters=[strip],
        validators=[DataRequired(message="Enter the reason"), Length(max=200)],
    )
    submit = SubmitField("Confirm", widget=GovSubmitInput())


class AccessForm(PlannerForm):
    """Whether a case is restricted, and the users named on it."""

    restricted = RadioField(
        "Is this a limited access case?",
        widget=RadioInput(),
        choices=choices(
            [
                ("no", "No: everyone who sees its region can open it"),
                ("yes", "Yes: only the people named below, and national admins"),
            ]
        ),
        validators=[InputRequired(message="Select whether the case has limited access")],
        invalid_choice_message="Select whether the case has limited access",
    )
    users = GovCheckboxesField("Who may open it", choices=[], validate_choice=False)
    submit = SubmitField("Save access", widget=GovSubmitInput())

    def __init__(self, users: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.users.choices = choices([(str(user_id), name) for user_id, name in users])

    def validate_users(self, field: GovCheckboxesField) -> None:
        """Only users offered may be named."""
        offered = {choice.value for choice in field.choices}
        if any(value not in offered for value in field.data or []):
            raise ValidationError("Select people from the list")

    def named(self) -> set[int]:
        """The ids of the users ticked."""
        return {int(value) for value in self.users.data or []}
