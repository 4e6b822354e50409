"""The domain's words as enumerations, in the order the users rank them (lowest first)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import StrEnum


class Role(StrEnum):
    """Where a practitioner works: a probation office (COM) or a prison (POM)."""

    PROBATION = "probation"
    PRISON = "prison"


class Grade(StrEnum):
    """Practitioner grades, lowest to highest (prison officer POMs sit at PSO)."""

    PSO = "PSO"
    PQIP = "PQiP"
    PO = "PO"
    SPO = "SPO"


class Vetting(StrEnum):
    """Security vetting levels, lowest to highest."""

    NONE = "none"
    BPSS = "BPSS"
    CTC = "CTC"
    SC = "SC"
    DV = "DV"


class Rosh(StrEnum):
    """Risk of serious harm (OASys), lowest to highest."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    VERY_HIGH = "very_high"


class Cohort(StrEnum):
    """Why a case is in the counter-terrorism caseload."""

    TACT = "TACT"
    TERRORIST_CONNECTED = "TERRORIST_CONNECTED"
    TERRORIST_RISK = "TERRORIST_RISK"
    CPPC = "CPPC"


class Setting(StrEnum):
    """Where the person is: held in a prison or supervised in the community."""

    CUSTODY = "custody"
    COMMUNITY = "community"


class SentenceType(StrEnum):
    """The sentence, which decides the handover rule."""

    DETERMINATE = "determinate"
    INDETERMINATE = "indeterminate"
    COMMUNITY_ORDER = "community_order"
    NONE = "none"


class SiteKind(StrEnum):
    """A prison, a probation delivery unit, or a National Security Division team."""

    PRISON = "prison"
    PDU = "pdu"
    NSD = "nsd"


class ResponsibilityState(StrEnum):
    """Who is involved in a case on a date."""

    CUSTODY_ONLY = "custody_only"
    CUSTODY_WITH_COM = "custody_with_com"
    COMMUNITY = "community"


class NeedSource(StrEnum):
    """Whether a need was derived by the rules or set by a manager."""

    RULES = "rules"
    MANAGER = "manager"


class AbsenceKind(StrEnum):
    """Why a person's hours are reduced."""

    ANNUAL_LEAVE = "annual_leave"
    SICKNESS = "sickness"
    TRAINING = "training"
    UNION_DUTIES = "union_duties"
    SECONDMENT = "secondment"
    OTHER = "other"


class UserRole(StrEnum):
    """What a signed-in user may do."""

    VIEWER = "viewer"
    MANAGER = "manager"
    ADMIN = "admin"


class JobStatus(StrEnum):
    """Where a piece of long work (a plan run, a look-ahead, a what-if, an ask) is."""

    QUEUED = "queued"
    RUNNING = "running"
    FINISHED = "finished"
    FAILED = "failed"
    CANCELLED = "cancelled"


# A job still to do or being done, and one that has ended.
ACTIVE = frozenset({JobStatus.QUEUED, JobStatus.RUNNING})
ENDED = frozenset({JobStatus.FINISHED, JobStatus.FAILED, JobStatus.CANCELLED})


class AlertKind(StrEnum):
    """Why a case or a person cannot be covered safely, in the order they are listed within a
    severity and a risk: gaps in cover first, workloads after, overdue reviews last."""

    UNCOVERED = "uncovered"
    COVER_WHILE_AWAY = "cover_while_away"
    NO_COM = "no_com"
    ABSENT_AT_RELEASE = "absent_at_release"
    PIN_NOT_KEPT = "pin_not_kept"
    CHANGE_NEAR_RELEASE = "change_near_release"
    VETTING = "vetting"
    EXCESSIVE = "excessive"
    OVERLOADED = "overloaded"
    MAPPA_REVIEW = "mappa_review"
    ERG_REVIEW = "erg_review"


class OverrideReason(StrEnum):
    """Why a manager changed a proposal, as the POM allocation tool asks."""

    CONTINUITY = "continuity"
    BETTER_SUITED = "better_suited"
    WORKLOAD = "workload"
    CIRCUMSTANCES = "circumstances"
    OTHER = "other"


class AlertSeverity(StrEnum):
    """How urgent an alert is, lowest to highest."""

    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"


# Skills worth recording; a language is a skill too, recorded by its name ("arabic").
SKILLS: dict[str, str] = {
    "ct_trained": "Counter-terrorism trained",
    "erg_assessor": "Extremism risk assessor (ERG22+ or ERG-R)",
    "polygraph": "Polygraph examiner",
}
LANGUAGES = ("arabic", "urdu", "somali", "pashto", "punjabi", "bengali")


def skill_choices() -> list[tuple[str, str]]:
    """The skills a need or the policy may ask for, with their labels."""
    return [*SKILLS.items(), *((language, f"Speaks {language.title()}") for language in LANGUAGES)]


