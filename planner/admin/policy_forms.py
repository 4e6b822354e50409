"""The forms that change the policy: boxes for numbers; choices of vetting, skills and grade."""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable, Iterable, Mapping
from typing import Any, ClassVar

from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import SubmitField
from wtforms.validators import ValidationError

from planner.admin.numbers import Number, NumberField, Path, dig
from planner.domain.policy import Policy
from planner.domain.vocabulary import VETTING_ORDER, Grade, Rosh, Vetting, skill_choices
from planner.web.forms import GovCheckboxesField, GovSelectField, PlannerForm, choices, enum_choices

# A rule across several numbers of a group: given the valid ones as stored, it names each
# number that breaks it and says why.
Check = Callable[[Mapping[Path, Any]], Iterable[tuple[Path, str]]]


class PolicyForm(PlannerForm):
    """A form that changes some of the policy's settings."""

    submit = SubmitField("Save changes", widget=GovSubmitInput())

    @classmethod
    def initial(cls, policy: Policy) -> dict[str, Any]:
        """What the boxes hold before anything is typed: the policy in force."""
        raise NotImplementedError

    def changes(self, policy: Policy) -> dict[str, Any]:
        """The settings as the form has them, by name, ready to replace the policy's."""
        raise NotImplementedError


class NumbersForm(PolicyForm):
    """Boxes for some numbers of the policy, each checked alone and then together."""

    numbers: ClassVar[tuple[Number, ...]] = ()
    checks: ClassVar[tuple[Check, ...]] = ()

    def number_field(self, path: Path) -> NumberField:
        """The box for one number."""
        return self[Number.field_name_of(path)]

    def number_fields(self) -> list[NumberField]:
        """Every box, in the order of the group."""
        return [self[number.field_name] for number in self.numbers]

    def sections(self) -> list[tuple[str, list[NumberField]]]:
        """The boxes outside the grid: those under one legend together, the rest one by one."""
        sections: list[tuple[str, list[NumberField]]] = []
        outside = (field for field in self.number_fields() if len(field.number.path) < 3)
        for legend, fields in itertools.groupby(outside, key=lambda field: field.number.legend):
            if legend:
                sections.append((legend, list(fields)))
            else:
                sections.extend(("", [field]) for field in fields)
        return sections

    def grid(self) -> list[tuple[str, list[NumberField]]]:
        """The boxes of a table by tier and case type, a row for each tier."""
        cells = (field for field in self.number_fields() if len(field.number.path) == 3)
        return [
            (str(tier), list(fields))
            for tier, fields in itertools.groupby(cells, key=lambda field: field.number.path[1])
        ]

    def validate(self, extra_validators: Any = None) -> bool:
        """Each number in range, then the rules between them (only on numbers typed well)."""
        valid = super().validate(extra_validators)
        stored = {
            field.number.path: field.number.to_stored(field.value)
            for field in self.number_fields()
            if not field.errors
        }
        for check in self.checks:
            for path, message in check(stored):
                field = self.number_field(path)
                if not field.errors:
                    field.errors.append(message)
                valid = False
        return valid

    @classmethod
    def initial(cls, policy: Policy) -> dict[str, Any]:
        """Each box holds the number in force, in the unit it is typed in."""
        return {
            number.field_name: number.to_typed(
                dig(getattr(policy, str(number.path[0])), number.path[1:])
            )
            for number in cls.numbers
        }

    def changes(self, policy: Policy) -> dict[str, Any]:
        """Whole settings rebuilt from the boxes: tables keep the entries the form does not show."""
        changes: dict[str, Any] = {}
        positions: dict[str, dict[int, Any]] = {}
        for field in self.number_fields():
            key, *parts = field.number.path
            value = field.number.to_stored(field.value)
            current = getattr(policy, str(key))
            if not parts:
                changes[str(key)] = value
            elif isinstance(current, list):
                positions.setdefault(str(key), {})[int(parts[0])] = value
            else:
                target = changes.setdefault(str(key), copy.deepcopy(current))
                for part in parts[:-1]:
                    target = target.setdefault(part, {})
                target[parts[-1]] = value
        for key, values in positions.items():
            # Blank periods at the end are dropped: the list is as long as what was typed.
            changes[key] = [values[index] for index in sorted(values) if values[index] is not None]
        return changes


def numbers_form(name: str, numbers: tuple[Number, ...], checks: tuple[Check, ...]) -> type:
    """A form class with one box for each number."""
    fields = {number.field_name: NumberField(number.label, number=number) for number in numbers}
    return type(name, (NumbersForm,), {"numbers": numbers, "checks": checks, **fields})


class RequirementsForm(PolicyForm):
    """The vetting every case needs, and the vetting, skills and grade that harder cases need."""

    base_vetting = GovSelectField("Vetting every case needs", choices=enum_choices(Vetting))
    ct_vetting = GovSelectField(
        "Vetting counter-terrorism cases need",
        description="TACT, terrorist-connected and terrorist-risk cases",
        choices=enum_choices(Vetting),
    )
    ct_skills = GovCheckboxesField(
        "Skills counter-terrorism cases need",
        description="Select all that apply. Leave all unselected if no skill is needed.",
        choices=choices(skill_choices()),
    )
    senior_grade = GovSelectField(
        "Grade high and very high RoSH cases need",
        description="The lowest grade that may hold them, and that a probation POM must hold",
        choices=enum_choices(Grade),
    )

    @classmethod
    def initial(cls, policy: Policy) -> dict[str, Any]:
        """The choices in force."""
        return {
            "base_vetting": policy.base_vetting,
            "ct_vetting": policy.ct_vetting,
            "ct_skills": list(policy.ct_skills),
            "senior_grade": policy.senior_grade,
        }

    def validate_ct_vetting(self, field: GovSelectField) -> None:
        """Counter-terrorism cases cannot need less vetting than every case does."""
        if self.base_vetting.data not in {v.value for v in Vetting}:
            return
        if VETTING_ORDER.index(Vetting(field.data)) < VETTING_ORDER.index(
            Vetting(self.base_vetting.data)
        ):
            raise ValidationError(
                "The vetting counter-terrorism cases need must be at least the vetting "
                f"every case needs ({self.base_vetting.data})"
            )

    def changes(self, policy: Policy) -> dict[str, Any]:
        """The choices as the policy stores them (skills in the order they are listed)."""
        chosen = set(self.ct_skills.data or [])
        return {
            "base_vetting": self.base_vetting.data,
            "ct_vetting": self.ct_vetting.data,
            "ct_skills": [skill for skill, _ in skill_choices() if skill in chosen],
            "senior_grade": Grade(self.senior_grade.data).value,
        }


class OverloadForm(PolicyForm):
    """The risks whose needs may take a person past the safe workload."""

    beyond_safe_risks = GovCheckboxesField(
        "Needs that may take a person past the safe workload",
        description="Select all that apply. Needs of other risks stop at the safe workload; "
        "nothing but a pin goes past the hard capacity.",
        choices=enum_choices(reversed(Rosh)),
    )

    @classmethod
    def initial(cls, policy: Policy) -> dict[str, Any]:
        """The risks in force."""
        return {"beyond_safe_risks": list(policy.beyond_safe_risks)}

    def changes(self, policy: Policy) -> dict[str, Any]:
        """The risks chosen, highest first."""
        chosen = set(self.beyond_safe_risks.data or [])
        return {
            "beyond_safe_risks": [rosh.value for rosh in reversed(Rosh) if rosh.value in chosen]
        }
