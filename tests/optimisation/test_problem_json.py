"""Problem and plan JSON: round trips, defaults, and every validation message."""

from __future__ import annotations

import copy
import json

import pytest

from optimisation.baseline import greedy
from optimisation.formats import (
    plan_from_dict,
    plan_from_json,
    plan_to_dict,
    problem_from_dict,
    problem_from_json,
    problem_to_dict,
)
from optimisation.problem import ProblemError
from optimisation.synthetic import generate

VALID = {
    "format": "caseload-problem/1",
    "week": "2026-W49",
    "policy": {},
    "staff": [
        {
            "id": "S001",
            "role": "prison",
            "grade": "PO",
            "site": "HMP-BELMARSH",
            "region": "London",
            "available_hours": 30.0,
            "committed_hours": 12.0,
            "vetting": "SC",
            "skills": ["ct_trained"],
            "max_cases": 15,
        },
        {
            "id": "S002",
            "role": "probation",
            "grade": "PSO",
            "site": "PDU-CAMDEN",
            "region": "London",
            "available_hours": 20,
        },
    ],
    "cases": [
        {
            "id": "C001",
            "risk": "very_high",
            "site": "HMP-BELMARSH",
            "region": "London",
            "excluded_staff": ["S002"],
            "needs": [
                {
                    "role": "prison",
                    "min_grade": "PO",
                    "hours": 3.0,
                    "vetting": "SC",
                    "skills": ["ct_trained"],
                    "same_site": True,
                    "current": "S001",
                    "pinned": None,
                },
                {"role": "probation", "hours": 1.5},
            ],
        },
    ],
}


def test_a_problem_round_trips_through_json() -> None:
    """Reading what was written gives the same problem."""
    problem = problem_from_dict(VALID)
    assert problem_from_json(json.dumps(problem_to_dict(problem))) == problem


def test_a_generated_problem_round_trips() -> None:
    """A generated problem survives JSON unchanged."""
    problem = generate(40, 12, seed=4)
    assert problem_from_dict(json.loads(json.dumps(problem_to_dict(problem)))) == problem


def test_defaults_fill_in_optional_fields() -> None:
    """Missing optional fields take the defaults of docs/PLAN-FORMAT.md; explicit null too."""
    problem = problem_from_dict(VALID)
    assert problem.policy.risk_weights == {"very_high": 1000, "high": 100, "medium": 10, "low": 1}
    assert problem.policy.hard_capacity == 1.2 and problem.policy.time_limit_seconds == 60
    second = problem.staff[1]
    assert (second.committed_hours, second.vetting, second.skills, second.max_cases) == (
        0.0,
        "none",
        (),
        None,
    )
    other = problem.cases[0].needs[1]
    assert (other.min_grade, other.vetting, other.same_site, other.current, other.pinned) == (
        None,
        "none",
        False,
        None,
        None,
    )


def test_the_safe_workload_defaults_keep_an_older_problem_meaning_what_it_meant() -> None:
    """Absent, the safe capacity is the hard one and every risk may go past it: no new limit."""
    policy = problem_from_dict(VALID).policy
    assert policy.safe_capacity == 1.2
    assert policy.beyond_safe_risks == ("very_high", "high", "medium", "low")
    data = copy.deepcopy(VALID)
    data["policy"] = {"hard_capacity": 1.5}
    assert problem_from_dict(data).policy.safe_capacity == 1.5
    assert problem_from_dict(VALID).staff[1].accepts_new_needs is True


def test_the_new_fields_are_read_and_written() -> None:
    """Safe capacity, beyond-safe risks and accepts_new_needs survive JSON as given."""
    data = copy.deepcopy(VALID)
    data["policy"] = {"safe_capacity": 1.1, "beyond_safe_risks": ["very_high", "high"]}
    data["staff"][0]["accepts_new_needs"] = False
    problem = problem_from_dict(data)
    assert (problem.policy.safe_capacity, problem.policy.beyond_safe_risks) == (
        1.1,
        ("very_high", "high"),
    )
    assert problem.staff[0].accepts_new_needs is False
    written = problem_to_dict(problem)
    assert written["policy"]["beyond_safe_risks"] == ["very_high", "high"]
    assert written["staff"][0]["accepts_new_needs"] is False
    assert problem_from_dict(written) == problem
    data["policy"]["beyond_safe_risks"] = []
    assert problem_from_dict(data).policy.beyond_safe_risks == ()


def test_a_plan_round_trips_through_json() -> None:
    """A plan, with uncovered needs and remedies, survives JSON unchanged."""
    plan = greedy(generate(30, 8, seed=2))
    assert plan.uncovered
    assert plan_from_json(json.dumps(plan_to_dict(plan))) == plan
    assert plan_from_dict(plan_to_dict(plan)) == plan


