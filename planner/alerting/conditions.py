"""Turns a plan and the dates into shortfall alerts, each open while its condition holds."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property

from optimisation import Plan, Problem, reasons_against
from planner.domain import clock
from planner.domain.needs import need_name_for
from planner.domain.policy import Policy
from planner.domain.rules import HIGH_RISKS, available_hours, away_words, handover, setting_on
from planner.domain.vocabulary import (
    AlertKind,
    AlertSeverity,
    Rosh,
    Setting,
    Vetting,
    label,
    people_in_words,
    skills_in_words,
)
from planner.domain.weeks import IsoWeek
from planner.models import Case, StaffMember
from planner.web.templating import govuk_date

CRITICAL, WARNING, INFO = AlertSeverity.CRITICAL, AlertSeverity.WARNING, AlertSeverity.INFO
# People named as cover for a need whose holder is away.
COVER_NAMED = 3
REASON_WORDS = {
    "no_eligible_staff": "nobody may hold it",
    "excluded": "only people excluded from the case may hold it",
    "capacity": "everyone who may hold it is full",
}
# Alert kinds that only a run can raise, and those the dates raise whether or not a plan runs.
RUN_KINDS = frozenset(
    {
        AlertKind.UNCOVERED,
        AlertKind.COVER_WHILE_AWAY,
        AlertKind.OVERLOADED,
        AlertKind.EXCESSIVE,
        AlertKind.PIN_NOT_KEPT,
        AlertKind.ABSENT_AT_RELEASE,
        AlertKind.CHANGE_NEAR_RELEASE,
    }
)
DATE_KINDS = frozenset(
    {AlertKind.NO_COM, AlertKind.VETTING, AlertKind.MAPPA_REVIEW, AlertKind.ERG_REVIEW}
)
# The date alerts about a case (the rest of DATE_KINDS, vetting, is about a person).
CASE_DATE_KINDS = DATE_KINDS - {AlertKind.VETTING}


@dataclass(frozen=True)
class Condition:
    """One case or person that cannot be covered safely, as a run or the dates find it."""

    key: str
    kind: str
    severity: AlertSeverity
    reason: str
    detail: str | None = None
    remedy: str | None = None
    case_id: int | None = None
    staff_member_id: int | None = None
    need_id: int | None = None


@dataclass
class Week:
    """What the alert rules read about a week: the cases, the staff, and who holds each need."""

    week: IsoWeek
    policy: Policy
    cases: Sequence[Case]
    staff: Sequence[StaffMember]
    holders: dict[int, int | None]
    # Dates are checked against today: a date before it is overdue now, not from next Monday.
    today: date = field(default_factory=clock.today)

    @property
    def monday(self) -> date:
        """The first day of the week."""
        return self.week.monday

    @property
    def due_soon(self) -> date:
        """The last day of the window within which a date is due soon."""
        return self.today + timedelta(days=self.policy.due_soon_days)


def date_conditions(week: Week) -> list[Condition]:
    """What the dates raise: missing COMs, lapsing vetting, reviews overdue or due soon."""
    return [
        *_missing_coms(week),
        *_vetting(week),
        *_reviews(week),
    ]


def _missing_coms(week: Week) -> Iterable[Condition]:
    """Custody cases past their COM-allocation date without a COM: critical near release or
    handover."""
    today = week.today
    near = today + timedelta(weeks=week.policy.release_alert_weeks)
    for case in week.cases:
        if setting_on(case, today) != Setting.CUSTODY:
            continue
        com = case.active_need("com")
        dates = handover(case, week.policy)
        if dates.com_allocated_from is None or dates.com_allocated_from > today:
            continue
        if com is not None and week.holders.get(com.id):
            continue
        releasing = case.release_date is not None and case.release_date <= near
        handing_over = dates.com_responsible_from is not None and dates.com_responsible_from <= near
        if releasing:
            reason = (
                f"Due for release on {govuk_date(case.release_date)}, and no COM is allocated"
                if case.release_date >= today
                else f"Released on {govuk_date(case.release_date)} with no COM allocated"
            )
        elif handing_over:
            reason = (
                f"The COM is responsible from {govuk_date(dates.com_responsible_from)}, and none "
                "is allocated"
            )
        else:
            reason = (
                f"No COM allocated, though one was due from {govuk_date(dates.com_allocated_from)}"
            )
        yield Condition(
            key=f"no_com:case:{case.id}",
            kind=AlertKind.NO_COM,
            severity=CRITICAL if releasing or handing_over else WARNING,
            reason=reason,
            remedy="Allocate a COM in the region, or add hours of one: see the plan's gaps",
            case_id=case.id,
            need_id=com.id if com else None,
        )


def _vetting(week: Week) -> Iterable[Condition]:
    """Holders whose vetting has lapsed (before today) or lapses soon."""
    holding = {staff_id for staff_id in week.holders.values() if staff_id}
    for person in week.staff:
        expiry = person.vetting_expiry
        if (
            person.id not in holding
            or expiry is None
            or person.vetting in (Vetting.NONE, Vetting.BPSS)
        ):
            continue
        level = label(person.vetting)
        if expiry < week.today:
            severity, reason = CRITICAL, f"{level} vetting lapsed on {govuk_date(expiry)}"
        elif expiry <= week.due_soon:
            severity, reason = WARNING, f"{level} vetting lapses on {govuk_date(expiry)}"
        else:
            continue
        yield Condition(
            key=f"vetting:staff:{person.id}",
            kind=AlertKind.VETTING,
            severity=severity,
            reason=reason,
            detail=f"{person.name} holds cases that need vetting above BPSS",
            remedy="Renew the vetting, or plan their cases to someone vetted",
            staff_member_id=person.id,
        )


def _reviews(week: Week) -> Iterable[Condition]:
    """Cases whose MAPPA or extremism-risk review is overdue (critical) or due soon."""
    for case in week.cases:
        for kind, due, name in (
            (AlertKind.MAPPA_REVIEW, case.next_mappa_review, "MAPPA review"),
            (AlertKind.ERG_REVIEW, case.next_erg_review, "extremism risk review"),
        ):
            if due is None or due > week.due_soon:
                continue
            overdue = due < week.today
            yield Condition(
                key=f"{kind}:case:{case.id}",
                kind=kind,
                severity=CRITICAL if overdue else WARNING,
                reason=(
                    f"The {name} is overdue: it was due on {govuk_date(due)}"
                    if overdue
                    else f"The {name} is due on {govuk_date(due)}"
                ),
                remedy="Hold the review and record its next date on the case",
                case_id=case.id,
            )


@dataclass(frozen=True)
class NeedKey:
    """Which need of a case a problem's need is: its row (None if only imagined) and its key."""

    need_id: int | None
    key: str


