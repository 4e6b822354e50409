"""A staff file's rows, checked by the staff form itself and matched to people by staff ID."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload
from werkzeug.datastructures import MultiDict

from planner.domain.reach import Reach
from planner.domain.vocabulary import SKILLS, Grade, Role, Vetting, label
from planner.imports.checking import NO_CSRF, Places, ValidRow, duplicate, put_date, verdict
from planner.imports.problems import Problems
from planner.imports.records import skill_cells
from planner.imports.values import BadCell, choice, items, one_of, yes_or_no
from planner.models import StaffMember
from planner.staff.forms import StaffForm
from planner.staff.services import StaffDetails

# The form's fields by the file's columns, where their names differ.
COLUMNS = {"staff_ref": "staff_id", "site_id": "site"}
CHOICES = {"role": Role, "grade": Grade, "vetting": Vetting}
SKILL_NAMES = one_of(label(skill) for skill in SKILLS)
PLAIN = ("name", "contracted_hours", "other_work_hours", "languages", "max_cases")


class StaffRowForm(StaffForm):
    """The staff form as a row fills it: a staff ID already held is matched to its person."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The site is one of the user's, found by its code before the form sees it, and
        # validate_site_id checks its kind: going through every site for each row is waste.
        self.site_id.validate_choice = False

    def validate_staff_ref(self, field: Any) -> None:
        """Whose the staff ID is, the file's matching decides (the form checks its form)."""


def load_staff(session: Session, absences: bool = False) -> dict[str, StaffMember]:
    """Every practitioner by staff ID in capitals, with their site (and absences if asked)."""
    options = [joinedload(StaffMember.site)]
    if absences:
        options.append(selectinload(StaffMember.absences))
    people = session.scalars(select(StaffMember).options(*options)).unique()
    return {person.staff_ref.upper(): person for person in people}


class StaffRows:
    """Checks a staff file's rows against the form, the sites and the people there are."""

    def __init__(self, session: Session, reach: Reach) -> None:
        self.places = Places(session, reach)
        self.people = load_staff(session)
        self.seen: dict[tuple[Any, ...], int] = {}
        self.form = StaffRowForm(self.places.within, formdata=MultiDict(), meta=NO_CSRF)

    def check(self, row: int, cells: dict[str, str], problems: Problems) -> ValidRow | None:
        """The row as a person's details, or None with its problems noted."""
        staff_id = cells["staff_id"].upper()
        person = self.people.get(staff_id)
        if person is not None and person.site_id not in self.places.within_ids:
            problems.add(row, "staff_id", f"Staff ID {staff_id} is someone you cannot change")
        earlier = duplicate(self.seen, (staff_id,), row) if staff_id else None
        if earlier is not None:
            problems.add(row, "staff_id", f"Staff ID {staff_id} is also on row {earlier}")
        form = self.form
        formdata = self._formdata(row, cells, problems, person)
        if not verdict(form, formdata, row, COLUMNS, problems):
            return None
        if problems.of_row(row):
            return None
        details = form.details()
        return ValidRow(
            row=row,
            key=(details.staff_ref,),
            label=f"{details.name} ({details.staff_ref})",
            details=details,
            values=self.values(details),
            record=person,
        )

    def values(self, details: StaffDetails) -> dict[str, Any]:
        """The details column by column, as a stored person's are (records.staff_values)."""
        skills, languages = skill_cells(details.skills)
        return {
            "staff_id": details.staff_ref,
            "name": details.name,
            "role": details.role,
            "grade": details.grade,
            "site": self.places.by_id[details.site_id].code,
            "contracted_hours": details.contracted_hours,
            "other_work_hours": details.other_work_hours,
            "vetting": details.vetting,
            "vetting_expiry": details.vetting_expiry,
            "skills": skills,
            "languages": languages,
            "max_cases": details.max_cases,
            "training_start": details.training_start,
            "active": details.active,
        }

    def _formdata(
        self, row: int, cells: dict[str, str], problems: Problems, person: StaffMember | None
    ) -> MultiDict[str, str]:
        """What the staff form would have been sent for this row."""
        data: MultiDict[str, str] = MultiDict({name: cells[name] for name in PLAIN})
        # Email is set on the person's page, not in a file: a person's own stays as it is.
        if person is not None:
            data["email"] = person.email or ""
            if not person.emailed:
                data["not_emailed"] = "y"
        data["staff_ref"] = cells["staff_id"]
        for name, members in CHOICES.items():
            if cells[name]:
                try:
                    data[name] = choice(cells[name], members)
                except BadCell as error:
                    problems.add(row, name, str(error))
        site = self.places.site(cells["site"], row, "site", problems)
        data["site_id"] = str(site.id) if site else ""
        for name in ("vetting_expiry", "training_start"):
            put_date(data, name, cells[name], row, name, problems)
        for skill in items(cells["skills"]):
            found = next((key for key in SKILLS if skill.casefold() in _names(key)), None)
            if found is None:
                problems.add(row, "skills", f"{skill!r} is not one of {SKILL_NAMES}")
            else:
                data.add("skills", found)
        try:
            if yes_or_no(cells["active"], empty=True):
                data["active"] = "y"
        except BadCell as error:
            problems.add(row, "active", str(error))
        return data


def _names(skill: str) -> set[str]:
    """What a skill may be written as: its key, its label, or its short words."""
    return {skill.casefold(), SKILLS[skill].casefold(), label(skill).casefold()}
