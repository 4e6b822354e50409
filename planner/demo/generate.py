"""Writes a synthetic caseload: regions, sites, staff with absences, cases, needs, allocations."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import partial
from typing import TypeVar

from sqlalchemy.orm import Session

from planner.cases.services import sync_needs
from planner.demo.names import synthetic_name
from planner.demo.places import RegionPlan, regions_for
from planner.domain.policy import Policy
from planner.domain.rules import add_months, available_hours, committed_hours
from planner.domain.vocabulary import (
    CT_COHORTS,
    GRADE_ORDER,
    VETTING_ORDER,
    AbsenceKind,
    Cohort,
    Grade,
    NeedSource,
    Role,
    Rosh,
    SentenceType,
    Setting,
    SiteKind,
    Vetting,
)
from planner.domain.weeks import IsoWeek
from planner.models import Absence, Allocation, Case, Exclusion, Need, Region, Site, StaffMember
from planner.models.auditing import set_actor
from planner.models.policy import load_policy, seed_policy

SHORTFALL_RANGE = (0.20, 0.30)
ACTOR = "demo-data"


@dataclass
class DemoSummary:
    """What was written."""

    regions: int = 0
    sites: int = 0
    staff: int = 0
    cases: int = 0
    needs: int = 0
    allocations: int = 0
    exclusions: int = 0


@dataclass
class _Region:
    """One region being built: its rows, and the hours its needs ask of each pool of staff."""

    plan: RegionPlan
    region: Region
    prisons: list[Site]
    offices: list[Site]
    nsd: Site
    cases: list[Case] = field(default_factory=list)
    staff: list[StaffMember] = field(default_factory=list)


def load_demo_data(session: Session, scale: str, seed: int, start: date) -> DemoSummary:
    """Write the demo data of a scale; the same seed and start date always write the same data."""
    rng = random.Random(seed)
    set_actor(session, ACTOR)
    seed_policy(session, ACTOR)
    policy = load_policy(session)
    week = IsoWeek.containing(start)
    summary = DemoSummary()
    for plan in regions_for(scale):
        built = _build_region(plan)
        for number in range(1, plan.cases + 1):
            case = _case(rng, f"CT-{plan.code}-{number:04d}", built, week.monday)
            sync_needs(case, policy, week.monday)
            built.cases.append(case)
        _adjust_some_needs(rng, built.cases)
        _staff_region(rng, built, week, policy)
        summary.exclusions += _exclude(rng, built)
        summary.allocations += _allocate(rng, built, week, policy)
        session.add(built.region)
        session.add_all(built.cases)
        session.add_all(built.staff)
        summary.regions += 1
        summary.sites += len(built.region.sites)
        summary.staff += len(built.staff)
        summary.cases += len(built.cases)
        summary.needs += sum(len(case.needs) for case in built.cases)
    session.flush()
    return summary


def _build_region(plan: RegionPlan) -> _Region:
    """The region and its sites."""
    region = Region(name=plan.name)
    prisons = [Site(code=c, name=n, kind=SiteKind.PRISON, region=region) for c, n in plan.prisons]
    offices = [Site(code=c, name=n, kind=SiteKind.PDU, region=region) for c, n in plan.pdus]
    nsd = Site(code=plan.nsd[0], name=plan.nsd[1], kind=SiteKind.NSD, region=region)
    return _Region(plan, region, prisons, offices, nsd)


T = TypeVar("T")


def _weighted(rng: random.Random, options: dict[T, float]) -> T:
    """One option, chosen with the given weights."""
    return rng.choices(list(options), weights=list(options.values()))[0]


# --- Cases ----------------------------------------------------------------------------------

COHORT_MIX = {
    Cohort.TACT: 0.42,
    Cohort.TERRORIST_CONNECTED: 0.18,
    Cohort.TERRORIST_RISK: 0.28,
    Cohort.CPPC: 0.12,
}
CUSTODY_SHARE = {
    Cohort.TACT: 0.6,
    Cohort.TERRORIST_CONNECTED: 0.55,
    Cohort.TERRORIST_RISK: 0.25,
    Cohort.CPPC: 0.45,
}
ROSH_MIX = {
    Cohort.TACT: (0.30, 0.45, 0.20, 0.05),
    Cohort.TERRORIST_CONNECTED: (0.15, 0.45, 0.30, 0.10),
    Cohort.TERRORIST_RISK: (0.08, 0.32, 0.40, 0.20),
    Cohort.CPPC: (0.35, 0.50, 0.15, 0.0),
}
TIERS = {
    Rosh.VERY_HIGH: ("A3", "A2"),
    Rosh.HIGH: ("A1", "A0", "B3", "B2"),
    Rosh.MEDIUM: ("B1", "B0", "C3", "C2"),
    Rosh.LOW: ("C1", "C0", "D3", "D2"),
}


def _case(rng: random.Random, reference: str, built: _Region, on: date) -> Case:
    """One supervised person, with dates that put them somewhere on the path through custody."""
    cohort = _weighted(rng, COHORT_MIX)
    rosh = rng.choices(
        [Rosh.VERY_HIGH, Rosh.HIGH, Rosh.MEDIUM, Rosh.LOW], weights=ROSH_MIX[cohort]
    )[0]
    custody = rng.random() < CUSTODY_SHARE[cohort]
    case = Case(
        reference=reference,
        name=synthetic_name(rng),
        cohort=cohort,
        rosh=rosh,
        tier=rng.choice(TIERS[rosh]),
        setting=Setting.CUSTODY if custody else Setting.COMMUNITY,
        active=True,
    )
    case.mappa_category, case.mappa_level = _mappa(rng, cohort, rosh)
    if custody:
        _custody_dates(rng, case, on)
        high_security = built.prisons[0]
        if cohort in (Cohort.TACT, Cohort.TERRORIST_CONNECTED) and rng.random() < 0.6:
            case.site = high_security
        else:
            case.site = rng.choice(built.prisons)
    else:
        _community_dates(rng, case, on)
        ct = cohort in CT_COHORTS
        case.site = built.nsd if ct and rng.random() < 0.65 else rng.choice(built.offices)
    case.next_mappa_review = on + timedelta(days=rng.randint(-21, 120))
    if cohort in CT_COHORTS:
        case.next_erg_review = on + timedelta(days=rng.randint(-40, 360))
    return case


def _mappa(rng: random.Random, cohort: Cohort, rosh: Rosh) -> tuple[int, int]:
    """Category 4 for terrorist cases; level 3 for many very-high-risk ones."""
    category = 4 if cohort in CT_COHORTS else rng.choice((1, 2))
    if rosh == Rosh.VERY_HIGH:
        level = 3 if rng.random() < 0.4 else 2
    elif rosh == Rosh.HIGH:
        level = _weighted(rng, {3: 0.08, 2: 0.67, 1: 0.25})
    else:
        level = 1 if rng.random() < 0.7 else 2
    return category, level


def _custody_dates(rng: random.Random, case: Case, on: date) -> None:
    """Sentence and release dates spread so that some are released or handed over soon."""
    if rng.random() < 0.15:
        case.sentence_type = SentenceType.INDETERMINATE
        case.sentence_date = on - timedelta(days=rng.randint(2 * 365, 15 * 365))
        case.tariff_expiry_date = case.sentence_date + timedelta(
            days=rng.randint(4 * 365, 20 * 365)
        )
        if case.tariff_expiry_date < on + timedelta(days=180):
            case.parole_hearing_date = on + timedelta(days=rng.randint(30, 540))
        return
    case.sentence_type = SentenceType.DETERMINATE
    if rng.random() < 0.05:
        case.sentence_date = on - timedelta(days=rng.randint(30, 150))
        case.release_date = case.sentence_date + timedelta(days=rng.randint(160, 290))
        return
    low, high = _weighted(rng, {(0, 3): 0.08, (3, 15): 0.32, (15, 48): 0.4, (48, 96): 0.2})
    case.release_date = on + timedelta(days=rng.randint(max(7, low * 30), high * 30))
    case.sentence_date = case.release_date - timedelta(days=rng.randint(400, 3500))
    if case.sentence_date >= on:
        case.sentence_date = on - timedelta(days=rng.randint(30, 400))
    if rng.random() < 0.3:
        ped = add_months(case.release_date, -rng.randint(12, 36))
        if ped > case.sentence_date + timedelta(days=180):
            case.parole_eligibility_date = ped


def _community_dates(rng: random.Random, case: Case, on: date) -> None:
    """On licence after release, on a community order, or supervised without a sentence."""
    licence_share = {
        Cohort.TACT: 1.0,
        Cohort.TERRORIST_CONNECTED: 0.9,
        Cohort.TERRORIST_RISK: 0.2,
        Cohort.CPPC: 0.6,
    }[case.cohort]
    if rng.random() < licence_share:
        case.sentence_type = SentenceType.DETERMINATE
        recent = rng.random() < 0.12
        case.released_on = on - timedelta(days=rng.randint(1, 80 if recent else 1500))
        case.release_date = case.released_on
        case.sentence_date = case.released_on - timedelta(days=rng.randint(365, 8 * 365))
        case.licence_end_date = on + timedelta(days=rng.randint(60, 10 * 365))
    elif case.cohort == Cohort.TERRORIST_RISK and rng.random() < 0.6:
        case.sentence_type = SentenceType.NONE
    else:
        case.sentence_type = SentenceType.COMMUNITY_ORDER
        case.sentence_date = on - timedelta(days=rng.randint(30, 700))
        case.licence_end_date = on + timedelta(days=rng.randint(30, 900))


def _adjust_some_needs(rng: random.Random, cases: list[Case]) -> None:
    """A few needs whose hours a manager has raised above what the rules give."""
    for case in cases:
        if case.needs and rng.random() < 0.03:
            need = case.needs[0]
            need.hours = round(need.hours * 1.5, 2)
            need.source = NeedSource.MANAGER
            need.rule = "Set by a manager: more hours for polygraph and extremism-risk work"


# --- Staff ----------------------------------------------------------------------------------


def _staff_region(rng: random.Random, built: _Region, week: IsoWeek, policy: Policy) -> None:
    """Staff each prison's POM pool and the region's COM pool 20-30 % short of the hours needed."""
    prison_hours: dict[str, float] = defaultdict(float)
    com_hours = ct_com_hours = 0.0
    for case in built.cases:
        for need in case.needs:
            if need.role == Role.PRISON:
                prison_hours[case.site.code] += need.hours
            else:
                com_hours += need.hours
                ct_com_hours += need.hours if need.skills else 0.0
    serial = iter(range(1, 10_000))
    on = week.monday
    for prison in built.prisons:
        profile = partial(_prison_pom, rng, prison, _senior_share(built, prison.code), on)
        _fill_pool(rng, built, week, policy, prison_hours[prison.code], serial, profile)
    ct_share = ct_com_hours / com_hours if com_hours else 0.0
    _fill_pool(rng, built, week, policy, com_hours, serial, partial(_com, rng, built, ct_share, on))


def _senior_share(built: _Region, prison_code: str) -> float:
    """The share of a prison's POM hours that only a probation POM (PO or above) may hold."""
    hours = [
        (need.hours, need.min_grade != Grade.PSO)
        for case in built.cases
        if case.site.code == prison_code
        for need in case.needs
        if need.role == Role.PRISON
    ]
    total = sum(h for h, _ in hours)
    return sum(h for h, senior in hours if senior) / total if total else 0.5


