"""Each eligibility rule, its reason in words, and the verdicts the web app shows."""

from __future__ import annotations

import pytest

from optimisation.eligibility import (
    RULE_NAMES,
    EligibilityIndex,
    is_eligible,
    reasons_against,
    staff_verdicts,
)
from optimisation.problem import ProblemError, ProblemPolicy
from optimisation.synthetic import generate

from .builders import case, need, person, problem

POLICY = ProblemPolicy()
NEED = need(min_grade="PO", vetting="SC", skills=("ct_trained",), same_site=True)
CASE = case("C1", NEED, site="HMP-BELMARSH")
GOOD = person("S1", grade="PO", vetting="SC", skills=("ct_trained",), site="HMP-BELMARSH")


def test_a_person_meeting_every_rule_is_eligible() -> None:
    """Role, grade, vetting, skills, region, site, not excluded, with hours: eligible."""
    assert is_eligible(POLICY, CASE, NEED, GOOD)
    assert reasons_against(POLICY, CASE, NEED, GOOD) == []


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"role": "prison"}, "role prison, not probation"),
        ({"region": "Wales"}, "region Wales, not London"),
        ({"site": "PDU-CAMDEN"}, "works at PDU-CAMDEN, not HMP-BELMARSH"),
        ({"grade": "PQiP"}, "grade PQiP is below PO"),
        ({"grade": "PSO"}, "grade PSO is below PO"),
        ({"vetting": "CTC"}, "vetting CTC is below SC"),
        ({"skills": ("polygraph",)}, "lacks skill ct_trained"),
        ({"available_hours": 0.0}, "no available hours this week"),
    ],
)
def test_each_rule_rules_out_with_its_reason(change: dict, reason: str) -> None:
    """Breaking one rule makes the person ineligible, and says which rule in words."""
    member = GOOD.__class__(**{**GOOD.__dict__, **change})
    assert not is_eligible(POLICY, CASE, NEED, member)
    assert reasons_against(POLICY, CASE, NEED, member) == [reason]


def test_the_grade_and_vetting_ladders_allow_higher_levels() -> None:
    """An SPO vetted DV may fill a need for a PO vetted SC."""
    senior = GOOD.__class__(**{**GOOD.__dict__, "grade": "SPO", "vetting": "DV"})
    assert is_eligible(POLICY, CASE, NEED, senior)


def test_a_need_without_same_site_accepts_anyone_in_the_region() -> None:
    """Site matters only for same_site needs; region always does."""
    roaming = need(same_site=False)
    elsewhere = person("S2", site="PDU-HACKNEY")
    assert is_eligible(POLICY, case("C2", roaming, site="HMP-BELMARSH"), roaming, elsewhere)


def test_exclusion_is_a_rule_too() -> None:
    """A person excluded from the case is not eligible for any of its needs."""
    excluded = case("C1", NEED, site="HMP-BELMARSH", excluded_staff=("S1",))
    assert reasons_against(POLICY, excluded, NEED, GOOD) == ["excluded from this case"]


def test_every_broken_rule_is_listed() -> None:
    """Several broken rules give several reasons, in the rules' order."""
    member = person("S3", grade="PSO", vetting="CTC", region="Wales", site="PDU-CARDIFF")
    assert reasons_against(POLICY, CASE, NEED, member) == [
        "region Wales, not London",
        "works at PDU-CARDIFF, not HMP-BELMARSH",
        "grade PSO is below PO",
        "vetting CTC is below SC",
        "lacks skill ct_trained",
    ]


def test_verdicts_name_every_staff_member_for_a_need() -> None:
    """The web app's view: everyone, with "eligible" or the reasons against them."""
    example = problem(
        [GOOD, person("S2", vetting="CTC", site="HMP-BELMARSH", skills=("ct_trained",))], [CASE]
    )
    verdicts = staff_verdicts(example, "C1", 0)
    assert [(v.staff, v.eligible, v.reasons) for v in verdicts] == [
        ("S1", True, ("eligible",)),
        ("S2", False, ("vetting CTC is below SC",)),
    ]


def test_verdicts_for_an_unknown_need_are_refused() -> None:
    """Asking about a case or need that is not there is a readable error."""
    example = problem([GOOD], [CASE])
    with pytest.raises(ProblemError):
        staff_verdicts(example, "C9", 0)
    with pytest.raises(ProblemError):
        staff_verdicts(example, "C1", 3)


def test_the_index_agrees_with_the_rules_on_a_generated_problem() -> None:
    """The fast index and the rule-by-rule check never disagree."""
    example = generate(60, 25, seed=7)
    index = EligibilityIndex(example)
    for c, item in enumerate(example.cases):
        for n, item_need in enumerate(item.needs):
            expected = tuple(
                s
                for s, member in enumerate(example.staff)
                if is_eligible(example.policy, item, item_need, member)
            )
            assert index.of(c, n) == expected


def test_rule_names_cover_the_format() -> None:
    """Every rule of docs/PLAN-FORMAT.md is one named rule."""
    assert set(RULE_NAMES) == {
        "role",
        "region",
        "site",
        "grade",
        "vetting",
        "skills",
        "available",
        "accepting",
        "excluded",
    }
