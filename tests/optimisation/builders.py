"""Small hand-made problems for the optimiser's tests, generated ones, and what they share."""

from __future__ import annotations

from dataclasses import asdict, replace
from typing import Any

from hypothesis import strategies as st

from optimisation.check import check_plan
from optimisation.eligibility import EligibilityIndex
from optimisation.ledger import resolve_pins
from optimisation.optimiser import solve
from optimisation.problem import AddStaff, Case, Need, Problem, ProblemPolicy, Staff
from optimisation.synthetic import generate


def person(staff_id: str, **fields: Any) -> Staff:
    """A probation PO in London at PDU-CAMDEN with 10 hours, unless told otherwise."""
    values: dict[str, Any] = {
        "role": "probation",
        "grade": "PO",
        "site": "PDU-CAMDEN",
        "region": "London",
        "available_hours": 10.0,
    }
    values.update(fields)
    return Staff(id=staff_id, **values)


def need(**fields: Any) -> Need:
    """A probation need of 5 hours, unless told otherwise."""
    values: dict[str, Any] = {"role": "probation", "hours": 5.0}
    values.update(fields)
    return Need(**values)


def case(case_id: str, *needs: Need, **fields: Any) -> Case:
    """A high-risk London case at PDU-CAMDEN, with the needs given (one default need if none)."""
    values: dict[str, Any] = {"risk": "high", "site": "PDU-CAMDEN", "region": "London"}
    values.update(fields)
    return Case(id=case_id, needs=needs or (need(),), **values)


def problem(staff: list[Staff], cases: list[Case], **policy: Any) -> Problem:
    """A problem for week 2026-W49 under the default policy, with any policy changes given."""
    return Problem(
        week="2026-W49",
        policy=replace(ProblemPolicy(), **policy),
        staff=tuple(staff),
        cases=tuple(cases),
    )


def filled(plan) -> dict[tuple[str, int], str]:
    """A plan's assignments as (case, need) -> staff."""
    return {(a.case, a.need): a.staff for a in plan.assignments}


def solved(example: Problem):
    """Solve and check: every plan these tests make must keep every rule."""
    plan = solve(example, workers=1)
    assert check_plan(example, plan)[0] == []
    return plan


def index_and_pins(example: Problem):
    """The eligibility index and the resolved pins of a problem."""
    index = EligibilityIndex(example)
    return index, resolve_pins(example, index)


def with_remedy(example: Problem, added: AddStaff, staff_id: str) -> Problem:
    """The problem with a remedy's person added (no committed hours, no case limit)."""
    return replace(example, staff=(*example.staff, Staff(id=staff_id, **asdict(added))))


# Generated problems of 3 to 30 cases and 1 to 10 people, solved to a proven optimum.
problems = st.builds(
    lambda cases, staff, shortfall, seed: replace(
        generate(cases, staff, shortfall=shortfall, seed=seed),
        policy=replace(generate(0, 0).policy, relative_gap=0.0),
    ),
    cases=st.integers(3, 30),
    staff=st.integers(1, 10),
    shortfall=st.sampled_from([0.0, 0.25, 0.4]),
    seed=st.integers(0, 10_000),
)