def _fill_pool(
    rng: random.Random,
    built: _Region,
    week: IsoWeek,
    policy: Policy,
    demand: float,
    serial: Iterator[int],
    make: Callable[[], StaffMember],
) -> None:
    """Add people from a profile until their hours this week meet the pool's share of demand."""
    target = demand * (1 - rng.uniform(*SHORTFALL_RANGE))
    have = 0.0
    while have < target:
        person = make()
        person.staff_ref = f"S-{built.plan.code}-{next(serial):03d}"
        person.name = synthetic_name(rng)
        _absences(rng, person, week.monday)
        hours = _free_hours(person, week, policy)
        remaining = target - have
        if hours > remaining:
            # The last person of a pool works part time, so the pool's shortfall stays in range.
            share = remaining / hours
            person.contracted_hours = max(7.5, _half_hours(person.contracted_hours * share))
            person.other_work_hours = _half_hours(person.other_work_hours * share)
            hours = _free_hours(person, week, policy)
        have += hours
        built.staff.append(person)


def _free_hours(person: StaffMember, week: IsoWeek, policy: Policy) -> float:
    """Hours a person has for the planner's cases in a week."""
    available = available_hours(person, week, policy)
    return available - committed_hours(person, available)


def _half_hours(hours: float) -> float:
    """Hours rounded to the half hour, as contracts are written."""
    return round(hours * 2) / 2