def _broken(change) -> list[str]:
    """The problems reported for VALID after `change` edits a copy of it."""
    data = copy.deepcopy(VALID)
    change(data)
    with pytest.raises(ProblemError) as raised:
        problem_from_dict(data)
    return raised.value.problems


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["cases"][0]["needs"][0].update(hours=-1),
            "cases[0].needs[0].hours: must be ≥ 0",
        ),
        (
            lambda d: d["staff"][1].update(grade="XX"),
            "staff[1].grade: unknown grade 'XX' (expected one of PSO, PQiP, PO, SPO)",
        ),
        (
            lambda d: d["staff"][0].update(vetting="TOP"),
            "staff[0].vetting: unknown vetting level 'TOP' (expected one of none, BPSS, CTC, SC, DV)",
        ),
        (
            lambda d: d["cases"][0].update(risk="extreme"),
            "cases[0].risk: unknown risk 'extreme' (expected one of very_high, high, medium, low)",
        ),
        (lambda d: d["staff"][0].update(colour="red"), "staff[0].colour: unknown field"),
        (lambda d: d.update(extra=1), "extra: unknown field"),
        (lambda d: d["staff"][0].pop("region"), "staff[0].region: missing (required)"),
        (lambda d: d.pop("week"), "week: missing (required)"),
        (
            lambda d: d["staff"][1].update(id="S001"),
            "staff[1].id: duplicate id 'S001' (also staff[0])",
        ),
        (
            lambda d: d["cases"].append(copy.deepcopy(d["cases"][0])),
            "cases[1].id: duplicate id 'C001' (also cases[0])",
        ),
        (
            lambda d: d["cases"][0].update(excluded_staff=["S404"]),
            "cases[0].excluded_staff[0]: unknown staff 'S404'",
        ),
        (
            lambda d: d["cases"][0]["needs"][0].update(current="S404"),
            "cases[0].needs[0].current: unknown staff 'S404'",
        ),
        (
            lambda d: d["cases"][0]["needs"][1].update(pinned="S405"),
            "cases[0].needs[1].pinned: unknown staff 'S405'",
        ),
        (
            lambda d: d["staff"][0].update(available_hours="ten"),
            "staff[0].available_hours: must be a number, not 'ten'",
        ),
        (
            lambda d: d["staff"][0].update(available_hours=True),
            "staff[0].available_hours: must be a number, not true",
        ),
        (
            lambda d: d["staff"][0].update(committed_hours=-2),
            "staff[0].committed_hours: must be ≥ 0",
        ),
        (
            lambda d: d["staff"][0].update(max_cases=2.5),
            "staff[0].max_cases: must be a whole number, not 2.5",
        ),
        (
            lambda d: d["cases"][0]["needs"][0].update(same_site="yes"),
            "cases[0].needs[0].same_site: must be true or false, not 'yes'",
        ),
        (lambda d: d["cases"][0].update(needs={}), "cases[0].needs: must be a list, not {}"),
        (lambda d: d["staff"].__setitem__(0, 7), "staff[0]: must be an object, not 7"),
        (
            lambda d: d.update(format="caseload-plan/1"),
            "format: must be 'caseload-problem/1', not 'caseload-plan/1'",
        ),
        (lambda d: d["policy"].update(grades=["A", "A"]), "policy.grades[1]: 'A' is listed twice"),
        (lambda d: d["policy"].update(hard_capacity=-1), "policy.hard_capacity: must be ≥ 0"),
        (
            lambda d: d["policy"].update(risk_weights={"high": "lots"}),
            "policy.risk_weights.high: must be a number, not 'lots'",
        ),
        (
            lambda d: d["policy"].update(risk_weights={"extreme": 5}),
            "policy.risk_weights.extreme: unknown risk 'extreme' (expected one of very_high, "
            "high, medium, low)",
        ),
        (
            lambda d: d["policy"].update(beyond_safe_risks=["high", "severe"]),
            "policy.beyond_safe_risks[1]: unknown risk 'severe' (expected one of very_high, "
            "high, medium, low)",
        ),
        (
            lambda d: d["policy"].update(beyond_safe_risks=["high", "high"]),
            "policy.beyond_safe_risks[1]: 'high' is listed twice",
        ),
        (
            lambda d: d["policy"].update(beyond_safe_risks="high"),
            "policy.beyond_safe_risks: must be a list, not 'high'",
        ),
        (lambda d: d["policy"].update(safe_capacity=-0.1), "policy.safe_capacity: must be ≥ 0"),
        (
            lambda d: d["staff"][0].update(accepts_new_needs="no"),
            "staff[0].accepts_new_needs: must be true or false, not 'no'",
        ),
    ],
)
def test_each_validation_message(change, message: str) -> None:
    """Each kind of invalid input is named in one readable line, saying where it is."""
    assert message in _broken(change)


def test_every_problem_is_reported_at_once() -> None:
    """Several mistakes give several lines, not just the first."""

    def change(data: dict) -> None:
        """Three mistakes at once."""
        data["staff"][0]["grade"] = "XX"
        data["staff"][1]["available_hours"] = -1
        data["cases"][0]["needs"][1]["hours"] = "many"

    assert len(_broken(change)) == 3


def test_bad_json_names_line_and_column() -> None:
    """Text that is not JSON is one problem naming where it breaks."""
    with pytest.raises(ProblemError) as raised:
        problem_from_json('{"format": \n  "caseload-problem/1",,}')
    assert raised.value.problems == [
        "line 2 column 24: not valid JSON (Expecting property name enclosed in double quotes)"
    ]


def test_a_plan_with_an_unknown_status_is_refused() -> None:
    """Plans are validated too."""
    data = plan_to_dict(greedy(generate(5, 3, seed=1)))
    data["status"] = "great"
    with pytest.raises(ProblemError) as raised:
        plan_from_dict(data)
    assert raised.value.problems == [
        "status: unknown status 'great' (expected one of optimal, feasible, error)"
    ]