@dataclass
class RunFacts:
    """What the alert rules read of a run: its plan and problem, and the way back to the rows."""

    week: Week
    plan: Plan
    problem: Problem
    ids: dict[tuple[str, int], NeedKey]
    # The plans of the weeks just before, newest first.
    history: list[Plan]
    # Hours in the planned week that differ from what the people's records say (a what-if).
    hours_changed: dict[str, float] = field(default_factory=dict)

    @cached_property
    def cases(self) -> dict[str, Case]:
        """Cases by reference."""
        return {case.reference: case for case in self.week.cases}

    @cached_property
    def staff(self) -> dict[str, StaffMember]:
        """People by staff id."""
        return {person.staff_ref: person for person in self.week.staff}

    @cached_property
    def planned(self) -> dict[tuple[str, int], str]:
        """Who the plan gives each need to."""
        return {(a.case, a.need): a.staff for a in self.plan.assignments}

    def need(self, reference: str, index: int) -> tuple[NeedKey, str, str]:
        """Need `index` of a case: which one it is, its name, and a key part for its alerts."""
        which = self.ids[(reference, index)]
        role = self.problem.case_by_id[reference].needs[index].role
        subject = f"need:{which.need_id}" if which.need_id else f"need:{reference}:{which.key}"
        return which, need_name_for(which.key, role), subject

    def name(self, staff_id: str) -> str:
        """A person's name, from their staff ID."""
        person = self.staff.get(staff_id)
        return person.name if person else staff_id

    @cached_property
    def names(self) -> dict[str, str]:
        """People's names by staff ID."""
        return {staff_id: person.name for staff_id, person in self.staff.items()}

    @cached_property
    def week_hours(self) -> dict[str, float]:
        """Each person's available hours in the planned week itself (not the horizon's)."""
        policy, week = self.week.policy, self.week.week
        hours = {
            person.staff_ref: available_hours(person, week, policy) for person in self.week.staff
        }
        return {**hours, **self.hours_changed}

    @cached_property
    def planned_hours(self) -> dict[str, float]:
        """Hours the plan gives each person, committed work included."""
        return {
            load.staff: load.planned_hours + load.committed_hours for load in self.plan.staff_load
        }

    def cover(self, reference: str, index: int, holder: str) -> list[tuple[str, float]]:
        """Up to three people who may hold a need and have hours to spare in the planned week."""
        problem = self.problem
        case = problem.case_by_id[reference]
        need = case.needs[index]
        soft = problem.policy.soft_capacity
        found = []
        for member in problem.staff:
            if member.id == holder or reasons_against(problem.policy, case, need, member):
                continue
            held = self.planned_hours.get(member.id, 0.0)
            spare = soft * self.week_hours.get(member.id, 0.0) - held
            if spare > 0:
                found.append((self.name(member.id), round(spare, 1)))
        return sorted(found, key=lambda pair: (-pair[1], pair[0]))[:COVER_NAMED]