def _contracted(rng: random.Random) -> float:
    """Full time, or one of the usual part-time patterns."""
    return _weighted(rng, {37.0: 0.7, 30.0: 0.1, 22.5: 0.12, 18.5: 0.08})


def _vetting(
    rng: random.Random, mix: dict[Vetting, float], on: date
) -> tuple[Vetting, date | None]:
    """A vetting level and its expiry: a few lapsed, a few lapsing within four weeks."""
    level = _weighted(rng, mix)
    if level in (Vetting.NONE, Vetting.BPSS):
        return level, None
    roll = rng.random()
    if roll < 0.03:
        expiry = on - timedelta(days=rng.randint(1, 60))
    elif roll < 0.08:
        expiry = on + timedelta(days=rng.randint(0, 27))
    else:
        expiry = on + timedelta(days=rng.randint(60, 2400))
    return level, expiry


def _prison_pom(rng: random.Random, prison: Site, senior_share: float, on: date) -> StaffMember:
    """A POM: a probation officer seconded to the prison, or a prison officer (PSO grade)."""
    probation_pom = rng.random() < senior_share
    if probation_pom:
        grade = Grade.SPO if rng.random() < 0.1 else Grade.PO
        mix = {Vetting.DV: 0.05, Vetting.SC: 0.8, Vetting.CTC: 0.15}
        trained = rng.random() < 0.85
    else:
        grade = Grade.PSO
        mix = {Vetting.SC: 0.4, Vetting.CTC: 0.5, Vetting.BPSS: 0.1}
        trained = rng.random() < 0.4
    # POMs also manage prisoners outside this caseload.
    return _person(rng, Role.PRISON, grade, prison, mix, trained, on, rng.uniform(0.5, 0.8))


