"""A run's review, its staffing ask and the look-ahead as tables to download, in pages' words."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date
from typing import Any

from planner.domain.needs import need_name
from planner.domain.vocabulary import Vetting, label
from planner.plans.evidence import RESTRICTED, Load, ReviewRow
from planner.plans.review import KIND_NAMES

PROPOSAL_HEADERS = (
    "Case",
    "Name",
    "RoSH",
    "Need",
    "Hours a week",
    "Where",
    "Region",
    "Held now by",
    "Staff ID now",
    "Planned holder",
    "Staff ID planned",
    "Change",
    "Why",
    "Why nobody can take it",
    "What would cover it",
    "Pinned",
)
# Why a need has nobody, as the Uncovered part says it.
UNCOVERED_WORDS = {
    "no_eligible_staff": "Nobody eligible",
    "excluded": "Only excluded people are eligible",
    "capacity": "Everyone eligible is full",
}


def proposal_rows(rows: Sequence[ReviewRow], openable: Collection[int]) -> list[list[object]]:
    """Each proposal as the review's parts show it; a restricted case the user may not open is
    "A restricted case", without its reference or name."""
    table: list[list[object]] = []
    for row in rows:
        proposal, case, holder, planned = row.proposal, row.case, row.holder, row.planned
        hidden = case.restricted and case.id not in openable
        reason = proposal.uncovered_reason
        table.append(
            [
                RESTRICTED.capitalize() if hidden else case.reference,
                "" if hidden else case.name,
                label(case.rosh),
                need_name(row.need),
                proposal.hours,
                row.site.name,
                row.region.name,
                holder.name if holder else "Nobody",
                holder.staff_ref if holder else "",
                planned.name if planned else "Nobody",
                planned.staff_ref if planned else "",
                KIND_NAMES[row.kind],
                row.why or "",
                f"{UNCOVERED_WORDS[reason]}: {row.detail}" if reason in UNCOVERED_WORDS else "",
                row.remedy if reason in UNCOVERED_WORDS else "",
                "Yes" if proposal.pinned else "No",
            ]
        )
    return table


LOAD_HEADERS = (
    "Name",
    "Grade",
    "Site",
    "Region",
    "Hours available a week",
    "Workload % now",
    "Workload % with the plan",
    "Very high and high risk cases planned",
)


def _percent(value: float | None) -> object:
    """Workload % as a whole number, or words when there are no hours to hold work in."""
    return "No hours available" if value is None else round(value * 100)


def load_rows(found: Sequence[Load]) -> list[list[object]]:
    """Each workload the plan changes or leaves past the safe workload."""
    return [
        [
            load.name,
            load.grade,
            load.site,
            load.region,
            load.available,
            _percent(load.before),
            _percent(load.after),
            ", ".join(load.high_risk),
        ]
        for load in found
    ]


STAFFING_HEADERS = (
    "Where",
    "Region",
    "Role",
    "Grade or above",
    "Vetting",
    "Skills",
    "Hours a week",
    "Full-time equivalent",
    "Cases covered",
)


def staffing_rows(
    places: list[dict[str, Any]], site_names: dict[str, str], full_time: float
) -> list[list[object]]:
    """Each person asked for, place by place, then the totals."""
    rows: list[list[object]] = []
    total = 0.0
    for place in places:
        for person in place["people"]:
            total += person["hours"]
            rows.append(
                [
                    site_names.get(person["site"], person["site"]),
                    place["place"] if place["role"] == "probation" else "",
                    "POM" if person["role"] == "prison" else "COM",
                    person["grade"],
                    label(Vetting(person["vetting"])),
                    ", ".join(label(skill) for skill in person["skills"]),
                    person["hours"],
                    round(person["hours"] / full_time, 2),
                    " ".join(person["cases"]),
                ]
            )
    people = sum(len(place["people"]) for place in places)
    rows.append(
        ["Total", "", f"{people} people", "", "", "", total, round(total / full_time, 2), ""]
    )
    return rows


LOOK_AHEAD_HEADERS = (
    "Week",
    "From",
    "Very high risk needs uncovered",
    "High risk needs uncovered",
    "All needs uncovered",
    "Case",
    "RoSH",
    "Need",
    "Why",
    "What would cover it",
)


def look_ahead_rows(
    results: list[dict[str, Any]], within: Collection[int], openable: Collection[int]
) -> list[list[object]]:
    """Each coming week with each high-risk gap of the user's regions on a line of its own (a
    week without one on a line alone); a case the user may not open is "A restricted case"."""
    rows: list[list[object]] = []
    for week in results:
        risks = week["by_risk"]
        figures: list[object] = [
            week["week"],
            date.fromisoformat(week["monday"]),
            risks["very_high"]["needs"] - risks["very_high"]["covered"],
            risks["high"]["needs"] - risks["high"]["covered"],
            week["uncovered"],
        ]
        gaps = [gap for gap in week["high_risk_gaps"] if gap["case_id"] in within]
        for gap in gaps:
            case = gap["case"] if gap["case_id"] in openable else RESTRICTED.capitalize()
            rows.append(
                [*figures, case, label(gap["risk"]), gap["need"], gap["detail"], gap["remedy"]]
            )
        if not gaps:
            rows.append([*figures, "", "", "", "", ""])
    return rows