def run_conditions(facts: RunFacts) -> list[Condition]:
    """What a run raises: gaps, cover while away, overloads, pins not kept, risks at release."""
    return [
        *_gaps(facts),
        *_cover_while_away(facts),
        *_overloads(facts),
        *_pins_not_kept(facts),
        *_release_risks(facts),
    ]


def _gaps(facts: RunFacts) -> Iterable[Condition]:
    """Needs nobody can cover: critical for high and very high risk."""
    severities = {Rosh.VERY_HIGH: CRITICAL, Rosh.HIGH: CRITICAL, Rosh.MEDIUM: WARNING}
    for gap in facts.plan.uncovered:
        which, name, subject = facts.need(gap.case, gap.need)
        yield Condition(
            key=f"uncovered:{subject}",
            kind=AlertKind.UNCOVERED,
            severity=severities.get(Rosh(gap.risk), INFO),
            reason=f"No {name}: {REASON_WORDS[gap.reason]}",
            detail=people_in_words(gap.detail, facts.names),
            remedy=people_in_words(skills_in_words(gap.remedy.text), facts.names),
            case_id=facts.cases[gap.case].id,
            need_id=which.need_id,
        )


def _cover_while_away(facts: RunFacts) -> Iterable[Condition]:
    """High and very high needs kept by someone away in the planned week, and who could cover."""
    monday = f"{facts.week.monday.day} {facts.week.monday:%B}"
    for assignment in facts.plan.assignments:
        risk = Rosh(facts.problem.case_by_id[assignment.case].risk)
        person = facts.staff.get(assignment.staff)
        if risk not in HIGH_RISKS or person is None or facts.week_hours.get(person.staff_ref, 1):
            continue
        which, name, subject = facts.need(assignment.case, assignment.need)
        away = away_words(person, facts.week.week, facts.week.policy) or "away that week"
        cover = facts.cover(assignment.case, assignment.need, person.staff_ref)
        yield Condition(
            key=f"cover_while_away:{subject}",
            kind=AlertKind.COVER_WHILE_AWAY,
            severity=CRITICAL if risk == Rosh.VERY_HIGH else WARNING,
            reason=f"{person.name}, the {name}, is {away}: cover is needed in the week of {monday}",
            remedy=(
                "Cover for the week from "
                + ", ".join(f"{who} ({spare:g} hours spare)" for who, spare in cover)
                if cover
                else "Nobody who may hold it has hours to spare that week: ask a neighbouring team"
            ),
            case_id=facts.cases[assignment.case].id,
            staff_member_id=person.id,
            need_id=which.need_id,
        )


