"""Rules between the numbers of a group: each names the numbers that break it and says why."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from typing import Any

from planner.admin.numbers import Path, plain
from planner.domain.vocabulary import Rosh, label

TRAINEE_PERIODS = ("the first 6 months", "months 7 to 12", "months 13 to 18", "months 19 to 24")

Breaches = Iterator[tuple[Path, str]]


def weights_rise_with_risk(values: Mapping[Path, Any]) -> Breaches:
    """Each RoSH level must weigh more than the one below, so coverage goes highest risk first."""
    for lower, higher in itertools.pairwise(Rosh):
        below = values.get(("risk_weights", lower.value))
        above = values.get(("risk_weights", higher.value))
        if below is not None and above is not None and above <= below:
            yield (
                ("risk_weights", higher.value),
                f"The risk weight for {label(higher).lower()} RoSH must be more than the weight "
                f"for {label(lower).lower()} RoSH ({below:,})",
            )


def capacities_in_order(values: Mapping[Path, Any]) -> Breaches:
    """Soft capacity ≤ safe workload ≤ hard capacity."""
    soft = values.get(("soft_capacity",))
    safe = values.get(("safe_workload",))
    hard = values.get(("hard_capacity",))
    if soft is not None and hard is not None and hard < soft:
        yield (
            ("hard_capacity",),
            f"The hard capacity must be at least the soft capacity ({plain(soft * 100)}%)",
        )
        return  # the safe workload cannot be placed between them until they are in order
    if soft is not None and safe is not None and safe < soft:
        yield (
            ("safe_workload",),
            f"The safe workload must be at least the soft capacity ({plain(soft * 100)}%)",
        )
    elif hard is not None and safe is not None and safe > hard:
        yield (
            ("safe_workload",),
            f"The safe workload must be no more than the hard capacity ({plain(hard * 100)}%)",
        )


def periods_without_gaps(values: Mapping[Path, Any]) -> Breaches:
    """Trainee reductions run from the start of training: no blank period before a filled one."""
    # A number with its own error counts as filled: its message already says what to fix.
    typed = [values.get(("trainee_reductions", index), 0) for index in range(len(TRAINEE_PERIODS))]
    blank = next((index for index, value in enumerate(typed) if value is None), None)
    if blank is not None and any(value is not None for value in typed[blank + 1 :]):
        yield (
            ("trainee_reductions", blank),
            f"Enter the reduction for {TRAINEE_PERIODS[blank]}, or clear the later periods",
        )