def _com(rng: random.Random, built: _Region, ct_share: float, on: date) -> StaffMember:
    """A COM in the NSD team (most counter-terrorism work) or in a PDU."""
    grade = _weighted(rng, {Grade.PO: 0.55, Grade.SPO: 0.08, Grade.PQIP: 0.15, Grade.PSO: 0.22})
    if rng.random() < ct_share:
        site = built.nsd
        mix = {Vetting.DV: 0.1, Vetting.SC: 0.85, Vetting.CTC: 0.05}
        trained = rng.random() < 0.9
        elsewhere = rng.uniform(0.15, 0.35)
    else:
        # PDU officers hold a general caseload beside the few cases planned here.
        site = rng.choice(built.offices)
        mix = {Vetting.SC: 0.4, Vetting.CTC: 0.3, Vetting.BPSS: 0.3}
        trained = rng.random() < 0.35
        elsewhere = rng.uniform(0.6, 0.9)
    return _person(rng, Role.PROBATION, grade, site, mix, trained, on, elsewhere)


def _person(
    rng: random.Random,
    role: Role,
    grade: Grade,
    site: Site,
    mix: dict[Vetting, float],
    trained: bool,
    on: date,
    elsewhere: float,
) -> StaffMember:
    """A practitioner of a profile: hours (a share held elsewhere), vetting, skills, case limit."""
    vetting, expiry = _vetting(rng, mix, on)
    skills = ["ct_trained"] if trained else []
    if trained and rng.random() < 0.2:
        skills.append("erg_assessor")
    if rng.random() < 0.05:
        skills.append(rng.choice(["arabic", "urdu", "somali", "polygraph"]))
    contracted = _contracted(rng)
    person = StaffMember(
        role=role,
        grade=grade,
        site=site,
        contracted_hours=contracted,
        other_work_hours=_half_hours(contracted * elsewhere),
        vetting=vetting,
        vetting_expiry=expiry,
        skills=skills,
        max_cases=rng.choice((12, 15, 18)) if rng.random() < 0.2 else None,
        active=True,
    )
    if grade == Grade.PQIP:
        person.training_start = on - timedelta(days=rng.randint(0, 540))
    return person


