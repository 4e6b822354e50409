"""Plausible synthetic problems of any size, seeded and deterministic (no real people)."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import replace

from optimisation.eligibility import EligibilityIndex
from optimisation.problem import Case, Need, Problem, ProblemPolicy, Staff

# Regions with a few of their prisons and probation delivery units; larger regions first.
REGIONS: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    (
        "London",
        ("HMP-BELMARSH", "HMP-WANDSWORTH", "HMP-PENTONVILLE", "HMP-BRIXTON", "HMP-THAMESIDE"),
        ("PDU-CAMDEN", "PDU-HACKNEY", "PDU-LAMBETH", "PDU-CROYDON", "PDU-EALING"),
    ),
    (
        "North West",
        ("HMP-LIVERPOOL", "HMP-PRESTON", "HMP-LANCASTER-FARMS"),
        ("PDU-LIVERPOOL", "PDU-PRESTON", "PDU-CUMBRIA"),
    ),
    (
        "Greater Manchester",
        ("HMP-MANCHESTER", "HMP-FOREST-BANK"),
        ("PDU-MANCHESTER", "PDU-BOLTON", "PDU-WIGAN"),
    ),
    (
        "West Midlands",
        ("HMP-BIRMINGHAM", "HMP-LONG-LARTIN", "HMP-HEWELL"),
        ("PDU-BIRMINGHAM", "PDU-COVENTRY", "PDU-WOLVERHAMPTON"),
    ),
    (
        "Yorkshire and the Humber",
        ("HMP-FULL-SUTTON", "HMP-LEEDS", "HMP-WAKEFIELD"),
        ("PDU-LEEDS", "PDU-BRADFORD", "PDU-SHEFFIELD"),
    ),
    ("North East", ("HMP-FRANKLAND", "HMP-DURHAM"), ("PDU-NEWCASTLE", "PDU-TEESSIDE")),
    ("East Midlands", ("HMP-NOTTINGHAM", "HMP-WHATTON"), ("PDU-NOTTINGHAM", "PDU-LEICESTER")),
    ("East of England", ("HMP-WHITEMOOR", "HMP-CHELMSFORD"), ("PDU-CAMBRIDGE", "PDU-LUTON")),
    ("South East", ("HMP-BULLINGDON", "HMP-WOODHILL"), ("PDU-OXFORD", "PDU-MILTON-KEYNES")),
    ("Kent Surrey and Sussex", ("HMP-ELMLEY", "HMP-LEWES"), ("PDU-MAIDSTONE", "PDU-BRIGHTON")),
    ("South West", ("HMP-BRISTOL", "HMP-EXETER"), ("PDU-BRISTOL", "PDU-PLYMOUTH")),
    ("Wales", ("HMP-CARDIFF", "HMP-BERWYN"), ("PDU-CARDIFF", "PDU-SWANSEA")),
)
RISKS = (("very_high", 0.15), ("high", 0.40), ("medium", 0.35), ("low", 0.10))
CASES_PER_REGION = 450
# What the planner sends: only very high and high risk may take a person past 110 %.
POLICY = ProblemPolicy(safe_capacity=1.1, beyond_safe_risks=("very_high", "high"))


def _pick(rng: random.Random, weighted: tuple[tuple[str, float], ...]) -> str:
    """One value drawn by weight."""
    return rng.choices([v for v, _ in weighted], [w for _, w in weighted])[0]


def _regions_for(cases: int) -> list[tuple[str, tuple[str, ...], tuple[str, ...], float]]:
    """The regions in play and each one's share of the work (London largest)."""
    count = max(1, min(len(REGIONS), round(cases / CASES_PER_REGION)))
    shares = [2.0 if name == "London" else 1.0 for name, _, _ in REGIONS[:count]]
    return [
        (name, prisons, pdus, share / sum(shares))
        for (name, prisons, pdus), share in zip(REGIONS[:count], shares, strict=True)
    ]


