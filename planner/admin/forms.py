"""The forms of the admin pages: users and their roles, passwords and status; regions and sites."""

from __future__ import annotations

import re
from typing import Any

from govuk_frontend_wtf.wtforms_widgets import (
    GovPasswordInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import PasswordField, RadioField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Regexp,
    ValidationError,
)

from planner.domain.passwords import MIN_PASSWORD_LENGTH
from planner.domain.vocabulary import SiteKind, UserRole
from planner.web.forms import (
    GovCheckboxesField,
    PlannerForm,
    RadioInput,
    choices,
    email_field,
    enum_choices,
    strip,
    upper,
)

USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
# A site's code starts with what it is: HMP-BELMARSH, PDU-CAMDEN, NSD-LONDON.
SITE_CODE = re.compile(r"^[A-Z0-9]+(-[A-Z0-9]+)+$")
CODE_PREFIXES = {SiteKind.PRISON: "HMP", SiteKind.PDU: "PDU", SiteKind.NSD: "NSD"}
CODE_EXAMPLES = {
    SiteKind.PRISON: "HMP-BELMARSH",
    SiteKind.PDU: "PDU-CAMDEN",
    SiteKind.NSD: "NSD-LONDON",
}
ROLE_HINTS = {
    UserRole.VIEWER: "Reads cases, staff, plans and settings; changes nothing",
    UserRole.MANAGER: "Manages cases, staff and plans",
    UserRole.ADMIN: "Manages users, settings and places, as well as everything a manager does",
}
MAX_PASSWORD_LENGTH = 200


def region_id(value: Any) -> int | None:
    """A region's id as sent, or None when none (or nonsense) was sent."""
    return int(value) if str(value).isdigit() else None


def role_field(label: str) -> RadioField:
    """Radios for a role, each saying what it allows."""
    return RadioField(
        label,
        widget=RadioInput(),
        choices=enum_choices(UserRole),
        invalid_choice_message="Select a role",
    )


def role_items() -> list[dict[str, Any]]:
    """The hint under each role's radio, in the order of the choices."""
    return [{"hint": {"text": ROLE_HINTS[role]}} for role in UserRole]


def new_password() -> PasswordField:
    """A box for a new password; the password policy is checked where it is set."""
    return PasswordField(
        "Password",
        widget=GovPasswordInput(),
        description=f"At least {MIN_PASSWORD_LENGTH} characters, not the username. A few "
        "unrelated words are easy to remember and hard to guess.",
        validators=[
            InputRequired(message="Enter a password"),
            Length(
                max=MAX_PASSWORD_LENGTH,
                message=f"The password must be {MAX_PASSWORD_LENGTH} characters or fewer",
            ),
        ],
    )


def password_again() -> PasswordField:
    """A box for the same password again, to catch a slip of the finger."""
    return PasswordField(
        "Confirm password",
        widget=GovPasswordInput(),
        validators=[InputRequired(message="Enter the password again")],
    )


class ConfirmedPassword:
    """Forms with a password typed twice: both must match."""

    def validate_confirm_password(self, field: PasswordField) -> None:
        """Both boxes hold the same password."""
        if field.data != self.password.data:  # type: ignore[attr-defined]
            raise ValidationError("The passwords do not match: enter the same password twice")


NATIONAL = "national"
REGIONS_MESSAGE = "Select the regions this user may see, or every region"


def regions_field() -> GovCheckboxesField:
    """Checkboxes of the regions a user may see, and one for every region (national)."""
    return GovCheckboxesField(
        "Regions they may see",
        description="They see the cases, staff, alerts and plans of these regions only; "
        "another region's pages answer as if they did not exist.",
        validators=[InputRequired(message=REGIONS_MESSAGE)],
        # validate_regions says what is wrong in words; WTForms' own message is a code's.
        validate_choice=False,
    )


class ReachFields:
    """What a form that sets a user's regions shares: the choices, the check and the answer."""

    regions: GovCheckboxesField

    def offer_regions(self, regions: list[tuple[int, str]]) -> None:
        """Offer each region, then every region."""
        pairs = [(str(region), name) for region, name in regions]
        self.regions.choices = choices([*pairs, (NATIONAL, "Every region (national)")])

    def validate_regions(self, field: GovCheckboxesField) -> None:
        """At least one region, or national; only what was offered."""
        offered = {choice.value for choice in field.choices}
        chosen = field.data or []
        if not chosen or any(value not in offered for value in chosen):
            raise ValidationError(REGIONS_MESSAGE)

    def national(self) -> bool:
        """Whether every region was chosen."""
        return NATIONAL in (self.regions.data or [])

    def region_ids(self) -> set[int]:
        """The regions chosen (none when national)."""
        if self.national():
            return set()
        return {int(value) for value in self.regions.data or [] if value.isdigit()}


def region_items(regions: list[tuple[int, str]]) -> list[dict[str, Any]]:
    """The GOV.UK items of the regions' checkboxes: "every region" stands apart, exclusive."""
    national = {
        "behaviour": "exclusive",
        "hint": {"text": "Every region there is, and any added later"},
    }
    return [*({} for _ in regions), national]


