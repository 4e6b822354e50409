"""Handover stages of a custody case: from the COM to be allocated to release, by the rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from planner.domain.policy import Policy
from planner.domain.rules import CaseFacts, handover, setting_on
from planner.domain.vocabulary import Setting

# The windows of the handover lists, as "Manage POM cases" draws them.
COM_AHEAD_WEEKS = 8
HANDED_OVER_WEEKS = 4
RELEASE_AHEAD_WEEKS = 12


class Stage(StrEnum):
    """A handover list a custody case can be on; the order is the order managers act in."""

    COM_OVERDUE = "com_overdue"
    COM_TO_ALLOCATE = "com_to_allocate"
    IN_PROGRESS = "in_progress"
    RELEASE_DUE = "release_due"
    HANDED_OVER = "handed_over"


STAGE_LABELS = {
    Stage.COM_OVERDUE: "COM allocation overdue",
    Stage.COM_TO_ALLOCATE: f"COM to be allocated in the next {COM_AHEAD_WEEKS} weeks",
    Stage.IN_PROGRESS: "Handover in progress",
    Stage.RELEASE_DUE: f"Releases in the next {RELEASE_AHEAD_WEEKS} weeks",
    Stage.HANDED_OVER: f"Handed over in the last {HANDED_OVER_WEEKS} weeks",
}


@dataclass(frozen=True)
class HandoverDates:
    """The dates the rules give a custody case, and the stages they put it in today."""

    com_allocated_from: date | None
    com_responsible_from: date | None
    release: date | None
    stages: frozenset[Stage]


def handover_stages(case: CaseFacts, com_held: bool, on: date, policy: Policy) -> HandoverDates:
    """Which handover lists a case is on today, given whether someone holds its COM need."""
    dates = handover(case, policy)
    allocate, responsible = dates.com_allocated_from, dates.com_responsible_from
    release = case.release_date
    stages: set[Stage] = set()
    if setting_on(case, on) == Setting.CUSTODY:
        if allocate is not None and not com_held:
            if allocate <= on:
                stages.add(Stage.COM_OVERDUE)
            elif allocate <= on + timedelta(weeks=COM_AHEAD_WEEKS):
                stages.add(Stage.COM_TO_ALLOCATE)
        if com_held and responsible is not None and on < responsible:
            stages.add(Stage.IN_PROGRESS)
        if responsible is not None and on - timedelta(weeks=HANDED_OVER_WEEKS) < responsible <= on:
            stages.add(Stage.HANDED_OVER)
        if release is not None and on <= release <= on + timedelta(weeks=RELEASE_AHEAD_WEEKS):
            stages.add(Stage.RELEASE_DUE)
    return HandoverDates(allocate, responsible, release, frozenset(stages))