def _absences(rng: random.Random, person: StaffMember, on: date) -> None:
    """Leave now and later, some long-term sickness, and standing reductions."""
    roll = rng.random()
    if roll < 0.12:
        start = on - timedelta(days=rng.randint(0, 6))
        _absent(
            person, AbsenceKind.ANNUAL_LEAVE, start, start + timedelta(days=rng.choice((4, 11)))
        )
    elif roll < 0.15:
        start = on - timedelta(days=rng.randint(7, 60))
        _absent(person, AbsenceKind.SICKNESS, start, on + timedelta(weeks=rng.randint(2, 16)))
    if rng.random() < 0.2:
        start = on + timedelta(weeks=rng.randint(1, 11))
        _absent(
            person, AbsenceKind.ANNUAL_LEAVE, start, start + timedelta(days=rng.choice((4, 11)))
        )
    if rng.random() < 0.1:
        kind = rng.choice((AbsenceKind.UNION_DUTIES, AbsenceKind.TRAINING))
        hours = 3.7 if kind == AbsenceKind.UNION_DUTIES else 7.4
        _absent(
            person,
            kind,
            on - timedelta(days=rng.randint(0, 200)),
            on + timedelta(days=rng.randint(30, 365)),
            hours,
        )


def _absent(
    person: StaffMember,
    kind: AbsenceKind,
    start: date,
    end: date,
    hours_per_week: float | None = None,
) -> None:
    """Record one absence or reduction."""
    person.absences.append(
        Absence(kind=kind, start_date=start, end_date=end, hours_per_week=hours_per_week)
    )


# --- Exclusions and current allocations -----------------------------------------------------


EXCLUSION_REASONS = (
    "Declared a conflict of interest",
    "Previous relationship with the family",
    "Victim liaison in a linked case",
)


def _exclude(rng: random.Random, built: _Region) -> int:
    """A few named practitioners who must not hold a case."""
    count = 0
    for case in built.cases:
        if rng.random() < 0.04 and case.needs:
            role = case.needs[0].role
            candidates = [p for p in built.staff if p.role == role]
            if candidates:
                case.exclusions.append(
                    Exclusion(
                        staff_member=rng.choice(candidates),
                        reason=rng.choice(EXCLUSION_REASONS),
                    )
                )
                count += 1
    return count


def _may_hold(person: StaffMember, need: Need, case: Case) -> bool:
    """Whether a person meets a need's requirements (the eligibility rules, in short)."""
    return (
        person.role == need.role
        and GRADE_ORDER.index(person.grade) >= GRADE_ORDER.index(need.min_grade)
        and VETTING_ORDER.index(person.vetting) >= VETTING_ORDER.index(need.vetting)
        and set(need.skills) <= set(person.skills)
        and (not need.same_site or person.site is case.site)
        and all(exclusion.staff_member is not person for exclusion in case.exclusions)
    )


def _allocate(rng: random.Random, built: _Region, week: IsoWeek, policy: Policy) -> int:
    """Give most needs a current holder, highest risk first, as a unit would have done by hand."""
    hours = {id(p): _free_hours(p, week, policy) for p in built.staff}
    load: dict[int, float] = defaultdict(float)
    count = 0
    order = sorted(built.cases, key=lambda c: (-list(Rosh).index(c.rosh), c.reference))
    for case in order:
        holders: set[int] = set()
        for need in case.needs:
            if rng.random() > 0.8:
                continue
            options = [
                p
                for p in built.staff
                if id(p) not in holders
                and _may_hold(p, need, case)
                and load[id(p)] + need.hours <= 1.1 * hours[id(p)]
            ]
            if not options:
                continue
            holder = rng.choice(options)
            holders.add(id(holder))
            load[id(holder)] += need.hours
            pinned = rng.random() < 0.03
            need.allocations.append(
                Allocation(
                    staff_member=holder,
                    start_date=week.monday - timedelta(days=rng.randint(7, 400)),
                    pinned=pinned,
                    reason="Pinned for continuity through release"
                    if pinned
                    else "Allocated by the SPO",
                )
            )
            count += 1
    return count
