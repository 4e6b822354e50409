"""Small hand-made problems for the optimiser's tests."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from optimisation.problem import Case, Need, Policy, Problem, Staff


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
        week="2026-W49", policy=replace(Policy(), **policy), staff=tuple(staff), cases=tuple(cases)
    )


def filled(plan) -> dict[tuple[str, int], str]:
    """A plan's assignments as (case, need) -> staff."""
    return {(a.case, a.need): a.staff for a in plan.assignments}
