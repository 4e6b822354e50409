"""ISO weeks ("2026-W49"), the unit a plan is made for."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_AT = re.compile(r"^\s*([a-z]+)\s+(\d{1,2}):(\d{2})\s*$")
_WORKING_OFFSETS = tuple(timedelta(days=offset) for offset in range(5))
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True, order=True)
class IsoWeek:
    """A Monday-to-Sunday ISO week."""

    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> IsoWeek:
        """Read "2026-W49"; raise ValueError with a readable message otherwise."""
        match = _WEEK.match(text.strip())
        if not match:
            raise ValueError(f"'{text}' is not a week like 2026-W49")
        year, number = int(match[1]), int(match[2])
        try:
            date.fromisocalendar(year, number, 1)
        except ValueError:
            raise ValueError(f"{year} has no week {number}") from None
        return cls(year, number)

    @classmethod
    def containing(cls, day: date) -> IsoWeek:
        """The week a date falls in."""
        year, number, _ = day.isocalendar()
        return cls(year, number)

    @property
    def monday(self) -> date:
        """First day of the week."""
        return date.fromisocalendar(self.year, self.number, 1)

    @property
    def sunday(self) -> date:
        """Last day of the week."""
        return self.monday + timedelta(days=6)

    def working_days(self) -> list[date]:
        """Monday to Friday."""
        monday = self.monday
        return [monday + offset for offset in _WORKING_OFFSETS]

    def plus(self, weeks: int) -> IsoWeek:
        """The week some weeks later (or earlier, if negative)."""
        return IsoWeek.containing(self.monday + timedelta(weeks=weeks))

    def __str__(self) -> str:
        return f"{self.year}-W{self.number:02d}"


def weekly_slot(text: str, setting: str = "WEEKLY_PLAN_AT") -> tuple[int, int, int] | None:
    """A schedule like "friday 18:00" as (weekday, hour, minute); None for "", never."""
    if not text.strip():
        return None
    found = _AT.match(text.lower())
    if not found or found[1] not in DAYS or int(found[2]) > 23 or int(found[3]) > 59:
        raise ValueError(
            f"{setting} must be a day and a time like 'friday 18:00', or empty: {text!r}"
        )
    return DAYS.index(found[1]), int(found[2]), int(found[3])
