"""Up to four people side by side: their workload ahead, what they hold, and what is coming."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm import Session

from planner.domain.needs import need_name
from planner.domain.policy import Policy
from planner.domain.reach import Reach
from planner.domain.rules import handover
from planner.domain.vocabulary import Rosh, Setting
from planner.domain.weeks import IsoWeek
from planner.models import Absence, StaffMember
from planner.staff.profile import (
    WEEKS_AHEAD,
    HeldNeed,
    WeekHours,
    allocations_ahead,
    held_on_day,
    staff_member_or_404,
    weeks_ahead,
)

MOST_COMPARED = 4
# How far back a case given to or taken from someone counts as recently moved.
MOVED_DAYS = 30


@dataclass(frozen=True)
class Due:
    """A release or a handover of a case the person holds, in the coming weeks."""

    day: date
    event: str
    held: HeldNeed


@dataclass(frozen=True)
class Compared:
    """One person's figures for the comparison."""

    person: StaffMember
    weeks: list[WeekHours]
    held: list[HeldNeed]
    due: list[Due]
    absences: list[Absence]
    moved_to: list[HeldNeed]
    moved_from: list[HeldNeed]

    @property
    def now(self) -> WeekHours:
        """This week's hours."""
        return self.weeks[0]

    @property
    def busiest(self) -> WeekHours:
        """The coming week with the highest Workload % (the first of equals)."""
        return max(self.weeks, key=lambda week: week.load.workload or 0.0)

    def weeks_over(self, limit: float) -> int:
        """How many of the coming weeks are past a Workload % limit."""
        return sum((week.load.workload or 0.0) > limit for week in self.weeks)

    @property
    def cases_by_risk(self) -> dict[Rosh, int]:
        """How many of the cases they hold are at each RoSH level, highest first."""
        counted = Counter(
            case.rosh for case in {item.case.id: item.case for item in self.held}.values()
        )
        return {rosh: counted[rosh] for rosh in reversed(Rosh)}

    @property
    def needs_by_role(self) -> dict[str, int]:
        """How many needs they hold as POM, COM, co-worker and so on."""
        return dict(sorted(Counter(need_name(item.need) for item in self.held).items()))

    @property
    def very_high(self) -> int:
        """How many of their cases are of very high risk of serious harm."""
        return self.cases_by_risk[Rosh.VERY_HIGH]

    @property
    def mappa_level_3(self) -> int:
        """How many of their cases are managed at MAPPA level 3."""
        return len({item.case.id for item in self.held if item.case.mappa_level == 3})


def compare(
    session: Session, staff_ids: list[int], reach: Reach, on: date, policy: Policy
) -> list[Compared]:
    """The people's figures, in the order asked (each must be within the user's reach)."""
    week = IsoWeek.containing(on)
    since = on - timedelta(days=MOVED_DAYS)
    compared = []
    for staff_id in staff_ids:
        person = staff_member_or_404(session, staff_id, reach)
        allocations = allocations_ahead(session, person, IsoWeek.containing(since))
        held = held_on_day(allocations, on)
        compared.append(
            Compared(
                person=person,
                weeks=weeks_ahead(person, allocations, week, policy),
                held=held,
                due=_due(held, on, policy),
                absences=sorted(
                    (a for a in person.absences if a.end_date >= on), key=lambda a: a.start_date
                ),
                moved_to=[item for item in held if since <= item.allocation.start_date <= on],
                moved_from=[
                    item
                    for item in allocations
                    if item.allocation.end_date is not None
                    and since <= item.allocation.end_date < on
                ],
            )
        )
    return compared


def _due(held: list[HeldNeed], on: date, policy: Policy) -> list[Due]:
    """Releases and handovers of the person's custody cases in the coming weeks, soonest first."""
    end = on + timedelta(weeks=WEEKS_AHEAD)
    found = {}
    for item in held:
        case = item.case
        if case.setting != Setting.CUSTODY:
            continue
        dates = handover(case, policy)
        for day, event in (
            (dates.com_responsible_from, "Handover to the COM"),
            (case.release_date, "Release"),
        ):
            if day is not None and on <= day <= end:
                found[(day, event, case.id)] = Due(day, event, item)
    return [found[key] for key in sorted(found)]
