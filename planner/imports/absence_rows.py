"""Absence and reduction files' rows, checked by the absence form, matched by person and dates."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from planner.domain.reach import Reach
from planner.domain.vocabulary import AbsenceKind
from planner.imports.checking import NO_CSRF, Places, ValidRow, duplicate, put_date, verdict
from planner.imports.problems import Problems
from planner.imports.staff_rows import load_staff
from planner.imports.values import BadCell, choice
from planner.models import Absence, StaffMember
from planner.staff.forms import AbsenceForm
from planner.staff.services import PART_TIME, WHOLE_TIME, AbsenceDetails

# Checked against the most any contract holds when the person is unknown (that is the problem).
NO_CONTRACT = 60.0


class AbsenceRows:
    """Checks rows of absences (all working time) or reductions (some hours each week)."""

    def __init__(self, session: Session, reach: Reach, reductions: bool) -> None:
        self.places = Places(session, reach)
        self.people = load_staff(session, absences=True)
        self.reductions = reductions
        self.seen: dict[tuple[Any, ...], int] = {}
        self.form = AbsenceForm(NO_CONTRACT, None, formdata=MultiDict(), meta=NO_CSRF)

    def check(self, row: int, cells: dict[str, str], problems: Problems) -> ValidRow | None:
        """The row as an absence's details, or None with its problems noted."""
        staff_id = cells["staff_id"].upper()
        person = self.people.get(staff_id)
        if not staff_id:
            problems.add(row, "staff_id", "Enter the staff ID")
        elif person is None:
            problems.add(row, "staff_id", f"There is nobody with the staff ID {staff_id}")
        elif person.site_id not in self.places.within_ids:
            problems.add(row, "staff_id", f"Staff ID {staff_id} is someone you cannot change")
        form = self.form
        form.contracted_hours = person.contracted_hours if person is not None else NO_CONTRACT
        formdata = self._formdata(row, cells, problems)
        if not verdict(form, formdata, row, {"extent": "hours_per_week"}, problems):
            return None
        if person is None:
            return None
        details = form.details()
        key = (staff_id, details.start_date, details.end_date)
        earlier = duplicate(self.seen, key, row)
        if earlier is not None:
            problems.add(row, "start_date", f"Row {earlier} has the same person and dates")
        if problems.of_row(row):
            return None
        return ValidRow(
            row=row,
            key=key,
            label=f"{person.name} ({person.staff_ref})",
            details=details,
            values=values(person, details),
            record=self._stored(person, details),
            owner=person,
        )

    def _stored(self, person: StaffMember, details: AbsenceDetails) -> Absence | None:
        """The person's stored absence (or reduction) over the same dates, if there is one."""
        return next(
            (
                absence
                for absence in person.absences
                if absence.start_date == details.start_date
                and absence.end_date == details.end_date
                and (absence.hours_per_week is not None) == self.reductions
            ),
            None,
        )

    def _formdata(self, row: int, cells: dict[str, str], problems: Problems) -> MultiDict[str, str]:
        """What the absence form would have been sent for this row."""
        data: MultiDict[str, str] = MultiDict({"note": cells["note"]})
        if cells["kind"]:
            try:
                data["kind"] = choice(cells["kind"], AbsenceKind)
            except BadCell as error:
                problems.add(row, "kind", str(error))
        for name in ("start_date", "end_date"):
            put_date(data, name, cells[name], row, name, problems)
        data["extent"] = PART_TIME if self.reductions else WHOLE_TIME
        if self.reductions:
            data["hours_per_week"] = cells["hours_per_week"]
        return data


def values(person: StaffMember, details: AbsenceDetails) -> dict[str, Any]:
    """The details column by column, as a stored absence's are (records.absence_values)."""
    return {
        "staff_id": person.staff_ref,
        "kind": details.kind,
        "start_date": details.start_date,
        "end_date": details.end_date,
        "hours_per_week": details.hours_per_week,
        "note": details.note,
    }
