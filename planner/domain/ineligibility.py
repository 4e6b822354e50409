"""Why someone may not hold a need, in a manager's words: one sentence per rule they break."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from planner.domain.vocabulary import LANGUAGES, VETTING_ORDER, Vetting, label

# What a person lacking a skill is not, in the words of a list of people.
LACKING = {
    "ct_trained": "Not CT trained",
    "erg_assessor": "Not an extremism risk assessor",
    "polygraph": "Not a polygraph examiner",
}


@dataclass(frozen=True)
class NeedTerms:
    """What a need asks of its holder."""

    min_grade: str
    vetting: str
    skills: tuple[str, ...]
    site: str


@dataclass(frozen=True)
class PersonTerms:
    """What a person brings, as recorded (their vetting before any lapse counts against it)."""

    grade: str
    vetting: str
    vetting_expiry: date | None
    skills: tuple[str, ...]
    site: str


def _date(day: date) -> str:
    """A date as GOV.UK writes it."""
    return f"{day.day} {day:%B %Y}"


def _sentence(text: str) -> str:
    """Text with its first letter upper case, the rest as it was."""
    return text[:1].upper() + text[1:]


def missing_skill(skill: str) -> str:
    """A skill the person lacks, in words."""
    if skill in LACKING:
        return LACKING[skill]
    if skill in LANGUAGES:
        return f"Does not speak {skill.title()}"
    return f"Lacks the skill {label(skill).lower()}"


def vetting_words(need: NeedTerms, person: PersonTerms, on: date) -> str:
    """Why their vetting does not do: lapsed, or too low."""
    rank = {level.value: index for index, level in enumerate(VETTING_ORDER)}
    recorded, wanted = rank.get(person.vetting, 0), rank.get(need.vetting, 0)
    if person.vetting_expiry is not None and person.vetting_expiry < on and recorded >= wanted:
        return f"Vetting lapsed on {_date(person.vetting_expiry)}"
    wanted_words = f"this needs {label(Vetting(need.vetting))} or above"
    if person.vetting == Vetting.NONE:
        return f"Not vetted; {wanted_words}"
    return f"Vetted {label(Vetting(person.vetting))}; {wanted_words}"


def why_not(
    rule: str,
    need: NeedTerms,
    person: PersonTerms,
    on: date,
    exclusion: str | None = None,
    away: str | None = None,
) -> list[str]:
    """The sentences that say why one broken rule (optimisation's RULE_NAMES) rules them out."""
    if rule == "role":
        return ["Works in the other role (POM or COM)"]
    if rule == "region":
        return ["Works in another region"]
    if rule == "site":
        return [f"Works at {person.site}, not {need.site}"]
    if rule == "grade":
        return [f"A {person.grade}; this needs a {need.min_grade} or above"]
    if rule == "vetting":
        return [vetting_words(need, person, on)]
    if rule == "skills":
        return [missing_skill(skill) for skill in need.skills if skill not in person.skills]
    if rule == "available":
        return [f"{_sentence(away or 'away')}: no hours this week"]
    if rule == "accepting":
        return [f"{_sentence(away or 'away')}: takes no new cases for now"]
    if rule == "excluded":
        return [f"Excluded from this case: {exclusion}" if exclusion else "Excluded from this case"]
    return [label(rule)]
