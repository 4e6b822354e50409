"""What the search says about each case and person it finds, in a manager's words."""

from __future__ import annotations

from planner.domain.vocabulary import Role, Setting, label
from planner.models import Case, StaffMember
from planner.search.queries import Found


def case_place(case: Case) -> str:
    """Where the person is: "In custody at HMP Belmarsh" or "In the community, NSD London"."""
    if case.setting == Setting.CUSTODY:
        return f"In custody at {case.site.name}"
    return f"In the community, {case.site.name}"


def role_short(person: StaffMember) -> str:
    """POM or COM, as managers say it."""
    return "POM" if person.role == Role.PRISON else "COM"


def case_detail(case: Case) -> str:
    """A case in a line: reference, risk and place (and whether it is limited or closed)."""
    place = case_place(case)
    parts = [f"Case {case.reference}", f"{label(case.rosh)} RoSH", place[:1].lower() + place[1:]]
    if case.restricted:
        parts.append("limited access")
    if not case.active:
        parts.append("supervision ended")
    return ", ".join(parts)


def person_detail(person: StaffMember) -> str:
    """A practitioner in a line: staff ID, role, grade and site (and whether they have left)."""
    parts = [f"Staff ID {person.staff_ref}", role_short(person), label(person.grade),
             person.site.name]  # fmt: skip
    if not person.active:
        parts.append("not active")
    return ", ".join(parts)


def counted(number: int, one: str, many: str) -> str:
    """A count with its noun: 1 case, 2 cases."""
    return f"{number:,} {one if number == 1 else many}"


def found_words(found: Found, shown: int) -> str:
    """What a screen reader hears once the box's options change."""
    if not found.total:
        return "No cases or people match"
    kinds = [
        counted(total, one, many)
        for total, one, many in (
            (found.case_total, "case", "cases"),
            (found.people_total, "person", "people"),
        )
        if total
    ]
    said = " and ".join(kinds) + " found"
    if shown < found.total:
        said += f", the best {shown} shown"
    return f"{said}. Use the up and down arrow keys to choose one"
