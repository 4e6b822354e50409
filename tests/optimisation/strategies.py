"""Small problems unlike the generator's, for the property tests: every awkward case at once.

Drawn: weights far apart (10^9 and 1, with no gap), equal or zero weights; pins above
capacity, above the case limit or to someone ineligible; co-workers in chains and several
interchangeable co-working needs on one case; people who take no new needs, people with no
hours and people whose committed hours are already above the soft, safe or hard capacity;
needs of no hours; safe capacities and beyond-safe risks of every kind.

`examples(n)`: n examples, times OPTIMISER_EXAMPLES (default 1) for a longer run by hand.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from optimisation.problem import RISKS, Case, Need, Problem, ProblemPolicy, Staff

WEIGHTS = (
    {"very_high": 1000.0, "high": 100.0, "medium": 10.0, "low": 1.0},
    {"very_high": 1e9, "high": 1e6, "medium": 1e3, "low": 1.0},
    {"very_high": 1e9, "high": 1.0, "medium": 1.0, "low": 1.0},
    {"very_high": 5.0, "high": 3.0, "medium": 2.0, "low": 0.0},
    {"very_high": 1.0, "high": 1.0, "medium": 1.0, "low": 1.0},
    {"very_high": 2.5, "high": 0.5, "medium": 0.1, "low": 0.1},
)
BEYOND = (None, (), ("very_high",), ("very_high", "high"), RISKS)
HOURS = (0.0, 0.5, 1.0, 2.0, 3.0, 4.5, 6.0)
AVAILABLE = (0.0, 2.0, 5.0, 7.5, 10.0, 20.0)
# Committed hours as a share of available hours: nothing, some, and above each capacity.
COMMITTED = (0.0, 0.0, 0.5, 1.05, 1.15, 1.3)
GRADES = ("PSO", "PQiP", "PO", "SPO")
VETTING = ("none", "BPSS", "CTC", "SC", "DV")
SITES = ("PDU-CAMDEN", "HMP-BELMARSH")


def examples(n: int) -> int:
    """n, times the OPTIMISER_EXAMPLES multiplier for a longer run."""
    return n * int(os.environ.get("OPTIMISER_EXAMPLES", "1"))


def settled(n: int) -> settings:
    """Hypothesis settings for n examples: derandomised (the same examples each run in CI)."""
    return settings(
        max_examples=examples(n),
        deadline=None,
        derandomize=os.environ.get("OPTIMISER_EXAMPLES", "1") == "1",
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


@st.composite
def policies(draw: st.DrawFn) -> ProblemPolicy:
    """A policy: weights, capacities (safe below, at or above hard), gap and beyond-safe risks."""
    hard = draw(st.sampled_from((1.0, 1.2, 1.5)))
    return ProblemPolicy(
        risk_weights=dict(draw(st.sampled_from(WEIGHTS))),
        soft_capacity=draw(st.sampled_from((0.8, 1.0))),
        hard_capacity=hard,
        safe_capacity=draw(st.sampled_from((None, 0.9, 1.1, hard))),
        beyond_safe_risks=draw(st.sampled_from(BEYOND)),
        relative_gap=draw(st.sampled_from((0.0, 0.0, 1e-4))),
    )


@st.composite
def staff_members(draw: st.DrawFn, number: int) -> Staff:
    """One person, mostly a probation officer at PDU-CAMDEN who takes new needs."""
    available = draw(st.sampled_from(AVAILABLE))
    return Staff(
        id=f"S{number}",
        role=draw(st.sampled_from(("probation", "probation", "probation", "prison"))),
        grade=draw(st.sampled_from(GRADES)),
        site=draw(st.sampled_from(SITES)),
        region=draw(st.sampled_from(("London", "London", "London", "Wales"))),
        available_hours=available,
        committed_hours=available * draw(st.sampled_from(COMMITTED)),
        vetting=draw(st.sampled_from(VETTING)),
        skills=draw(st.sampled_from(((), (), ("ct_trained",)))),
        max_cases=draw(st.sampled_from((None, None, None, 0, 1, 2, 3))),
        accepts_new_needs=draw(st.sampled_from((True, True, True, False))),
    )


@st.composite
def needs(draw: st.DrawFn, people: list[str]) -> Need:
    """One need, whose holder or pin (often the same person) may be anyone."""
    someone = st.sampled_from([None, None, *people]) if people else st.none()
    current = draw(someone)
    pinned = draw(st.sampled_from((None, None, None, current)) | someone)
    return Need(
        role=draw(st.sampled_from(("probation", "probation", "probation", "prison"))),
        hours=draw(st.sampled_from(HOURS)),
        min_grade=draw(st.sampled_from((None, None, "PO", "SPO"))),
        vetting=draw(st.sampled_from(("none", "none", "SC"))),
        skills=draw(st.sampled_from(((), (), ("ct_trained",)))),
        same_site=draw(st.booleans()),
        current=current,
        pinned=pinned,
    )


@st.composite
def cases(draw: st.DrawFn, number: int, people: list[str]) -> Case:
    """One case with one to four needs; often three or four interchangeable co-workers."""
    first = draw(needs(people))
    if draw(st.booleans()):
        count = draw(st.integers(1, 3))
        more = [draw(needs(people)) for _ in range(count)]
    else:
        more = [first] * draw(st.integers(0, 3))
    return Case(
        id=f"C{number}",
        risk=draw(st.sampled_from(RISKS)),
        site=draw(st.sampled_from(SITES)),
        region="London",
        needs=(first, *more),
        excluded_staff=tuple(draw(st.sets(st.sampled_from(people), max_size=1))) if people else (),
    )


@st.composite
def small_problems(draw: st.DrawFn, most_staff: int = 5, most_cases: int = 7) -> Problem:
    """A small problem with every awkward case the strategies above can draw."""
    policy = draw(policies())
    staff = [draw(staff_members(s)) for s in range(draw(st.integers(1, most_staff)))]
    people = [member.id for member in staff]
    drawn = [draw(cases(c, people)) for c in range(draw(st.integers(1, most_cases)))]
    return Problem(week="2026-W49", policy=policy, staff=tuple(staff), cases=tuple(drawn))
