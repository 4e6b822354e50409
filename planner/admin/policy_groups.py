"""The policy's settings in the groups people change them in: words, ranges, units and rules."""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass

from planner.admin.numbers import Number
from planner.admin.policy_checks import (
    TRAINEE_PERIODS,
    capacities_in_order,
    periods_without_gaps,
    weights_rise_with_risk,
)
from planner.admin.policy_forms import (
    Check,
    OverloadForm,
    PolicyForm,
    RequirementsForm,
    numbers_form,
)
from planner.domain.policy import CASE_TYPES, DEFAULT_POINTS
from planner.domain.vocabulary import Rosh, label

# What each setting is called on the pages, in the banners and in the history.
SETTING_TITLES = {
    "risk_weights": "Risk weights",
    "soft_capacity": "Soft capacity",
    "safe_workload": "Safe workload",
    "hard_capacity": "Hard capacity",
    "excessive_weeks": "Excessive workload after",
    "pom_hours": "POM hours a week by RoSH",
    "ct_multiplier": "CT multiplier",
    "post_release_uplift": "Post-release uplift",
    "post_release_weeks": "Post-release period",
    "coworker_share": "Co-worker share",
    "full_time_hours": "Full-time hours",
    "full_time_points": "Full-time points",
    "workload_points": "COM workload points by tier and case type",
    "early_allocation_months": "Early allocation",
    "indeterminate_months": "Indeterminate sentences",
    "parole_months": "Determinate sentences with a parole eligibility date",
    "determinate_months": "Other determinate sentences: months",
    "determinate_days": "Other determinate sentences: days",
    "short_sentence_months": "Short sentences",
    "com_allocation_weeks": "COM allocated before handover",
    "trainee_reductions": "Trainee reductions",
    "base_vetting": "Vetting every case needs",
    "ct_vetting": "Vetting counter-terrorism cases need",
    "ct_skills": "Skills counter-terrorism cases need",
    "senior_grade": "Grade high and very high RoSH cases need",
    "release_alert_weeks": "Release or handover alert",
    "due_soon_days": "Reviews and vetting due soon",
    "beyond_safe_risks": "Needs that may take a person past the safe workload",
    "horizon_weeks": "Planning horizon",
    "time_limit_seconds": "Time limit",
    "relative_gap": "Relative gap",
    "idle_minutes": "Sign out after",
}
DETERMINATE = "Other determinate sentences"
TRAINEE_EXAMPLES = ("80", "60", "40", "20")


@dataclass(frozen=True)
class SettingsGroup:
    """Settings changed together on one page."""

    slug: str
    title: str
    description: str
    keys: tuple[str, ...]
    numbers: tuple[Number, ...] = ()
    checks: tuple[Check, ...] = ()
    choices_form: type[PolicyForm] | None = None
    # A table of numbers by tier and case type, drawn as a grid rather than a list.
    grid_key: str | None = None

    @property
    def form_class(self) -> type[PolicyForm]:
        """The form that changes this group's settings."""
        return self.choices_form or _numbers_form(self)


@functools.cache
def _numbers_form(group: SettingsGroup) -> type[PolicyForm]:
    """One form class per group of numbers, made once."""
    name = "".join(part.capitalize() for part in group.slug.split("-")) + "Form"
    return numbers_form(name, group.numbers, group.checks)


def _single(
    key: str,
    noun: str,
    example: str,
    low: float,
    high: float,
    unit: str,
    hint: str,
    *,
    whole: bool = False,
    label_text: str = "",
    legend: str = "",
) -> Number:
    """A setting that is one number."""
    text = label_text or SETTING_TITLES[key]
    return Number(
        (key,), text, noun, example, low, high, unit, whole=whole, hint=hint, legend=legend
    )


def _weeks(key: str, noun: str, example: str, hint: str) -> Number:
    """A whole number of weeks, up to a year."""
    return _single(key, noun, example, 0, 52, "weeks", hint, whole=True)


def _months(key: str, noun: str, example: str, hint: str, label_text: str = "") -> Number:
    """A whole number of months, up to three years."""
    legend = DETERMINATE if label_text else ""
    return _single(
        key, noun, example, 0, 36, "months", hint, whole=True, label_text=label_text, legend=legend
    )


def _by_rosh(
    key: str, noun: str, example: str, low: float, high: float, unit: str, whole: bool
) -> tuple[Number, ...]:
    """One number for each RoSH level, asked together."""
    return tuple(
        Number((key, rosh.value), label(rosh), noun.format(rosh=label(rosh).lower()), example,
               low, high, unit, whole=whole, legend=SETTING_TITLES[key])
        for rosh in Rosh
    )  # fmt: skip


