"""Every gap explained: reason, the rule or people behind it, and a remedy that is true."""

from __future__ import annotations

from optimisation.optimiser import solve

from .builders import case, need, person, problem, with_remedy


def only_gap(example):
    """The one uncovered need of a solved problem."""
    (gap,) = solve(example, workers=1).uncovered
    return gap


def test_no_eligible_staff_names_the_rule_that_rules_everyone_out() -> None:
    """Three prison staff at the site, none vetted SC: the detail says exactly that."""
    prison = [person(f"S{i}", role="prison", site="HMP-BELMARSH", vetting="CTC") for i in range(3)]
    example = problem(
        prison,
        [
            case(
                "C1",
                need(role="prison", same_site=True, vetting="SC"),
                site="HMP-BELMARSH",
                risk="very_high",
            )
        ],
    )
    gap = only_gap(example)
    assert (gap.reason, gap.risk) == ("no_eligible_staff", "very_high")
    assert gap.detail == "3 prison staff at HMP-BELMARSH; none vetted SC or above"


def test_the_detail_narrows_rule_by_rule() -> None:
    """Each rule that removes people is counted until nobody is left."""
    staff = [
        person("S1", grade="PSO"),
        person("S2", vetting="CTC"),
        person("S3", vetting="SC", grade="SPO"),
    ]
    example = problem(
        staff, [case("C1", need(min_grade="PO", vetting="SC", skills=("ct_trained",)))]
    )
    assert only_gap(example).detail == (
        "3 probation staff in London; 2 graded PO or above; 1 vetted SC or above; "
        "none with skill ct_trained"
    )


def test_excluded_when_only_excluded_people_would_do() -> None:
    """The one person who could is excluded: reason excluded, and who."""
    example = problem(
        [person("S1"), person("S2", grade="PSO")],
        [case("C1", need(min_grade="PO"), excluded_staff=("S1",))],
    )
    gap = only_gap(example)
    assert gap.reason == "excluded"
    assert gap.detail == "only S1 would be eligible, and excluded from C1"


def test_capacity_names_the_people_whose_hours_are_taken() -> None:
    """Eligible but full: the detail names each person and their hours left."""
    example = problem(
        [person("S1", available_hours=5)],
        [case("C1", need(hours=6), risk="very_high"), case("C2", need(hours=3))],
    )
    gap = only_gap(example)
    assert (gap.case, gap.reason) == ("C2", "capacity")
    assert gap.detail == (
        "1 eligible staff, none with room for 3 h after higher-ranked work: "
        "S1 has 0.0 of 6.0 h left"
    )


def test_case_limits_are_named_too() -> None:
    """A person at their case limit is named as such."""
    example = problem(
        [person("S1", max_cases=1, available_hours=30)], [case("C1", risk="very_high"), case("C2")]
    )
    assert "S1 is at the case limit of 1" in only_gap(example).detail


def test_nobody_taking_new_needs_is_no_eligible_staff() -> None:
    """Both people are away for much of the horizon and hold nothing of C1: nobody is
    eligible, and the detail says it is because nobody takes new needs."""
    example = problem(
        [person("S1", accepts_new_needs=False), person("S2", accepts_new_needs=False)],
        [case("C1", risk="very_high")],
    )
    gap = only_gap(example)
    assert gap.reason == "no_eligible_staff"
    assert gap.detail == "2 probation staff in London; none taking new needs"


def test_a_holder_taking_no_new_needs_still_keeps_their_own() -> None:
    """S1 takes no new needs but holds C1's need now: it stays theirs; C2's goes uncovered."""
    example = problem(
        [person("S1", accepts_new_needs=False)],
        [case("C1", need(current="S1")), case("C2", need(hours=1))],
    )
    plan = solve(example, workers=1)
    assert [(a.case, a.staff) for a in plan.assignments] == [("C1", "S1")]
    (gap,) = plan.uncovered
    assert (gap.case, gap.reason) == ("C2", "no_eligible_staff")


def test_a_full_safe_workload_is_named() -> None:
    """S1 has hours left, but the medium-risk need would take their committed work and the
    needs within safe past the safe workload (the very high need may go past): capacity."""
    example = problem(
        [person("S1", committed_hours=9)],
        [case("C1", need(hours=4), risk="very_high"), case("C2", need(hours=2), risk="medium")],
        safe_capacity=1.0,
        hard_capacity=1.5,
        beyond_safe_risks=("very_high", "high"),
    )
    gap = only_gap(example)
    assert (gap.case, gap.reason) == ("C2", "capacity")
    assert "S1 has 1.0 of 10.0 h left within the safe workload" in gap.detail


def test_the_remedy_is_a_person_who_would_cover_the_need() -> None:
    """The remedy names role, grade, place, vetting, skills and hours, as text and a person."""
    example = problem(
        [person("S1", role="prison", site="HMP-BELMARSH")],
        [
            case(
                "C1",
                need(
                    role="prison",
                    same_site=True,
                    hours=1.5,
                    min_grade="PO",
                    vetting="SC",
                    skills=("ct_trained",),
                ),
                site="HMP-BELMARSH",
            )
        ],
    )
    remedy = only_gap(example).remedy
    assert remedy.text == (
        "1.5 hours a week of a prison PO or above at HMP-BELMARSH, vetted SC, ct_trained"
    )
    added = remedy.add_staff
    assert (
        added.role,
        added.grade,
        added.site,
        added.region,
        added.vetting,
        added.skills,
        added.available_hours,
    ) == ("prison", "PO", "HMP-BELMARSH", "London", "SC", ("ct_trained",), 1.5)


def test_the_remedy_works_when_added() -> None:
    """Adding the remedy's person and solving again covers at least the need's weight more."""
    example = problem(
        [person("S1", available_hours=5)],
        [
            case("C1", need(hours=6), risk="very_high"),
            case("C2", need(hours=3), risk="medium", site="PDU-HACKNEY"),
        ],
        relative_gap=0.0,
    )
    before = solve(example, workers=1)
    (gap,) = before.uncovered
    after = solve(with_remedy(example, gap.remedy.add_staff, "NEW"), workers=1)
    assert after.objective.coverage >= before.objective.coverage + 10


def test_uncovered_needs_come_highest_risk_first() -> None:
    """The gaps that matter most are listed first."""
    example = problem(
        [], [case("C1", risk="low"), case("C2", risk="very_high"), case("C3", risk="medium")]
    )
    assert [gap.risk for gap in solve(example, workers=1).uncovered] == [
        "very_high",
        "medium",
        "low",
    ]