def _staff_member(
    rng: random.Random, number: int, region: str, prisons: tuple[str, ...], pdus: tuple[str, ...]
) -> Staff:
    """One practitioner: a prison POM, a seconded probation POM, a PDU COM or an NSD officer."""
    post = _pick(rng, (("prison", 0.2), ("seconded", 0.15), ("pdu", 0.25), ("nsd", 0.4)))
    role = "prison" if post == "prison" else "probation"
    site = {
        "prison": rng.choice(prisons),
        "seconded": rng.choice(prisons),
        "pdu": rng.choice(pdus),
        "nsd": "NSD-" + region.upper().replace(" ", "-"),
    }[post]
    if post == "prison":
        grade = _pick(rng, (("PSO", 0.5), ("PO", 0.4), ("SPO", 0.1)))
    else:
        grade = _pick(rng, (("PSO", 0.2), ("PQiP", 0.1), ("PO", 0.6), ("SPO", 0.1)))
    specialist = post in ("nsd", "seconded")
    vetting = _pick(
        rng,
        (("BPSS", 0.05), ("CTC", 0.1), ("SC", 0.75), ("DV", 0.1))
        if specialist
        else (("none", 0.05), ("BPSS", 0.25), ("CTC", 0.3), ("SC", 0.35), ("DV", 0.05)),
    )
    skills = []
    if rng.random() < (0.9 if specialist else 0.45):
        skills.append("ct_trained")
    for skill, chance in (
        ("erg_assessor", 0.12),
        ("polygraph", 0.05),
        ("arabic", 0.04),
        ("urdu", 0.04),
    ):
        if rng.random() < chance:
            skills.append(skill)
    fte = _pick(rng, (("1.0", 0.7), ("0.8", 0.15), ("0.6", 0.1), ("0.5", 0.05)))
    reduction = {"PQiP": rng.choice((0.8, 0.6, 0.4))}.get(grade, rng.choice((0.0, 0.0, 0.1)))
    available = round(37 * float(fte) * (1 - reduction) * 2) / 2
    if rng.random() < 0.04:
        available = 0.0  # on leave all week
    committed = round(available * rng.choice((0.0, 0.0, 0.05, 0.1)) * 2) / 2
    if rng.random() < 0.03:
        committed = round(available * 1.3 * 2) / 2  # already over capacity before planning
    max_cases = rng.choice((8, 10, 12, 15)) if rng.random() < 0.3 else None
    away = rng.random() < 0.05  # away for much of the horizon: keeps only what they hold
    return Staff(
        id=f"S{number:04d}",
        role=role,
        grade=grade,
        site=site,
        region=region,
        available_hours=available,
        committed_hours=committed,
        vetting=vetting,
        skills=tuple(skills),
        max_cases=max_cases,
        accepts_new_needs=not away,
    )


def _needs_of(
    rng: random.Random, risk: str, custody: bool, terrorist: bool, coworker: bool
) -> list[Need]:
    """The places a case needs filled, in relative hours (scaled to the shortfall later)."""
    serious = risk in ("very_high", "high")
    vetting = "SC" if terrorist else rng.choice(("none", "BPSS", "CTC"))
    skills = ["ct_trained"] if terrorist else []
    if rng.random() < 0.05:
        skills.append("erg_assessor")
    if rng.random() < 0.02:
        skills.append(rng.choice(("arabic", "urdu")))
    lead_grade = "PO" if serious else rng.choice(("PSO", "PQiP", "PO"))
    needs = []
    if custody:
        pom_role = "probation" if serious else "prison"
        needs.append(
            Need(
                role=pom_role,
                hours=rng.choice((1.0, 1.5, 2.0, 3.0)),
                min_grade=lead_grade if pom_role == "probation" else "PSO",
                vetting=vetting,
                skills=tuple(skills),
                same_site=True,
            )
        )
        if rng.random() < 0.5:  # near handover: a COM supports the POM
            needs.append(
                Need(
                    role="probation",
                    hours=rng.choice((1.0, 1.5, 2.0)),
                    min_grade=lead_grade,
                    vetting=vetting,
                    skills=tuple(skills),
                )
            )
    else:
        needs.append(
            Need(
                role="probation",
                hours=rng.choice((2.0, 3.0, 4.0, 5.0, 6.0)),
                min_grade=lead_grade,
                vetting=vetting,
                skills=tuple(skills),
            )
        )
        if coworker:
            needs.append(
                Need(
                    role="probation",
                    hours=rng.choice((1.0, 1.5, 2.0)),
                    min_grade="PSO",
                    vetting=vetting,
                    skills=tuple(skills),
                )
            )
    return needs