GRADE_ORDER = list(Grade)
VETTING_ORDER = list(Vetting)
ROSH_ORDER = list(Rosh)
# Each level's rank, lowest 0, for sorting by rank rather than by spelling.
ROSH_RANK = {rosh: rank for rank, rosh in enumerate(Rosh)}
GRADE_RANK = {grade: rank for rank, grade in enumerate(Grade)}
VETTING_RANK = {level: rank for rank, level in enumerate(Vetting)}
SEVERITY_RANK = {severity: rank for rank, severity in enumerate(AlertSeverity)}
CT_COHORTS = frozenset({Cohort.TACT, Cohort.TERRORIST_CONNECTED, Cohort.TERRORIST_RISK})

# How each value reads on a page, where its own spelling is not already plain English. Kept as
# pairs, not a dict: members of different enumerations can share a value ("prison").
LABELS: tuple[tuple[StrEnum, str], ...] = (
    (Role.PROBATION, "Probation (COM)"),
    (Role.PRISON, "Prison (POM)"),
    (Cohort.TACT, "TACT conviction"),
    (Cohort.TERRORIST_CONNECTED, "Terrorist connected"),
    (Cohort.TERRORIST_RISK, "Terrorist risk"),
    (Cohort.CPPC, "Critical public protection (CPPC)"),
    (Rosh.VERY_HIGH, "Very high"),
    (SentenceType.COMMUNITY_ORDER, "Community order"),
    (SentenceType.NONE, "No sentence"),
    (SiteKind.PRISON, "Prison"),
    (SiteKind.PDU, "Probation delivery unit"),
    (SiteKind.NSD, "National Security Division team"),
    (ResponsibilityState.CUSTODY_ONLY, "In custody, POM only"),
    (ResponsibilityState.CUSTODY_WITH_COM, "In custody, COM allocated"),
    (ResponsibilityState.COMMUNITY, "In the community"),
    (Vetting.NONE, "None"),
    (AbsenceKind.ANNUAL_LEAVE, "Annual leave"),
    (AbsenceKind.UNION_DUTIES, "Union duties"),
    (OverrideReason.CONTINUITY, "Continuity with the current holder"),
    (OverrideReason.BETTER_SUITED, "The person is better suited"),
    (OverrideReason.CIRCUMSTANCES, "The person's own circumstances"),
)
# Skills in the short words of a list or a sentence (their forms say them in full: SKILLS).
SKILL_WORDS = {"ct_trained": "CT trained", "erg_assessor": "ERG assessor", "polygraph": "Polygraph"}
_BY_MEMBER = {(type(member), member.value): text for member, text in LABELS}
_SHARED = {value for (_, value) in _BY_MEMBER if sum(v == value for (_, v) in _BY_MEMBER) > 1}
_BY_VALUE = {member.value: text for member, text in LABELS if member.value not in _SHARED}
_BY_VALUE.update(SKILL_WORDS)


def label(value: object) -> str:
    """A value as a person reads it."""
    if isinstance(value, StrEnum) and (type(value), value.value) in _BY_MEMBER:
        return _BY_MEMBER[(type(value), value.value)]
    text = str(value)
    if text in _BY_VALUE:
        return _BY_VALUE[text]
    return text.replace("_", " ").capitalize() if text.islower() else text


# What each kind of alert is called on the pages.
ALERT_KIND_NAMES: dict[AlertKind, str] = {
    AlertKind.UNCOVERED: "Need uncovered",
    AlertKind.COVER_WHILE_AWAY: "Cover needed while away",
    AlertKind.NO_COM: "No COM allocated",
    AlertKind.ABSENT_AT_RELEASE: "Holder absent at release",
    AlertKind.PIN_NOT_KEPT: "Pin not kept",
    AlertKind.CHANGE_NEAR_RELEASE: "Change of holder near release",
    AlertKind.VETTING: "Vetting lapsing",
    AlertKind.EXCESSIVE: "Excessive workload for four weeks",
    AlertKind.OVERLOADED: "Over the safe workload",
    AlertKind.MAPPA_REVIEW: "MAPPA review due",
    AlertKind.ERG_REVIEW: "Extremism risk review due",
}


_RAW_SKILL = re.compile(r"\b(" + "|".join(map(re.escape, SKILLS)) + r")\b")


def skills_in_words(text: str) -> str:
    """Text from the optimiser (a remedy) with its skills in a manager's words: "CT trained"."""
    return _RAW_SKILL.sub(lambda found: SKILL_WORDS[found.group(1)], text)


# A word the optimiser may name a person by (their staff ID): letters, digits and dashes.
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")


def people_in_words(text: str, names: Mapping[str, str]) -> str:
    """Text from the optimiser with each staff ID it names given as the person's name."""
    return _WORD.sub(lambda found: names.get(found.group(0), found.group(0)), text)
