"""The records as an import reads them: each kind in exactly its import columns, within reach.

Exporting a kind and importing the file again changes nothing: the same functions give a
stored record's values for the sheet and for the comparison an import's preview makes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from enum import StrEnum
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from planner.cases.services import DATE_FIELDS
from planner.domain.reach import Reach
from planner.domain.vocabulary import SKILLS, NeedSource
from planner.extensions import db
from planner.imports.columns import ImportKind, headers
from planner.models import Absence, Case, Need, StaffMember
from planner.models.reach import case_openable, staff_within
from planner.staff.services import languages_of
from planner.web.spreadsheets import Sheet

# "Set by manager.one: why", or "Set by cli:root: why" from the command line.
SET_BY = re.compile(r"^Set by \S+: ")


def reason_of(need: Need) -> str | None:
    """The reason a manager gave for a need they set (its rule, without who set it)."""
    if need.source != NeedSource.MANAGER or not need.active:
        return None
    return SET_BY.sub("", need.rule, count=1)


def skill_cells(skills: Iterable[str]) -> tuple[str, str]:
    """A person's skills as the two cells that hold them: the fixed skills, and languages."""
    held = list(skills)
    fixed = ", ".join(skill for skill in SKILLS if skill in held)
    languages = ", ".join(sorted(language.title() for language in languages_of(held)))
    return fixed, languages


def staff_values(person: StaffMember) -> dict[str, Any]:
    """A practitioner's values, column by column."""
    skills, languages = skill_cells(person.skills)
    return {
        "staff_id": person.staff_ref,
        "name": person.name,
        "role": person.role,
        "grade": person.grade,
        "site": person.site.code,
        "contracted_hours": person.contracted_hours,
        "other_work_hours": person.other_work_hours,
        "vetting": person.vetting,
        "vetting_expiry": person.vetting_expiry,
        "skills": skills,
        "languages": languages,
        "max_cases": person.max_cases,
        "training_start": person.training_start,
        "active": person.active,
    }


def case_values(case: Case) -> dict[str, Any]:
    """A case's facts, column by column."""
    values: dict[str, Any] = {
        "reference": case.reference,
        "name": case.name,
        "cohort": case.cohort,
        "rosh": case.rosh,
        "tier": case.tier,
        "mappa_category": case.mappa_category,
        "mappa_level": case.mappa_level,
        "setting": case.setting,
        "site": case.site.code,
        "sentence_type": case.sentence_type,
    }
    values.update({name: getattr(case, name) for name in DATE_FIELDS})
    return values


def absence_values(absence: Absence) -> dict[str, Any]:
    """An absence or reduction, column by column (the hours only a reduction has)."""
    return {
        "staff_id": absence.staff_member.staff_ref,
        "kind": absence.kind,
        "start_date": absence.start_date,
        "end_date": absence.end_date,
        "hours_per_week": absence.hours_per_week,
        "note": absence.note,
    }


def need_values(need: Need) -> dict[str, Any]:
    """A need set by hand, column by column (the reason without who gave it)."""
    return {
        "reference": need.case.reference,
        "need": need.key,
        "role": need.role,
        "min_grade": need.min_grade,
        "hours": need.hours,
        "vetting": need.vetting,
        "skills": ", ".join(sorted(need.skills)),
        "same_site": need.same_site,
        "reason": reason_of(need),
    }


def cell(value: Any) -> Any:
    """A value as a spreadsheet cell holds it: choices by their values, yes or no."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, StrEnum):
        return value.value
    return value


def _sheet(kind: ImportKind, title: str, rows: Iterable[dict[str, Any]]) -> Sheet:
    """A kind's records as a sheet in its import columns."""
    names = headers(kind)
    return Sheet(title, names, ([cell(values[name]) for name in names] for values in rows))


def _streamed(query: Select[Any], values: Callable[[Any], dict[str, Any]]) -> Iterator[Any]:
    """The query's records as values, read in batches so a national list stays small."""
    for record in db.session.scalars(query.execution_options(yield_per=1000)):
        yield values(record)


def staff_sheet(reach: Reach) -> Sheet:
    """Every practitioner the reach may see, active or not, in the staff import's columns."""
    query = (
        select(StaffMember)
        .where(staff_within(reach))
        .options(joinedload(StaffMember.site))
        .order_by(StaffMember.staff_ref)
    )
    return _sheet(ImportKind.STAFF, "Staff", _streamed(query, staff_values))


def case_sheet(reach: Reach) -> Sheet:
    """Every active case the reach may open, in the cases import's columns."""
    query = (
        select(Case)
        .where(Case.active, case_openable(reach))
        .options(joinedload(Case.site))
        .order_by(Case.reference)
    )
    return _sheet(ImportKind.CASES, "Cases", _streamed(query, case_values))


def _absences(reach: Reach, reductions: bool) -> Select[Any]:
    """The absences (or the reductions) of the practitioners the reach may see."""
    hours = Absence.hours_per_week
    return (
        select(Absence)
        .join(Absence.staff_member)
        .where(staff_within(reach), hours.is_not(None) if reductions else hours.is_(None))
        .options(joinedload(Absence.staff_member))
        .order_by(StaffMember.staff_ref, Absence.start_date, Absence.end_date)
    )


def absence_sheet(reach: Reach) -> Sheet:
    """Every whole-time absence of the practitioners the reach may see."""
    query = _absences(reach, reductions=False)
    return _sheet(ImportKind.ABSENCES, "Absences", _streamed(query, absence_values))


def reduction_sheet(reach: Reach) -> Sheet:
    """Every reduction of hours of the practitioners the reach may see."""
    query = _absences(reach, reductions=True)
    return _sheet(ImportKind.REDUCTIONS, "Reductions", _streamed(query, absence_values))


def need_sheet(reach: Reach) -> Sheet:
    """Every need set by hand on the active cases the reach may open."""
    query = (
        select(Need)
        .join(Need.case)
        .where(Need.source == NeedSource.MANAGER, Need.active, Case.active, case_openable(reach))
        .options(joinedload(Need.case))
        .order_by(Case.reference, Need.key)
    )
    return _sheet(ImportKind.NEEDS, "Needs set by hand", _streamed(query, need_values))


RECORD_SHEETS: dict[ImportKind, Callable[[Reach], Sheet]] = {
    ImportKind.STAFF: staff_sheet,
    ImportKind.CASES: case_sheet,
    ImportKind.ABSENCES: absence_sheet,
    ImportKind.REDUCTIONS: reduction_sheet,
    ImportKind.NEEDS: need_sheet,
}
