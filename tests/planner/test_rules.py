"""The domain rules: handover dates, responsibility, default needs, hours and Workload %."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from planner.domain.policy import DEFAULT_POLICY as POLICY
from planner.domain.rules import (
    add_months,
    available_hours,
    committed_hours,
    default_needs,
    handover,
    responsibility_state,
    responsible_role,
    trainee_reduction,
    workload,
)
from planner.domain.vocabulary import (
    AbsenceKind,
    Cohort,
    Grade,
    ResponsibilityState,
    Role,
    Rosh,
    SentenceType,
    Setting,
    Vetting,
)
from planner.domain.weeks import IsoWeek
from planner.models import Absence, Case, StaffMember

WEEK = IsoWeek.parse("2026-W49")  # Monday 30 November 2026
MONDAY = WEEK.monday


def case(**facts: Any) -> Case:
    """A custody TACT case, changed by the facts given."""
    values: dict[str, Any] = {
        "cohort": Cohort.TACT,
        "mappa_level": 2,
        "rosh": Rosh.HIGH,
        "tier": "B2",
        "setting": Setting.CUSTODY,
        "sentence_type": SentenceType.DETERMINATE,
        "sentence_date": date(2022, 1, 10),
        "release_date": date(2029, 6, 15),
        "parole_eligibility_date": None,
        "tariff_expiry_date": None,
        "parole_hearing_date": None,
        "released_on": None,
    }
    values.update(facts)
    return Case(**values)


def staff(**facts: Any) -> StaffMember:
    """A full-time PO with no absences, changed by the facts given."""
    values: dict[str, Any] = {
        "grade": Grade.PO,
        "contracted_hours": 37.0,
        "other_work_hours": 0.0,
        "training_start": None,
        "active": True,
    }
    values.update(facts)
    return StaffMember(**values)


def absence(start: date, end: date, hours: float | None = None) -> Absence:
    """Leave (hours None) or a reduction of some hours a week."""
    return Absence(kind=AbsenceKind.OTHER, start_date=start, end_date=end, hours_per_week=hours)


# --- Dates ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 3, 31), -1, date(2028, 2, 29)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
        (date(2027, 1, 15), -15, date(2025, 10, 15)),
    ],
)
def test_add_months_keeps_within_the_month(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


def test_iso_weeks_read_and_write_the_same() -> None:
    assert str(WEEK) == "2026-W49"
    assert WEEK.monday == date(2026, 11, 30)
    assert WEEK.sunday == date(2026, 12, 6)
    assert WEEK.plus(5) == IsoWeek.parse("2027-W01")
    with pytest.raises(ValueError, match="not a week"):
        IsoWeek.parse("2026-49")
    assert IsoWeek.parse("2026-W53").sunday == date(2027, 1, 3)
    with pytest.raises(ValueError, match="2027 has no week 53"):
        IsoWeek.parse("2027-W53")


# --- Handover: each row of the table in docs/DOMAIN.md -------------------------------------------


def test_early_allocation_for_a_tact_conviction_is_15_months_before_release() -> None:
    result = handover(case(release_date=date(2028, 6, 15)), POLICY)
    assert result.com_responsible_from == date(2027, 3, 15)
    assert result.com_allocated_from == date(2027, 1, 18)  # eight weeks earlier
    assert "early allocation" in result.rule


@pytest.mark.parametrize(
    "facts",
    [
        {"cohort": Cohort.TERRORIST_CONNECTED, "mappa_level": 3},
        {"cohort": Cohort.CPPC, "mappa_level": 1},
    ],
)
def test_mappa_level_3_and_cppc_cases_are_early_allocation(facts: dict[str, Any]) -> None:
    result = handover(case(release_date=date(2028, 6, 15), **facts), POLICY)
    assert result.com_responsible_from == date(2027, 3, 15)


def test_indeterminate_hands_over_12_months_before_tariff_expiry() -> None:
    result = handover(
        case(
            cohort=Cohort.TERRORIST_CONNECTED,
            sentence_type=SentenceType.INDETERMINATE,
            release_date=None,
            tariff_expiry_date=date(2029, 5, 10),
        ),
        POLICY,
    )
    assert result.com_responsible_from == date(2028, 5, 10)
    assert "indeterminate" in result.rule


def test_indeterminate_with_an_earlier_hearing_hands_over_12_months_before_it() -> None:
    result = handover(
        case(
            cohort=Cohort.TERRORIST_RISK,
            sentence_type=SentenceType.INDETERMINATE,
            release_date=None,
            tariff_expiry_date=date(2029, 5, 10),
            parole_hearing_date=date(2027, 9, 1),
        ),
        POLICY,
    )
    assert result.com_responsible_from == date(2026, 9, 1)


def test_determinate_with_a_parole_eligibility_date_hands_over_at_ped_minus_12_months() -> None:
    result = handover(
        case(
            cohort=Cohort.TERRORIST_RISK,
            release_date=date(2030, 2, 28),
            parole_eligibility_date=date(2028, 2, 29),
        ),
        POLICY,
    )
    assert result.com_responsible_from == date(2027, 2, 28)
    assert "PED" in result.rule


def test_other_determinate_hands_over_8_months_14_days_before_release() -> None:
    result = handover(case(cohort=Cohort.TERRORIST_RISK, release_date=date(2028, 10, 31)), POLICY)
    assert result.com_responsible_from == date(2028, 2, 15)
    assert result.com_allocated_from == date(2027, 12, 21)


def test_due_out_within_10_months_of_sentence_the_com_is_responsible_throughout() -> None:
    result = handover(case(sentence_date=date(2026, 1, 10), release_date=date(2026, 9, 30)), POLICY)
    assert result.com_responsible_from == date(2026, 1, 10)
    assert result.com_allocated_from == date(2026, 1, 10)
    assert "throughout" in result.rule


def test_community_cases_have_no_handover() -> None:
    result = handover(
        case(setting=Setting.COMMUNITY, sentence_type=SentenceType.COMMUNITY_ORDER), POLICY
    )
    assert result.com_responsible_from is None


def test_missing_release_dates_leave_the_handover_uncomputed() -> None:
    result = handover(case(release_date=None), POLICY)
    assert result.com_allocated_from is None
    assert "not computed" in result.rule


def test_changed_offsets_in_the_policy_move_the_dates() -> None:
    policy = POLICY.__class__(early_allocation_months=18, com_allocation_weeks=4)
    result = handover(case(release_date=date(2028, 6, 15)), policy)
    assert result.com_responsible_from == date(2026, 12, 15)
    assert result.com_allocated_from == date(2026, 11, 17)


# --- Responsibility -------------------------------------------------------------------------


def test_responsibility_moves_from_pom_to_com_through_release() -> None:
    subject = case(
        release_date=date(2028, 6, 15)
    )  # COM allocated 2027-01-18, responsible 2027-03-15
    assert responsibility_state(subject, date(2027, 1, 17), POLICY) == (
        ResponsibilityState.CUSTODY_ONLY
    )
    assert responsibility_state(subject, date(2027, 1, 18), POLICY) == (
        ResponsibilityState.CUSTODY_WITH_COM
    )
    assert responsible_role(subject, date(2027, 3, 14), POLICY) == Role.PRISON
    assert responsible_role(subject, date(2027, 3, 15), POLICY) == Role.PROBATION
    assert responsibility_state(subject, date(2028, 6, 15), POLICY) == ResponsibilityState.COMMUNITY


# --- Default needs --------------------------------------------------------------------------


def test_a_ct_case_in_custody_needs_a_vetted_trained_probation_pom_in_its_prison() -> None:
    (need,) = default_needs(case(), POLICY, MONDAY)
    assert need.key == "pom"
    assert need.role == Role.PRISON
    assert need.min_grade == Grade.PO
    assert need.vetting == Vetting.SC
    assert need.skills == ("ct_trained",)
    assert need.same_site is True
    assert need.hours == 3.0  # 2 hours for high RoSH × 1.5 for enhanced supervision


def test_a_low_risk_non_ct_custody_case_may_have_a_prison_pom() -> None:
    (need,) = default_needs(case(cohort=Cohort.CPPC, rosh=Rosh.LOW, tier="C1"), POLICY, MONDAY)
    assert need.min_grade == Grade.PSO
    assert need.vetting == Vetting.BPSS
    assert need.skills == ()
    assert need.hours == 1.0


def test_tier_a_in_custody_needs_a_probation_pom_whatever_the_rosh() -> None:
    (need,) = default_needs(case(rosh=Rosh.MEDIUM, tier="A1"), POLICY, MONDAY)
    assert need.min_grade == Grade.PO


def test_custody_with_com_needs_both_and_the_com_is_weighted_by_custody_points() -> None:
    subject = case(rosh=Rosh.MEDIUM, tier="B1", release_date=date(2027, 12, 1))
    pom, com = default_needs(subject, POLICY, MONDAY)
    assert (pom.role, com.role) == (Role.PRISON, Role.PROBATION)
    assert com.min_grade == Grade.PSO  # medium RoSH: any grade (rule 1)
    assert com.same_site is False
    assert com.hours == round(33 * 37 / 2176 * 1.5, 2)


def test_a_case_on_licence_needs_a_com_weighted_by_licence_points() -> None:
    subject = case(
        setting=Setting.COMMUNITY, tier="A3", released_on=date(2025, 1, 6),
        release_date=date(2025, 1, 6), mappa_level=2, rosh=Rosh.HIGH,
    )  # fmt: skip
    (com,) = default_needs(subject, POLICY, MONDAY)
    assert com.role == Role.PROBATION
    assert com.min_grade == Grade.PO
    assert com.hours == round(219 * 37 / 2176 * 1.5, 2)


def test_the_first_12_weeks_after_release_need_more_hours() -> None:
    subject = case(
        setting=Setting.COMMUNITY, tier="A3", released_on=date(2026, 10, 5),
        release_date=date(2026, 10, 5), rosh=Rosh.HIGH,
    )  # fmt: skip
    (com,) = default_needs(subject, POLICY, MONDAY)
    assert com.hours == round(219 * 37 / 2176 * 1.5 * 1.5, 2)
    assert "after release" in com.rule
    (later,) = default_needs(subject, POLICY, date(2027, 1, 4))
    assert later.hours == round(219 * 37 / 2176 * 1.5, 2)


def test_a_community_order_is_weighted_by_community_points() -> None:
    subject = case(
        cohort=Cohort.CPPC, setting=Setting.COMMUNITY, sentence_type=SentenceType.COMMUNITY_ORDER,
        tier="C1", rosh=Rosh.MEDIUM, release_date=None, mappa_level=1,
    )  # fmt: skip
    (com,) = default_needs(subject, POLICY, MONDAY)
    assert com.hours == round(50 * 37 / 2176, 2)
    assert com.vetting == Vetting.BPSS


def test_mappa_level_3_in_the_community_needs_a_co_working_com() -> None:
    subject = case(
        setting=Setting.COMMUNITY, released_on=date(2024, 1, 8), release_date=date(2024, 1, 8),
        mappa_level=3,
    )  # fmt: skip
    com, coworker = default_needs(subject, POLICY, MONDAY)
    assert coworker.key == "com_coworker"
    assert coworker.role == Role.PROBATION
    assert coworker.hours == round(com.hours * 0.5, 2)
    assert (coworker.min_grade, coworker.vetting, coworker.skills) == (
        com.min_grade, com.vetting, com.skills,
    )  # fmt: skip


def test_very_high_rosh_in_the_community_needs_a_co_worker() -> None:
    subject = case(
        setting=Setting.COMMUNITY, released_on=date(2024, 1, 8), release_date=date(2024, 1, 8),
        rosh=Rosh.VERY_HIGH,
    )  # fmt: skip
    assert [need.key for need in default_needs(subject, POLICY, MONDAY)] == ["com", "com_coworker"]


def test_very_high_rosh_in_custody_does_not_need_a_co_worker() -> None:
    assert [need.key for need in default_needs(case(rosh=Rosh.VERY_HIGH), POLICY, MONDAY)] == [
        "pom"
    ]


def test_mappa_level_3_co_worker_follows_responsibility_through_handover() -> None:
    subject = case(mappa_level=3, release_date=date(2027, 6, 1))  # responsible from 2026-03-01
    keys = [need.key for need in default_needs(subject, POLICY, date(2025, 6, 2))]
    assert keys == ["pom", "pom_coworker"]
    keys = [need.key for need in default_needs(subject, POLICY, MONDAY)]
    assert keys == ["pom", "com", "com_coworker"]


def test_the_ct_multiplier_comes_from_the_policy() -> None:
    policy = POLICY.__class__(ct_multiplier=2.0)
    (need,) = default_needs(case(), policy, MONDAY)
    assert need.hours == 4.0


# --- Hours and Workload % -------------------------------------------------------------------


def test_a_full_week_of_full_time_work() -> None:
    assert available_hours(staff(), WEEK, POLICY) == 37.0


def test_a_week_of_leave_leaves_no_hours() -> None:
    person = staff(absences=[absence(date(2026, 11, 27), date(2026, 12, 8))])
    assert available_hours(person, WEEK, POLICY) == 0.0


def test_leave_over_part_of_the_week_takes_those_days() -> None:
    person = staff(absences=[absence(date(2026, 11, 30), date(2026, 12, 2))])  # Mon-Wed
    assert available_hours(person, WEEK, POLICY) == 14.8


def test_a_reduction_takes_its_hours_a_week() -> None:
    person = staff(absences=[absence(date(2026, 1, 1), date(2027, 1, 1), hours=7.4)])
    assert available_hours(person, WEEK, POLICY) == 29.6


def test_overlapping_leave_and_reductions_are_not_counted_twice() -> None:
    person = staff(
        absences=[
            absence(date(2026, 11, 30), date(2026, 12, 1)),  # Mon-Tue off
            absence(date(2026, 11, 30), date(2026, 12, 1)),  # the same days, entered twice
            absence(date(2026, 1, 1), date(2027, 1, 1), hours=7.4),
        ]
    )
    assert available_hours(person, WEEK, POLICY) == pytest.approx(3 * (7.4 - 1.48))


def test_reductions_beyond_the_hours_of_a_day_leave_none_rather_than_less() -> None:
    person = staff(
        contracted_hours=18.5,
        absences=[
            absence(date(2026, 1, 1), date(2027, 1, 1), hours=15.0),
            absence(date(2026, 1, 1), date(2027, 1, 1), hours=15.0),
        ],
    )
    assert available_hours(person, WEEK, POLICY) == 0.0


def test_someone_inactive_has_no_hours() -> None:
    assert available_hours(staff(active=False), WEEK, POLICY) == 0.0


@pytest.mark.parametrize(
    ("started", "reduction"),
    [
        (date(2026, 9, 1), 0.8),
        (date(2026, 4, 1), 0.6),
        (date(2025, 10, 1), 0.4),
        (date(2025, 5, 1), 0.0),
    ],
)
def test_trainee_officers_carry_falling_reductions(started: date, reduction: float) -> None:
    trainee = staff(grade=Grade.PQIP, training_start=started)
    assert trainee_reduction(trainee, MONDAY, POLICY) == reduction
    assert available_hours(trainee, WEEK, POLICY) == round(37 * (1 - reduction), 2)


def test_only_trainee_officers_carry_training_reductions() -> None:
    assert trainee_reduction(staff(training_start=date(2026, 9, 1)), MONDAY, POLICY) == 0.0


def test_work_held_elsewhere_shrinks_with_absence() -> None:
    person = staff(other_work_hours=20.0)
    assert committed_hours(person, 37.0) == 20.0
    assert committed_hours(person, 18.5) == 10.0


def test_workload_is_hours_held_over_hours_available() -> None:
    assert workload(33.3, 37.0) == pytest.approx(0.9)
    assert workload(0.0, 0.0) == 0.0
    assert workload(5.0, 0.0) is None
