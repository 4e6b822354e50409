"""The kinds of record a spreadsheet can bring in, and the columns each kind's file holds."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from planner.domain.vocabulary import (
    SKILL_WORDS,
    AbsenceKind,
    Cohort,
    Grade,
    Role,
    Rosh,
    SentenceType,
    Setting,
    Vetting,
)
from planner.imports.values import one_of, words_of


class ImportKind(StrEnum):
    """What a file holds: practitioners, cases, whole-time absences or reductions of hours."""

    STAFF = "staff"
    CASES = "cases"
    ABSENCES = "absences"
    REDUCTIONS = "reductions"
    NEEDS = "needs"


KIND_NAMES = {
    ImportKind.STAFF: "Staff",
    ImportKind.CASES: "Cases",
    ImportKind.ABSENCES: "Absences (all their working time)",
    ImportKind.REDUCTIONS: "Reductions (some hours each week)",
    ImportKind.NEEDS: "Needs set by hand (on cases)",
}


@dataclass(frozen=True)
class Column:
    """A column of an import file: its header, whether it must hold a value, and what it holds."""

    name: str
    required: str
    holds: str


_DATE = "a date, like 2026-12-03 (or 3/12/2026)"
_ABSENCE_KINDS = words_of(AbsenceKind)
_STAFF_ID = Column("staff_id", "yes", "the person's staff ID, like S-LDN-001")

COLUMNS: dict[ImportKind, tuple[Column, ...]] = {
    ImportKind.STAFF: (
        _STAFF_ID,
        Column("name", "yes", "their full name"),
        Column("role", "yes", words_of(Role)),
        Column("grade", "yes", words_of(Grade)),
        Column("site", "yes", "the code of their site, like PDU-CAMDEN (a prison for a POM)"),
        Column("contracted_hours", "yes", "hours a week in their contract, like 37 or 22.5"),
        Column("other_work_hours", "no", "hours a week of work held elsewhere (empty is 0)"),
        Column("vetting", "yes", words_of(Vetting)),
        Column("vetting_expiry", "for CTC, SC and DV", _DATE),
        Column("skills", "no", "any of " + one_of(SKILL_WORDS.values()) + ", separated by commas"),
        Column("languages", "no", "languages other than English, separated by commas"),
        Column("max_cases", "no", "the most cases they may hold, a whole number"),
        Column("training_start", "for PQiP", _DATE),
        Column("active", "no", "yes or no (empty is yes)"),
    ),
    ImportKind.CASES: (
        Column("reference", "yes", "the case reference, like CT-LDN-0042"),
        Column("name", "yes", "the person's name"),
        Column("cohort", "yes", words_of(Cohort)),
        Column("rosh", "yes", words_of(Rosh)),
        Column("tier", "yes", "the tier, like A3 or C1"),
        Column("mappa_category", "with the level", "1 to 4, or empty if not MAPPA"),
        Column("mappa_level", "with the category", "1 to 3, or empty if not MAPPA"),
        Column("setting", "yes", words_of(Setting)),
        Column("site", "yes", "the code of the prison (in custody) or the PDU or NSD team"),
        Column("sentence_type", "yes", words_of(SentenceType)),
        Column("sentence_date", "for a sentence", _DATE),
        Column("release_date", "determinate, in custody", _DATE + ": CRD or ARD"),
        Column("parole_eligibility_date", "no", _DATE),
        Column("tariff_expiry_date", "indeterminate (or a hearing)", _DATE),
        Column("parole_hearing_date", "no", _DATE),
        Column("released_on", "released on licence", _DATE),
        Column("licence_end_date", "no", _DATE),
        Column("next_mappa_review", "no", _DATE),
        Column("next_erg_review", "no", _DATE),
    ),
    ImportKind.ABSENCES: (
        _STAFF_ID,
        Column("kind", "yes", _ABSENCE_KINDS),
        Column("start_date", "yes", _DATE),
        Column("end_date", "yes", _DATE + ", the last day it covers"),
        Column("note", "no", "up to 200 characters"),
    ),
    ImportKind.REDUCTIONS: (
        _STAFF_ID,
        Column("kind", "yes", _ABSENCE_KINDS),
        Column("start_date", "yes", _DATE),
        Column("end_date", "yes", _DATE + ", the last day it covers"),
        Column("hours_per_week", "yes", "hours a week taken away, like 7.4"),
        Column("note", "no", "up to 200 characters"),
    ),
    ImportKind.NEEDS: (
        Column("reference", "yes", "the case reference, like CT-LDN-0042"),
        Column(
            "need",
            "yes",
            "a need the case has, like com, or manager_1 for one the rules do not give",
        ),
        Column("role", "yes", words_of(Role) + ": who is needed"),
        Column("min_grade", "yes", "the lowest grade who may hold it: " + words_of(Grade)),
        Column("hours", "yes", "hours a week, like 3 or 1.5"),
        Column("vetting", "yes", words_of(Vetting)),
        Column("skills", "no", "skills and languages needed, separated by commas"),
        Column("same_site", "no", "yes if they must work at the person's site (empty is no)"),
        Column("reason", "yes", "why the case needs this, up to 250 characters"),
    ),
}


def headers(kind: ImportKind) -> list[str]:
    """The column headers of a kind's file, in order."""
    return [column.name for column in COLUMNS[kind]]
