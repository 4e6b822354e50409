"""Writing a practitioner's details and their absences (the audit log records each change)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from planner.domain.vocabulary import SKILLS, AbsenceKind, Grade, Role, Vetting
from planner.models import Absence, StaffMember

WHOLE_TIME = "whole"
PART_TIME = "part"


def languages_of(skills: Iterable[str]) -> list[str]:
    """The languages among a person's skills (every skill not in the fixed list)."""
    return [skill for skill in skills if skill not in SKILLS]


def skill_label(skill: str) -> str:
    """A skill as a person reads it: its name, or the language capitalised."""
    return SKILLS.get(skill, skill.title())


@dataclass(frozen=True)
class StaffDetails:
    """Everything a manager records about a practitioner."""

    staff_ref: str
    name: str
    role: Role
    grade: Grade
    site_id: int
    contracted_hours: float
    other_work_hours: float
    vetting: Vetting
    vetting_expiry: date | None
    skills: list[str]
    max_cases: int | None
    training_start: date | None
    active: bool
    email: str | None = None
    emailed: bool = True


@dataclass(frozen=True)
class AbsenceDetails:
    """Everything a manager records about an absence or a reduction."""

    kind: AbsenceKind
    start_date: date
    end_date: date
    hours_per_week: float | None
    note: str | None

    @classmethod
    def of(cls, absence: Absence) -> AbsenceDetails:
        """The details of a stored absence."""
        return cls(
            kind=absence.kind,
            start_date=absence.start_date,
            end_date=absence.end_date,
            hours_per_week=absence.hours_per_week,
            note=absence.note,
        )


def _apply(row: StaffMember | Absence, details: StaffDetails | AbsenceDetails) -> None:
    """Set each detail on the row; the audit log compares old and new values on flush."""
    for name, value in dataclasses.asdict(details).items():
        setattr(row, name, value)


def add_staff_member(session: Session, details: StaffDetails) -> StaffMember:
    """Record a new practitioner."""
    person = StaffMember()
    _apply(person, details)
    session.add(person)
    session.flush()
    return person


def update_staff_member(person: StaffMember, details: StaffDetails) -> None:
    """Change a practitioner's details."""
    _apply(person, details)


def add_absence(person: StaffMember, details: AbsenceDetails) -> Absence:
    """Record an absence or reduction for a practitioner."""
    absence = Absence()
    _apply(absence, details)
    person.absences.append(absence)
    return absence


def update_absence(absence: Absence, details: AbsenceDetails) -> None:
    """Change an absence or reduction."""
    _apply(absence, details)


def remove_absence(session: Session, absence: Absence) -> None:
    """Remove an absence or reduction (the log keeps what it was)."""
    absence.staff_member.absences.remove(absence)
    session.delete(absence)
