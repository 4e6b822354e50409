"""Domain rules: handover dates, who is responsible, the needs of a case, hours and Workload %."""

from __future__ import annotations

import calendar
import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

from planner.domain.policy import Policy
from planner.domain.vocabulary import (
    CT_COHORTS,
    AbsenceKind,
    Cohort,
    Grade,
    ResponsibilityState,
    Role,
    Rosh,
    SentenceType,
    Setting,
    Vetting,
    label,
)
from planner.domain.weeks import IsoWeek

HIGH_RISKS = frozenset({Rosh.HIGH, Rosh.VERY_HIGH})


class CaseFacts(Protocol):
    """What the rules read of a case (a Case row, or a case being tried out)."""

    cohort: Cohort
    mappa_level: int | None
    rosh: Rosh
    tier: str
    setting: Setting
    sentence_type: SentenceType
    sentence_date: date | None
    release_date: date | None
    parole_eligibility_date: date | None
    tariff_expiry_date: date | None
    parole_hearing_date: date | None
    released_on: date | None


@dataclass(frozen=True)
class Facts:
    """A copy of a case's facts, to try a change to them without touching the case."""

    cohort: Cohort
    mappa_level: int | None
    rosh: Rosh
    tier: str
    setting: Setting
    sentence_type: SentenceType
    sentence_date: date | None
    release_date: date | None
    parole_eligibility_date: date | None
    tariff_expiry_date: date | None
    parole_hearing_date: date | None
    released_on: date | None

    @classmethod
    def of(cls, case: CaseFacts, **changes: object) -> Facts:
        """The case's facts, with some changed."""
        values = {f.name: getattr(case, f.name) for f in dataclasses.fields(cls)}
        return cls(**{**values, **changes})  # type: ignore[arg-type]


class AbsenceFacts(Protocol):
    """What the rules read of an absence or reduction."""

    kind: AbsenceKind
    start_date: date
    end_date: date
    hours_per_week: float | None


class StaffFacts(Protocol):
    """What the rules read of a practitioner."""

    grade: Grade
    contracted_hours: float
    other_work_hours: float
    training_start: date | None
    active: bool

    @property
    def absences(self) -> Sequence[AbsenceFacts]: ...


