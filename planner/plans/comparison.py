"""Two plans of one week compared as a manager asks: needs left uncovered at each risk, then
the heaviest workload and how many people are past the safe workload. Never by counting alerts:
someone off sick clears their own alerts, and that is no improvement."""

from __future__ import annotations

from typing import Any

from optimisation import Plan
from planner.domain.vocabulary import Rosh, label


def uncovered_by_risk(cover: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Needs with nobody at each risk, highest first: with this plan, with the change, and the
    difference (more uncovered is worse)."""
    rows = []
    for row in cover:
        before = row["before"]["needs"] - row["before"]["covered"]
        after = row["after"]["needs"] - row["after"]["covered"]
        rows.append(
            {"risk": row["risk"], "before": before, "after": after, "difference": after - before}
        )
    return rows


def workloads(plan: Plan, names: dict[str, str], safe: float) -> dict[str, Any]:
    """The heaviest Workload % under a plan, whose it is, and how many are past the safe level.
    Someone holding needs with no hours at all is past it, whatever a percentage would say."""
    highest, who, past = 0.0, None, 0
    for load in plan.staff_load:
        share = load.workload
        if share is None:
            past += load.planned_hours > 0
            continue
        past += share > safe
        if share > highest:
            highest, who = share, names.get(load.staff, "someone not on the staff list")
    return {"highest": round(highest, 4), "who": who, "past_safe": past}


def verdict(uncovered: list[dict[str, Any]], before: dict[str, Any], after: dict[str, Any]) -> str:
    """The change in a sentence: the highest risk whose cover moves decides, then workloads."""
    for row in uncovered:
        if row["difference"]:
            more = row["difference"] > 0
            count = abs(row["difference"])
            risk = label(Rosh(row["risk"])).lower()
            needs = "need" if count == 1 else "needs"
            return (
                f"Worse: {count} more {risk} risk {needs} would have nobody"
                if more
                else f"Better: {count} fewer {risk} risk {needs} would have nobody"
            )
    if after["past_safe"] != before["past_safe"]:
        difference = after["past_safe"] - before["past_safe"]
        people = "person" if abs(difference) == 1 else "people"
        if difference > 0:
            return (
                f"Worse: the same needs covered, {difference} more {people} past the safe workload"
            )
        return (
            f"Better: the same needs covered, {-difference} fewer {people} past the safe workload"
        )
    if after["highest"] > before["highest"]:
        return "Worse: the same needs covered, with a heavier highest workload"
    if after["highest"] < before["highest"]:
        return "Better: the same needs covered, with a lighter highest workload"
    return "No difference: the same needs covered, the same workloads"
