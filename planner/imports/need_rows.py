"""A file of needs set by hand: each row checked by the need form, matched by case and need."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload
from werkzeug.datastructures import MultiDict

from planner.cases.forms import NeedForm
from planner.cases.services import NeedDetails
from planner.domain.reach import Reach
from planner.domain.vocabulary import Grade, Role, Vetting, label, skill_choices
from planner.imports.checking import NO_CSRF, ValidRow, duplicate, verdict
from planner.imports.problems import Problems
from planner.imports.values import BadCell, choice, items, one_of, yes_or_no
from planner.models import Case, Need
from planner.models.reach import case_openable

CHOICES = {"role": Role, "min_grade": Grade, "vetting": Vetting}
# A need the rules do not give is named as a manager's: manager_1, manager_2, ...
MANAGER_KEY = re.compile(r"^manager_[1-9][0-9]{0,2}$")
SKILLS = dict(skill_choices())
SKILL_NAMES = one_of(label(skill) for skill in SKILLS)
# What each skill may be written as: its key, its label on the need form, or its short words.
SKILL_WORDS = {key: {key, text.casefold(), label(key).casefold()} for key, text in SKILLS.items()}
NEW_NEED = "name a need it has, or manager_1, manager_2 and so on for one the rules do not give"


def load_cases(session: Session, reach: Reach, references: set[str]) -> dict[str, Case]:
    """The cases a file names that the user may open, with their needs, by reference."""
    found: dict[str, Case] = {}
    wanted = sorted(references)
    for start in range(0, len(wanted), 500):
        query = (
            select(Case)
            .where(Case.reference.in_(wanted[start : start + 500]), case_openable(reach))
            .options(joinedload(Case.site), selectinload(Case.needs))
        )
        found.update((case.reference, case) for case in session.scalars(query).unique())
    return found


class NeedRows:
    """Checks rows of needs set by hand against the need form and the cases' needs."""

    def __init__(self, session: Session, reach: Reach, references: set[str]) -> None:
        self.cases = load_cases(session, reach, references)
        self.seen: dict[tuple[Any, ...], int] = {}
        self.form = NeedForm(formdata=MultiDict(), editing=False, meta=NO_CSRF)

    def check(self, row: int, cells: dict[str, str], problems: Problems) -> ValidRow | None:
        """The row as a need's details, or None with its problems noted."""
        reference, key = cells["reference"].upper(), cells["need"].lower()
        case = self.cases.get(reference)
        if not reference:
            problems.add(row, "reference", "Enter the case reference")
        elif case is None:
            problems.add(row, "reference", f"There is no case {reference} that you can change")
        need = case_need(case, key) if case is not None else None
        if not key:
            problems.add(row, "need", "Enter the need, like com, or manager_1 for a new one")
        elif case is not None and need is None and not MANAGER_KEY.match(key):
            problems.add(row, "need", f"Case {reference} has no need {key}: {NEW_NEED}")
        earlier = duplicate(self.seen, (reference, key), row) if reference and key else None
        if earlier is not None:
            problems.add(row, "need", f"Row {earlier} sets the same need of case {reference}")
        if not verdict(self.form, self._formdata(row, cells, problems), row, {}, problems):
            return None
        if problems.of_row(row) or case is None:
            return None
        details = self.form.details()
        return ValidRow(
            row=row,
            key=(reference, key),
            label=f"{reference}: {key}",
            details=details,
            values=values(reference, key, details),
            record=need,
            owner=case,
        )

    def _formdata(self, row: int, cells: dict[str, str], problems: Problems) -> MultiDict[str, str]:
        """What the need form would have been sent for this row."""
        data: MultiDict[str, str] = MultiDict({"hours": cells["hours"], "reason": cells["reason"]})
        for name, members in CHOICES.items():
            if cells[name]:
                try:
                    data[name] = choice(cells[name], members)
                except BadCell as error:
                    problems.add(row, name, str(error))
        for skill in items(cells["skills"]):
            wanted = skill.casefold()
            found = next((key for key, names in SKILL_WORDS.items() if wanted in names), None)
            if found is None:
                problems.add(row, "skills", f"{skill!r} is not one of {SKILL_NAMES}")
            else:
                data.add("skills", found)
        try:
            data["same_site"] = "yes" if yes_or_no(cells["same_site"], empty=False) else "no"
        except BadCell as error:
            problems.add(row, "same_site", str(error))
        return data


def case_need(case: Case, key: str) -> Need | None:
    """The case's need of a key, if it has one."""
    return next((need for need in case.needs if need.key == key), None)


def values(reference: str, key: str, details: NeedDetails) -> dict[str, Any]:
    """The details column by column, as a stored need's are (records.need_values)."""
    return {
        "reference": reference,
        "need": key,
        "role": details.role,
        "min_grade": details.min_grade,
        "hours": details.hours,
        "vetting": details.vetting,
        "skills": ", ".join(sorted(details.skills)),
        "same_site": details.same_site,
        "reason": details.reason,
    }