def add_months(day: date, months: int) -> date:
    """The same day some months later (or earlier), kept within the month's length."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# --- Custody to community -------------------------------------------------------------------


@dataclass(frozen=True)
class Handover:
    """When a COM is allocated to a custody case and when they take over responsibility."""

    com_allocated_from: date | None
    com_responsible_from: date | None
    rule: str


def is_early_allocation(case: CaseFacts) -> bool:
    """TACT convictions, MAPPA level 3 and CPPC cases hand over early."""
    return case.cohort in (Cohort.TACT, Cohort.CPPC) or case.mappa_level == 3


def earliest_release(case: CaseFacts) -> date | None:
    """The first date the person could be released: CRD/ARD or PED; hearing or tariff expiry."""
    if case.sentence_type == SentenceType.INDETERMINATE:
        candidates = [case.parole_hearing_date, case.tariff_expiry_date]
    else:
        candidates = [case.release_date, case.parole_eligibility_date]
    known = [day for day in candidates if day is not None]
    return min(known) if known else None


def handover(case: CaseFacts, policy: Policy) -> Handover:
    """The COM-allocation and handover dates of a custody case, by the rules of its sentence."""
    if case.sentence_type not in (SentenceType.DETERMINATE, SentenceType.INDETERMINATE):
        return Handover(None, None, "no custodial sentence: community supervision only")
    release = earliest_release(case)
    if release is None:
        return Handover(None, None, "no release or review date recorded: handover not computed")
    start = case.sentence_date
    if (
        case.sentence_type == SentenceType.DETERMINATE
        and start is not None
        and release <= add_months(start, policy.short_sentence_months)
    ):
        rule = f"due out within {policy.short_sentence_months} months of sentence"
        return Handover(start, start, f"{rule}: COM responsible throughout")
    if is_early_allocation(case):
        responsible = add_months(release, -policy.early_allocation_months)
        rule = f"early allocation: earliest release − {policy.early_allocation_months} months"
    elif case.sentence_type == SentenceType.INDETERMINATE:
        responsible = add_months(release, -policy.indeterminate_months)
        rule = (
            f"indeterminate: {policy.indeterminate_months} months before tariff expiry or hearing"
        )
    elif case.parole_eligibility_date is not None:
        responsible = add_months(case.parole_eligibility_date, -policy.parole_months)
        rule = f"determinate with a parole eligibility date: PED − {policy.parole_months} months"
    else:
        months_back = add_months(release, -policy.determinate_months)
        responsible = months_back - timedelta(days=policy.determinate_days)
        rule = (
            f"determinate: release date − {policy.determinate_months} months "
            f"{policy.determinate_days} days"
        )
    if start is not None and responsible <= start:
        return Handover(start, start, f"{rule}, before sentence: COM responsible throughout")
    allocated = responsible - timedelta(weeks=policy.com_allocation_weeks)
    if start is not None:
        allocated = max(allocated, start)
    return Handover(allocated, responsible, rule)


def release_day(case: CaseFacts) -> date | None:
    """The day the person left or leaves custody: as recorded, else the release date."""
    return case.released_on or case.release_date


def setting_on(case: CaseFacts, on: date) -> Setting:
    """Custody until the release date has passed, then community."""
    if (
        case.setting == Setting.CUSTODY
        and case.release_date is not None
        and on >= case.release_date
    ):
        return Setting.COMMUNITY
    return case.setting


def responsibility_state(case: CaseFacts, on: date, policy: Policy) -> ResponsibilityState:
    """Custody only, custody with a COM allocated, or community."""
    if setting_on(case, on) == Setting.COMMUNITY:
        return ResponsibilityState.COMMUNITY
    allocated = handover(case, policy).com_allocated_from
    if allocated is not None and on >= allocated:
        return ResponsibilityState.CUSTODY_WITH_COM
    return ResponsibilityState.CUSTODY_ONLY


def responsible_role(case: CaseFacts, on: date, policy: Policy) -> Role:
    """Who holds responsibility on a date: the POM until handover, the COM from it."""
    if setting_on(case, on) == Setting.COMMUNITY:
        return Role.PROBATION
    responsible = handover(case, policy).com_responsible_from
    return Role.PROBATION if responsible is not None and on >= responsible else Role.PRISON


# --- The needs of a case --------------------------------------------------------------------


@dataclass(frozen=True)
class NeedSpec:
    """A need as the rules derive it, before it is stored."""

    key: str
    role: Role
    min_grade: Grade
    hours: float
    vetting: Vetting
    skills: tuple[str, ...]
    same_site: bool
    rule: str


def hours_from_points(points: float, policy: Policy) -> float:
    """Workload points a month as hours a week (2,176 points ≈ 37 hours)."""
    return points * policy.full_time_hours / policy.full_time_points


def com_case_type(case: CaseFacts, on: date, policy: Policy) -> str:
    """Which column of the points table a COM's work on this case falls in."""
    if responsibility_state(case, on, policy) == ResponsibilityState.CUSTODY_WITH_COM:
        return "custody"
    if case.sentence_type in (SentenceType.DETERMINATE, SentenceType.INDETERMINATE):
        return "licence"
    return "community"


def in_post_release_period(case: CaseFacts, on: date, policy: Policy) -> bool:
    """Within the first weeks after release, when contact is weekly and visits are at home."""
    released = release_day(case)
    if released is None or setting_on(case, on) != Setting.COMMUNITY:
        return False
    return released <= on < released + timedelta(weeks=policy.post_release_weeks)


@dataclass(frozen=True)
class _Standard:
    """What the cohort and the risk of a case ask of whoever holds it."""

    vetting: Vetting
    skills: tuple[str, ...]
    multiplier: float
    conditions: tuple[str, ...]