def _scale_hours(cases: list[Case], staff: list[Staff], shortfall: float) -> list[Case]:
    """Scale need hours so each region and role is short by `shortfall` of the hours needed."""
    available: dict[tuple[str, str], float] = defaultdict(float)
    needed: dict[tuple[str, str], float] = defaultdict(float)
    for member in staff:
        available[member.region, member.role] += member.available_hours
    for case in cases:
        for need in case.needs:
            needed[case.region, need.role] += need.hours
    scaled = []
    for case in cases:
        needs = []
        for need in case.needs:
            pool = (case.region, need.role)
            factor = available[pool] / (1 - shortfall) / needed[pool] if available[pool] else 1
            needs.append(replace(need, hours=max(0.5, round(need.hours * factor * 2) / 2)))
        scaled.append(replace(case, needs=tuple(needs)))
    return scaled


def _with_history(rng: random.Random, problem: Problem) -> Problem:
    """Add current holders (mostly people still eligible), a few pins and a few exclusions."""
    index = EligibilityIndex(problem)
    # The index lists positions in staff order, and a draw depends only on a list's length: so
    # drawing positions, then naming them, keeps the seeded problems as they were.
    cases = []
    for c, case in enumerate(problem.cases):
        needs = []
        for n, need in enumerate(case.needs):
            eligible = index.of(c, n)
            people = (
                eligible
                if eligible and rng.random() < 0.85
                else index.by_role_region.get((need.role, case.region), [])
            )
            current = (
                problem.staff[rng.choice(people)].id if people and rng.random() < 0.6 else None
            )
            pinned = current if current and rng.random() < 0.04 else None
            needs.append(replace(need, current=current, pinned=pinned))
        candidates = index.by_role_region.get(("probation", case.region), [])
        excluded = ()
        if candidates and rng.random() < 0.03:
            chosen = rng.sample(candidates, min(len(candidates), 2))
            excluded = tuple(sorted(problem.staff[s].id for s in chosen))
        cases.append(replace(case, needs=tuple(needs), excluded_staff=excluded))
    return replace(problem, cases=tuple(cases))


def generate(
    cases: int, staff: int, shortfall: float = 0.25, seed: int = 0, week: str = "2026-W49"
) -> Problem:
    """A synthetic problem: regions, prisons, PDUs and an NSD team, with a given shortfall,
    under the policy the planner sends (safe capacity 1.1 beyond which only very high and high
    risk may go)."""
    if cases < 0 or staff < 0 or not 0 <= shortfall < 1:
        raise ValueError("cases and staff must be ≥ 0 and shortfall in [0, 1)")
    rng = random.Random(seed)
    regions = _regions_for(cases)
    people: list[Staff] = []
    for number in range(staff):
        name, prisons, pdus, _ = (
            regions[number % len(regions)]
            if number < len(regions)
            else rng.choices(regions, [share for *_, share in regions])[0]
        )
        people.append(_staff_member(rng, number + 1, name, prisons, pdus))
    drafts: list[Case] = []
    for number in range(cases):
        name, prisons, pdus, _ = rng.choices(regions, [share for *_, share in regions])[0]
        custody = rng.random() < 0.45
        risk = _pick(rng, RISKS)
        mappa_level_3 = rng.random() < (0.4 if risk == "very_high" else 0.08)
        coworker = not custody and (mappa_level_3 or risk == "very_high")
        site = (
            rng.choice(prisons)
            if custody
            else (
                "NSD-" + name.upper().replace(" ", "-") if rng.random() < 0.5 else rng.choice(pdus)
            )
        )
        needs = _needs_of(rng, risk, custody, rng.random() < 0.8, coworker)
        drafts.append(
            Case(id=f"C{number + 1:05d}", risk=risk, site=site, region=name, needs=tuple(needs))
        )
    if people and drafts:
        drafts = _scale_hours(drafts, people, shortfall)
    draft = Problem(week=week, policy=POLICY, staff=tuple(people), cases=tuple(drafts))
    return _with_history(rng, draft)