def reach_words(user: Any) -> str:
    """What a user sees, in words: "every region", or the regions by name."""
    if user.national:
        return "every region"
    names = [region.name for region in user.regions]
    if not names:
        return "no region"
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


class RegionsForm(ReachFields, PlannerForm):
    """The regions a user may see."""

    regions = regions_field()
    submit = SubmitField("Save regions", widget=GovSubmitInput())

    def __init__(self, regions: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.offer_regions(regions)


class AddUserForm(ConfirmedPassword, ReachFields, PlannerForm):
    """A new account: a username, a role and a password."""

    username = StringField(
        "Username",
        widget=GovTextInput(),
        description="Letters, numbers, full stops, hyphens and underscores, like jo.bloggs",
        filters=[strip],
        validators=[
            DataRequired(message="Enter a username"),
            Length(max=60, message="The username must be 60 characters or fewer"),
            Regexp(
                USERNAME,
                message="The username must start with a letter or number and contain only "
                "letters, numbers, full stops, hyphens and underscores",
            ),
        ],
    )
    role = role_field("Role")
    regions = regions_field()
    password = new_password()
    confirm_password = password_again()
    submit = SubmitField("Add user", widget=GovSubmitInput())

    def __init__(self, regions: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.offer_regions(regions)


class RoleForm(PlannerForm):
    """Another role for a user."""

    role = role_field("Role")
    submit = SubmitField("Save role", widget=GovSubmitInput())


class EmailForm(PlannerForm):
    """Where a user's emails go: the weekly digest of alerts, and news of their runs."""

    email = email_field("Work email address", "Leave it empty to send them no email")
    submit = SubmitField("Save email address", widget=GovSubmitInput())


class StatusForm(PlannerForm):
    """Whether a user may sign in."""

    active = RadioField(
        "Can this user sign in?",
        widget=RadioInput(),
        description="A deactivated user cannot sign in. Their account, and what they changed, "
        "are kept.",
        choices=choices([("yes", "Yes, the account is active"), ("no", "No, deactivate it")]),
        invalid_choice_message="Select whether this user can sign in",
    )
    submit = SubmitField("Save", widget=GovSubmitInput())


class PasswordForm(ConfirmedPassword, PlannerForm):
    """A new password for a user."""

    password = new_password()
    confirm_password = password_again()
    submit = SubmitField("Set password", widget=GovSubmitInput())


class RegionForm(PlannerForm):
    """A region's name."""

    name = StringField(
        "Name",
        widget=GovTextInput(),
        description="Like London or North West",
        filters=[strip],
        validators=[
            DataRequired(message="Enter the name of the region"),
            Length(max=80, message="The name must be 80 characters or fewer"),
        ],
    )
    submit = SubmitField("Save region", widget=GovSubmitInput())


class SiteForm(PlannerForm):
    """A prison, a PDU or an NSD team: its code, name, kind and region."""

    kind = RadioField(
        "Kind of site",
        widget=RadioInput(),
        choices=enum_choices(SiteKind),
        invalid_choice_message="Select the kind of site",
    )
    code = StringField(
        "Code",
        widget=GovTextInput(),
        description="Starts HMP- for a prison, PDU- for a PDU and NSD- for an NSD team, like "
        "HMP-BELMARSH, PDU-CAMDEN or NSD-LONDON",
        filters=[upper],
        validators=[
            DataRequired(message="Enter the site code, like HMP-BELMARSH"),
            Length(max=40, message="The code must be 40 characters or fewer"),
            Regexp(
                SITE_CODE,
                message="The code must be capital letters and numbers in parts joined by "
                "hyphens, like HMP-BELMARSH",
            ),
        ],
    )
    name = StringField(
        "Name",
        widget=GovTextInput(),
        description="As people know it, like HMP Belmarsh or Camden and Islington PDU",
        filters=[strip],
        validators=[
            DataRequired(message="Enter the site name"),
            Length(max=120, message="The name must be 120 characters or fewer"),
        ],
    )
    region = RadioField(
        "Region",
        widget=RadioInput(),
        coerce=region_id,
        invalid_choice_message="Select the region",
    )
    submit = SubmitField("Save site", widget=GovSubmitInput())

    def __init__(self, regions: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.region.choices = [SelectChoice(region_id, name) for region_id, name in regions]

    def validate_code(self, field: StringField) -> None:
        """The code starts with the kind of site: HMP-, PDU- or NSD-."""
        if self.kind.data not in {kind.value for kind in SiteKind}:
            return
        kind = SiteKind(self.kind.data)
        if not field.data.startswith(f"{CODE_PREFIXES[kind]}-"):
            raise ValidationError(
                f"The code of a {kind_words(kind)} must start {CODE_PREFIXES[kind]}-, "
                f"like {CODE_EXAMPLES[kind]}"
            )


def kind_words(kind: SiteKind) -> str:
    """A kind of site in the middle of a sentence."""
    return {SiteKind.PRISON: "prison", SiteKind.PDU: "PDU", SiteKind.NSD: "NSD team"}[kind]