def _standard(case: CaseFacts, policy: Policy) -> _Standard:
    """Counter-terrorism cases need CT-trained, SC-vetted staff and enhanced hours (rule 4)."""
    if case.cohort not in CT_COHORTS:
        return _Standard(Vetting(policy.base_vetting), (), 1.0, ())
    skills = tuple(policy.ct_skills)
    conditions = (
        f"{label(case.cohort)}: {', '.join(label(skill) for skill in skills)}, "
        f"vetted {policy.ct_vetting} or above",
        f"× {policy.ct_multiplier:g} for enhanced supervision",
    )
    return _Standard(Vetting(policy.ct_vetting), skills, policy.ct_multiplier, conditions)


def _pom_need(case: CaseFacts, policy: Policy, standard: _Standard) -> NeedSpec:
    """A prison offender manager in the holding prison (rules 1-3)."""
    senior = Grade(policy.senior_grade)
    if case.tier.upper().startswith("A") or case.rosh in HIGH_RISKS:
        grade = senior
        why = (
            f"probation POM, {senior.value} or above, for tier {case.tier}, RoSH {case.rosh.value}"
        )
    else:
        grade, why = Grade.PSO, "a prison POM may hold it"
    base = policy.pom_hours[case.rosh.value]
    rule = "; ".join([f"POM in the holding prison: {why}; {base:g} h", *standard.conditions])
    hours = round(base * standard.multiplier, 2)
    return NeedSpec("pom", Role.PRISON, grade, hours, standard.vetting, standard.skills, True, rule)


def _com_need(case: CaseFacts, policy: Policy, on: date, standard: _Standard) -> NeedSpec:
    """A community offender manager in the case's region (rules 1 and 3)."""
    grade = Grade(policy.senior_grade) if case.rosh in HIGH_RISKS else Grade.PSO
    case_type = com_case_type(case, on, policy)
    points = policy.workload_points[case.tier][case_type]
    hours = hours_from_points(points, policy) * standard.multiplier
    parts = [
        f"COM in the region, {grade.value} or above for RoSH {case.rosh.value}",
        f"tier {case.tier} {case_type}: {points} points",
        *standard.conditions,
    ]
    if in_post_release_period(case, on, policy):
        hours *= policy.post_release_uplift
        parts.append(
            f"× {policy.post_release_uplift:g} in the first {policy.post_release_weeks} weeks "
            "after release"
        )
    rule = "; ".join(parts)
    return NeedSpec(
        "com",
        Role.PROBATION,
        grade,
        round(hours, 2),
        standard.vetting,
        standard.skills,
        False,
        rule,
    )


def _coworker_reason(case: CaseFacts, state: ResponsibilityState) -> str | None:
    """Why a case needs a second, co-working practitioner (rule 5), if it does."""
    if case.mappa_level == 3:
        return "MAPPA level 3"
    if case.rosh == Rosh.VERY_HIGH and state == ResponsibilityState.COMMUNITY:
        return "very high RoSH in the community"
    return None


def default_needs(case: CaseFacts, policy: Policy, on: date) -> list[NeedSpec]:
    """The needs the rules give a case on a date: POM and/or COM, and a co-worker where due."""
    state = responsibility_state(case, on, policy)
    standard = _standard(case, policy)
    needs = []
    if state != ResponsibilityState.COMMUNITY:
        needs.append(_pom_need(case, policy, standard))
    if state != ResponsibilityState.CUSTODY_ONLY:
        needs.append(_com_need(case, policy, on, standard))
    reason = _coworker_reason(case, state)
    if reason:
        role = responsible_role(case, on, policy)
        lead = next(need for need in needs if need.role == role)
        rule = (
            f"co-worker beside the {lead.key.upper()} ({reason}): a different person; "
            f"{policy.coworker_share:g} of the lead's hours"
        )
        hours = round(lead.hours * policy.coworker_share, 2)
        needs.append(dataclasses.replace(lead, key=f"{lead.key}_coworker", hours=hours, rule=rule))
    return needs


# --- Hours and workload ---------------------------------------------------------------------