def _overloads(facts: RunFacts) -> Iterable[Condition]:
    """People planned above the safe workload (and above 100 %), and those over it for weeks."""
    policy = facts.week.policy
    safe, weeks = policy.safe_workload, policy.excessive_weeks
    earlier = [
        {load.staff for load in plan.staff_load if (load.workload or 0) > safe}
        for plan in facts.history[: weeks - 1]
    ]
    for load in facts.plan.staff_load:
        person = facts.staff.get(load.staff)
        share = load.workload
        if person is None or share is None or share <= policy.soft_capacity:
            continue
        if share > safe and len(earlier) == weeks - 1 and all(load.staff in e for e in earlier):
            yield Condition(
                key=f"excessive:staff:{person.id}",
                kind=AlertKind.EXCESSIVE,
                severity=CRITICAL,
                reason=f"Over {safe:.0%} for {weeks} weeks running ({share:.0%} this week)",
                remedy="Move cases to someone with room, or reduce their other work",
                staff_member_id=person.id,
            )
        work = load.committed_hours + load.planned_hours
        yield Condition(
            key=f"overloaded:staff:{person.id}",
            kind=AlertKind.OVERLOADED,
            severity=CRITICAL if share > safe else WARNING,
            reason=f"Planned at {share:.0%} of their hours",
            detail=f"{work:.1f} hours of work for {load.available_hours:.1f} available",
            remedy="Move a case to someone with room, or add hours to the team",
            staff_member_id=person.id,
        )


def _pins_not_kept(facts: RunFacts) -> Iterable[Condition]:
    """Needs pinned to someone the plan could not keep on them."""
    for case in facts.problem.cases:
        for index, need in enumerate(case.needs):
            if need.pinned and facts.planned.get((case.id, index)) != need.pinned:
                which, name, subject = facts.need(case.id, index)
                yield Condition(
                    key=f"pin_not_kept:{subject}",
                    kind=AlertKind.PIN_NOT_KEPT,
                    severity=WARNING,
                    reason=f"The {name} is pinned to {facts.name(need.pinned)}, who cannot hold "
                    "it now",
                    remedy="Remove the pin, or make them eligible again",
                    case_id=facts.cases[case.id].id,
                    need_id=which.need_id,
                )


def _release_risks(facts: RunFacts) -> Iterable[Condition]:
    """Holders away in the week of a release, and holders changed in the weeks before one."""
    week = facts.week.week
    for entry in facts.problem.cases:
        case = facts.cases[entry.id]
        release = case.release_date
        days = (release - week.monday).days if release else -1
        window = 7 * facts.week.policy.release_alert_weeks
        if not 0 <= days <= window or case.setting != Setting.CUSTODY:
            continue
        for index, need in enumerate(entry.needs):
            which, name, subject = facts.need(case.reference, index)
            holder = facts.planned.get((case.reference, index))
            person = facts.staff.get(holder or "")
            if person and release <= week.sunday and _away(person, release):
                yield Condition(
                    key=f"absent_at_release:{subject}",
                    kind=AlertKind.ABSENT_AT_RELEASE,
                    severity=CRITICAL,
                    reason=f"{person.name}, the {name}, is away on the day of release",
                    remedy="Arrange cover for the release day, or plan another holder",
                    case_id=case.id,
                    staff_member_id=person.id,
                    need_id=which.need_id,
                )
            if need.current and holder and holder != need.current:
                yield Condition(
                    key=f"change_near_release:{subject}",
                    kind=AlertKind.CHANGE_NEAR_RELEASE,
                    severity=WARNING,
                    reason=f"The {name} changes hands {days} days before release",
                    detail=f"From {facts.name(need.current)} to {facts.name(holder)}",
                    remedy="Keep the current holder if you can: pin them on the review page",
                    case_id=case.id,
                    need_id=which.need_id,
                )


def _away(person: StaffMember, day: date) -> bool:
    """Whether someone is absent for the whole of a day."""
    return any(
        absence.hours_per_week is None and absence.start_date <= day <= absence.end_date
        for absence in person.absences
    )
