"""The editable policy: every number the rules use, with the defaults of docs/DOMAIN.md."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from planner.domain.vocabulary import Grade, Vetting

CASE_TYPES = ("community", "licence", "custody")

# Workload points a month per case, by tier and case type: the seed values of the Probation
# Service's workload tools for the legacy 16 tiers (A3 highest), and values in proportion for
# the newer A-G tiers. A full-time practitioner's 100 % is 2,176 points.
DEFAULT_POINTS: dict[str, dict[str, int]] = {
    tier: dict(zip(CASE_TYPES, points, strict=True))
    for tier, points in {
        "A3": (190, 219, 75), "A2": (164, 189, 65), "A1": (145, 167, 57), "A0": (128, 147, 50),
        "B3": (110, 126, 43), "B2": (96, 110, 38), "B1": (84, 97, 33), "B0": (74, 85, 29),
        "C3": (64, 74, 25), "C2": (56, 65, 22), "C1": (50, 57, 19), "C0": (44, 51, 17),
        "D3": (38, 44, 15), "D2": (33, 38, 13), "D1": (29, 33, 11), "D0": (25, 29, 10),
        "A": (200, 230, 80), "B": (160, 185, 64), "C": (125, 145, 50), "D": (95, 110, 38),
        "E": (70, 80, 28), "F": (50, 57, 20), "G": (30, 35, 12),
    }.items()
}  # fmt: skip


@dataclass(frozen=True)
class Policy:
    """Every number the rules and the planner use that a manager may change."""

    risk_weights: dict[str, int] = field(
        default_factory=lambda: {"very_high": 1000, "high": 100, "medium": 10, "low": 1}
    )
    soft_capacity: float = 1.0
    hard_capacity: float = 1.2
    safe_workload: float = 1.1
    # Only needs of these risks may take a person past the safe workload (docs/DOMAIN.md).
    beyond_safe_risks: list[str] = field(default_factory=lambda: ["very_high", "high"])
    # The weeks from the planned week's Monday whose hours a plan is made from.
    horizon_weeks: int = 4
    excessive_weeks: int = 4
    full_time_hours: float = 37.0
    full_time_points: int = 2176
    ct_multiplier: float = 1.5
    post_release_uplift: float = 1.5
    post_release_weeks: int = 12
    coworker_share: float = 0.5
    # Hours a week a prison offender manager spends on a case, by RoSH, before the CT multiplier.
    pom_hours: dict[str, float] = field(
        default_factory=lambda: {"low": 1.0, "medium": 1.5, "high": 2.0, "very_high": 2.5}
    )
    workload_points: dict[str, dict[str, int]] = field(
        default_factory=lambda: {tier: dict(points) for tier, points in DEFAULT_POINTS.items()}
    )
    com_allocation_weeks: int = 8
    early_allocation_months: int = 15
    indeterminate_months: int = 12
    parole_months: int = 12
    determinate_months: int = 8
    determinate_days: int = 14
    short_sentence_months: int = 10
    trainee_reductions: list[float] = field(default_factory=lambda: [0.8, 0.6, 0.4])
    base_vetting: str = Vetting.BPSS.value
    ct_vetting: str = Vetting.SC.value
    ct_skills: list[str] = field(default_factory=lambda: ["ct_trained"])
    senior_grade: str = Grade.PO.value
    release_alert_weeks: int = 4
    # A review or vetting date this near is due soon (a warning); one before today is overdue.
    due_soon_days: int = 14
    time_limit_seconds: float = 60.0
    relative_gap: float = 0.0001
    # Minutes without a request after which a signed-in person is signed out.
    idle_minutes: float = 30

    def to_dict(self) -> dict[str, Any]:
        """Every setting by name."""
        return dataclasses.asdict(self)


DEFAULT_POLICY = Policy()
POLICY_KEYS = frozenset(f.name for f in dataclasses.fields(Policy))