def trainee_reduction(staff: StaffFacts, on: date, policy: Policy) -> float:
    """The share of a trainee officer's time protected for training on a date."""
    if staff.grade != Grade.PQIP or staff.training_start is None or on < staff.training_start:
        return 0.0
    months = (on.year - staff.training_start.year) * 12 + on.month - staff.training_start.month
    if on.day < staff.training_start.day:
        months -= 1
    period = months // 6
    return policy.trainee_reductions[period] if period < len(policy.trainee_reductions) else 0.0


def available_hours(staff: StaffFacts, week: IsoWeek, policy: Policy) -> float:
    """Hours a person can work on cases in a week, after absences, reductions and training."""
    if not staff.active:
        return 0.0
    per_day = staff.contracted_hours / 5
    days = week.working_days()
    # Most people have no absence this week; a long history of them is looked through once.
    touching = [a for a in staff.absences if a.start_date <= days[-1] and a.end_date >= days[0]]
    total = 0.0
    for day in days:
        if not touching:  # the same sum, without looking for absences nobody has
            total += per_day
            continue
        covering = [a for a in touching if a.start_date <= day <= a.end_date]
        if any(absence.hours_per_week is None for absence in covering):
            continue
        reduced = sum(absence.hours_per_week or 0.0 for absence in covering) / 5
        total += max(per_day - reduced, 0.0)
    total *= 1 - trainee_reduction(staff, week.monday, policy)
    return round(total, 2)


def committed_hours(staff: StaffFacts, available: float) -> float:
    """Hours of work held outside the planner in a week, scaled down as absences take time away."""
    if staff.contracted_hours <= 0:
        return 0.0
    return round(staff.other_work_hours * min(1.0, available / staff.contracted_hours), 2)


def workload(held_hours: float, available: float) -> float | None:
    """Workload %: hours held ÷ hours available (None when nothing is available)."""
    if available <= 0:
        return None if held_hours > 0 else 0.0
    return held_hours / available


# --- The planning horizon -------------------------------------------------------------------


@dataclass(frozen=True)
class HorizonHours:
    """A person's available hours in each week of the planning horizon, the planned week first."""

    weekly: tuple[float, ...]

    @property
    def average(self) -> float:
        """The hours a plan counts on: an allocation lasts, so the horizon's average."""
        return round(sum(self.weekly) / len(self.weekly), 2)

    @property
    def takes_new_needs(self) -> bool:
        """Whether they may be given needs they do not hold: not if away half the horizon."""
        return 2 * sum(1 for hours in self.weekly if hours <= 0) < len(self.weekly)

    @property
    def away_this_week(self) -> bool:
        """No hours in the planned week itself, though they keep what they hold."""
        return self.weekly[0] <= 0


def horizon_hours(staff: StaffFacts, first: IsoWeek, policy: Policy) -> HorizonHours:
    """Available hours week by week over the policy's horizon, from the planned week."""
    weeks = max(1, policy.horizon_weeks)
    return HorizonHours(tuple(available_hours(staff, first.plus(k), policy) for k in range(weeks)))


AWAY_WORDS = {
    AbsenceKind.SICKNESS: "off sick",
    AbsenceKind.ANNUAL_LEAVE: "on annual leave",
    AbsenceKind.TRAINING: "on training",
    AbsenceKind.UNION_DUTIES: "on union duties",
    AbsenceKind.SECONDMENT: "on secondment",
    AbsenceKind.OTHER: "away",
}


def away_words(staff: StaffFacts, first: IsoWeek, policy: Policy) -> str | None:
    """Why a person has no hours in the horizon, in words: "off sick until 23 December"."""
    start = first.monday
    end = first.plus(max(1, policy.horizon_weeks) - 1).sunday
    whole = [
        absence
        for absence in staff.absences
        if absence.hours_per_week is None
        and absence.start_date <= end
        and absence.end_date >= start
    ]
    if not whole:
        return None
    longest = max(whole, key=lambda absence: absence.end_date)
    until = f"{longest.end_date.day} {longest.end_date:%B}"
    if longest.end_date.year != start.year:
        until += f" {longest.end_date.year}"
    return f"{AWAY_WORDS[longest.kind]} until {until}"