# The groups read as tables of settings: kept one setting to a line or two, not reformatted.
# fmt: off
RISK_WEIGHTS = SettingsGroup(
    "risk-weights", "Risk weights",
    "How much covering a need counts, by the RoSH of its case. The planner covers the needs with "
    "the most weight first, so each level must weigh more than the level below it.",
    ("risk_weights",),
    _by_rosh("risk_weights", "the risk weight for {rosh} RoSH", "100", 1, 1_000_000, "", True),
    (weights_rise_with_risk,),
)
CAPACITY = SettingsGroup(
    "capacity", "Capacity thresholds",
    "Workload % is the hours a person holds ÷ the hours they have. These say when it is too much.",
    ("soft_capacity", "safe_workload", "hard_capacity", "excessive_weeks"),
    (
        _single("soft_capacity", "the soft capacity", "100", 50, 150, "%",
                "Above this a person is overloaded"),
        _single("safe_workload", "the safe workload", "110", 50, 200, "%",
                "Above this a case's holder is flagged as not covering it safely"),
        _single("hard_capacity", "the hard capacity", "120", 50, 200, "%",
                "The planner never plans anyone above this"),
        _single("excessive_weeks", "the weeks above the safe workload that count as excessive",
                "4", 1, 52, "weeks", "Weeks in a row above the safe workload that count as "
                "excessive", whole=True),
    ),
    (capacities_in_order,),
)
HOURS = SettingsGroup(
    "hours", "Hours for each case",
    "The hours a week a case takes, before the planner adds up who holds what.",
    ("pom_hours", "ct_multiplier", "post_release_uplift", "post_release_weeks", "coworker_share"),
    (
        *_by_rosh("pom_hours", "the POM hours for {rosh} RoSH", "1.5", 0, 40, "hours", False),
        _single("ct_multiplier", "the CT multiplier", "1.5", 1, 5, "×",
                "Counter-terrorism cases are supervised to enhanced standards: their hours are "
                "multiplied by this"),
        _single("post_release_uplift", "the post-release uplift", "1.5", 1, 5, "×",
                "A COM's hours are multiplied by this in the weeks after release"),
        _weeks("post_release_weeks", "the weeks the post-release uplift lasts", "12",
               "Weeks after release with weekly contact and home visits"),
        _single("coworker_share", "the co-worker share", "50", 0, 100, "%",
                "A co-worker's hours, as a share of the lead's hours"),
    ),
)
WORKLOAD_POINTS = SettingsGroup(
    "workload-points", "Workload points",
    "A COM's hours for a case come from the Probation Service's workload points: points a month "
    "by tier and case type, where a full-time practitioner's 100% is the full-time points.",
    ("full_time_hours", "full_time_points", "workload_points"),
    (
        _single("full_time_hours", "the full-time hours", "37", 1, 60, "hours",
                "A full-time practitioner's contracted hours a week"),
        _single("full_time_points", "the full-time points", "2176", 100, 10_000, "points",
                "The workload points a full-time practitioner holds at 100%", whole=True),
        *(
            Number(("workload_points", tier, case_type), f"Tier {tier}, {case_type}",
                   f"the points for tier {tier} {case_type} cases", str(points[case_type]),
                   0, 2_000, whole=True)
            for tier, points in DEFAULT_POINTS.items()
            for case_type in CASE_TYPES
        ),
    ),
    grid_key="workload_points",
)
HANDOVER = SettingsGroup(
    "handover", "Handover from custody to community",
    "When a COM takes over responsibility for a custody case, counted back from its earliest "
    "release date, and when they are allocated before that.",
    ("early_allocation_months", "indeterminate_months", "parole_months", "determinate_months",
     "determinate_days", "short_sentence_months", "com_allocation_weeks"),
    (
        _months("early_allocation_months", "the months before release for early allocation",
                "15", "TACT convictions, MAPPA level 3 and CPPC cases: months before the earliest "
                "release date"),
        _months("indeterminate_months", "the months before tariff expiry for indeterminate "
                "sentences", "12", "Months before the tariff expiry or parole hearing date"),
        _months("parole_months", "the months before the parole eligibility date", "12",
                "Months before the parole eligibility date"),
        _months("determinate_months", "the months before release for other determinate "
                "sentences", "8", "", label_text="Months"),
        _single("determinate_days", "the days before release for other determinate sentences",
                "14", 0, 30, "days", "", whole=True, label_text="Days", legend=DETERMINATE),
        _months("short_sentence_months", "the months of a short sentence", "10",
                "A COM is responsible throughout when release is due within this many months of "
                "sentence"),
        _weeks("com_allocation_weeks", "the weeks a COM is allocated before handover", "8",
               "A COM is allocated to support the POM this many weeks before the handover date"),
    ),
)
TRAINEES = SettingsGroup(
    "trainees", "Trainee reductions",
    "The share of a trainee probation officer's (PQiP) time kept for training, by period from the "
    "start of training. Leave the later periods blank where the reductions end.",
    ("trainee_reductions",),
    tuple(
        Number(("trainee_reductions", index), period[0].upper() + period[1:],
               f"the reduction for {period}", TRAINEE_EXAMPLES[index], 0, 100, "%", required=False,
               legend=SETTING_TITLES["trainee_reductions"])
        for index, period in enumerate(TRAINEE_PERIODS)
    ),
    (periods_without_gaps,),
)
REQUIREMENTS = SettingsGroup(
    "requirements", "Vetting, skills and grade",
    "Who may hold a case: the vetting every case needs, what counter-terrorism cases need, and "
    "the grade that high and very high RoSH cases need.",
    ("base_vetting", "ct_vetting", "ct_skills", "senior_grade"),
    choices_form=RequirementsForm,
)
ALERTS = SettingsGroup(
    "alerts", "Alerts",
    "How far ahead the planner warns about a coming release, a review or a lapsing vetting.",
    ("release_alert_weeks", "due_soon_days"),
    (
        _weeks("release_alert_weeks", "the weeks before release or handover to alert", "4",
               "Alert when release or handover is this near and no COM is allocated"),
        _single("due_soon_days", "the days before a review or vetting date to warn", "14", 0,
                365, "days", "A MAPPA or extremism risk review, or a holder's vetting, due "
                "within this many days is due soon; one before today is overdue", whole=True),
    ),
)
PLANNING = SettingsGroup(
    "planning", "Planning over the coming weeks",
    "An allocation lasts until it is changed, so a plan looks ahead: a person's hours are the "
    "average of their hours over these weeks, and someone with no hours in at least half of "
    "them takes no new cases.",
    ("horizon_weeks",),
    (
        _weeks("horizon_weeks", "the weeks a plan looks ahead", "4",
               "Weeks from the planned week's Monday, that week included"),
    ),
)
OVERLOAD = SettingsGroup(
    "overload", "Overload",
    "Which needs may take a person past the safe workload. Covering a very high risk case with "
    "an overloaded officer is better than leaving it with nobody; a lower risk one is not.",
    ("beyond_safe_risks",),
    choices_form=OverloadForm,
)
OPTIMISER = SettingsGroup(
    "optimiser", "Optimiser",
    "How long the weekly plan may search, and how close to the best possible plan is enough.",
    ("time_limit_seconds", "relative_gap"),
    (
        _single("time_limit_seconds", "the time limit", "60", 1, 3_600, "seconds",
                "The longest the optimiser may search for a better plan"),
        _single("relative_gap", "the relative gap", "0.01", 0, 10, "%",
                "The optimiser stops once its plan is proven this close to the best possible"),
    ),
)
SIGNING_OUT = SettingsGroup(
    "signing-out", "Signing out",
    "How long the planner may be left unused before it signs a person out, so that a screen left "
    "alone does not show cases for long. It warns them 2 minutes before, with a button to stay "
    "signed in.",
    ("idle_minutes",),
    (
        _single("idle_minutes", "the minutes the planner may be left unused", "30", 5, 480,
                "minutes", "Minutes without using the planner. Everyone is signed out 8 hours "
                "after signing in, however busy", whole=True),
    ),
)
# fmt: on

GROUPS = (
    RISK_WEIGHTS,
    CAPACITY,
    OVERLOAD,
    PLANNING,
    HOURS,
    WORKLOAD_POINTS,
    HANDOVER,
    TRAINEES,
    REQUIREMENTS,
    ALERTS,
    OPTIMISER,
    SIGNING_OUT,
)
GROUPS_BY_SLUG = {group.slug: group for group in GROUPS}
NUMBERS_BY_KEY: dict[str, list[Number]] = {}
for _number in itertools.chain.from_iterable(group.numbers for group in GROUPS):
    NUMBERS_BY_KEY.setdefault(str(_number.path[0]), []).append(_number)
