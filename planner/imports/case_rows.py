"""A cases file's rows, checked by the case form itself and matched to cases by reference."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload
from werkzeug.datastructures import MultiDict

from planner.cases.forms import CaseForm
from planner.cases.services import DATE_FIELDS, CaseDetails
from planner.domain.policy import Policy
from planner.domain.reach import Reach
from planner.domain.vocabulary import Cohort, Rosh, SentenceType, Setting
from planner.imports.checking import NO_CSRF, Places, ValidRow, duplicate, put_date, verdict
from planner.imports.problems import Problems
from planner.imports.values import BadCell, choice
from planner.models import Case, Need
from planner.models.reach import case_openable

CHOICES = {"cohort": Cohort, "rosh": Rosh, "setting": Setting, "sentence_type": SentenceType}
PLAIN = ("name", "mappa_category", "mappa_level")


class CaseRowForm(CaseForm):
    """The case form as a row fills it: a reference already held is matched to its case."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The site is one of the user's, found by its code before the form sees it, and
        # validate_site checks it again: going through every site for each row again is waste.
        self.site.validate_choice = False

    def validate_reference(self, field: Any) -> None:
        """Whose the reference is, the file's matching decides (the form checks its form)."""


def load_cases(session: Session, references: set[str]) -> dict[str, Case]:
    """The stored cases a file names, with their sites, by reference."""
    found: dict[str, Case] = {}
    wanted = sorted(references)
    # In slices: a database takes only so many values in one IN.
    for start in range(0, len(wanted), 500):
        query = (
            select(Case)
            .where(Case.reference.in_(wanted[start : start + 500]))
            .options(joinedload(Case.site))
        )
        found.update((case.reference, case) for case in session.scalars(query))
    return found


def load_needs(session: Session, cases: list[Case]) -> None:
    """The needs and holders of the cases an import changes, in a few queries, not one a case."""
    ids = [case.id for case in cases]
    for start in range(0, len(ids), 500):
        query = (
            select(Case)
            .where(Case.id.in_(ids[start : start + 500]))
            .options(selectinload(Case.needs).selectinload(Need.allocations))
        )
        session.scalars(query).all()


def openable_ids(session: Session, reach: Reach, cases: dict[str, Case]) -> set[int]:
    """Which of the stored cases the user may open, and so change."""
    ids = [case.id for case in cases.values()]
    allowed: set[int] = set()
    for start in range(0, len(ids), 500):
        query = select(Case.id).where(Case.id.in_(ids[start : start + 500]), case_openable(reach))
        allowed.update(session.scalars(query))
    return allowed


class CaseRows:
    """Checks a cases file's rows against the form, the sites and the cases there are."""

    def __init__(self, session: Session, reach: Reach, policy: Policy, references: set[str]):
        self.places = Places(session, reach)
        self.tiers = list(policy.workload_points)
        self.cases = load_cases(session, references)
        self.openable = openable_ids(session, reach, self.cases)
        self.seen: dict[tuple[Any, ...], int] = {}
        self.form = CaseRowForm(
            formdata=MultiDict(), sites=self.places.within, tiers=self.tiers, case_id=None,
            meta=NO_CSRF,
        )  # fmt: skip
        # A new case has no version to carry; a stored one is matched, not opened in a form.
        self.form.editing = False

    def check(self, row: int, cells: dict[str, str], problems: Problems) -> ValidRow | None:
        """The row as a case's details, or None with its problems noted."""
        reference = cells["reference"].upper()
        case = self.cases.get(reference)
        if case is not None and case.id not in self.openable:
            problems.add(row, "reference", f"Case {reference} is one you cannot change")
        earlier = duplicate(self.seen, (reference,), row) if reference else None
        if earlier is not None:
            problems.add(row, "reference", f"Case {reference} is also on row {earlier}")
        form = self.form
        form.case_id = case.id if case else None
        if not verdict(form, self._formdata(row, cells, problems), row, {}, problems):
            return None
        if problems.of_row(row):
            return None
        details = form.details()
        return ValidRow(
            row=row,
            key=(details.reference,),
            label=f"{details.reference} ({details.name})",
            details=details,
            values=values(details),
            record=case,
        )

    def _formdata(self, row: int, cells: dict[str, str], problems: Problems) -> MultiDict[str, str]:
        """What the case form would have been sent for this row."""
        data: MultiDict[str, str] = MultiDict({name: cells[name] for name in PLAIN})
        data["reference"] = cells["reference"]
        data["tier"] = cells["tier"].upper()
        if cells["tier"] and data["tier"] not in self.tiers:
            problems.add(row, "tier", f"{cells['tier']!r} is not a tier: use one of "
                         f"{', '.join(self.tiers)}")  # fmt: skip
        for name, members in CHOICES.items():
            if cells[name]:
                try:
                    data[name] = choice(cells[name], members)
                except BadCell as error:
                    problems.add(row, name, str(error))
        site = self.places.site(cells["site"], row, "site", problems)
        data["site"] = str(site.id) if site else ""
        for name in DATE_FIELDS:
            put_date(data, name, cells[name], row, name, problems)
        return data


def values(details: CaseDetails) -> dict[str, Any]:
    """The details column by column, as a stored case's are (records.case_values)."""
    found: dict[str, Any] = {
        "reference": details.reference,
        "name": details.name,
        "cohort": details.cohort,
        "rosh": details.rosh,
        "tier": details.tier,
        "mappa_category": details.mappa_category,
        "mappa_level": details.mappa_level,
        "setting": details.setting,
        "site": details.site.code,
        "sentence_type": details.sentence_type,
    }
    found.update({name: details.dates.get(name) for name in DATE_FIELDS})
    return found
