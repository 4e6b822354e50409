"""A tiny, hand-built caseload for tests that need exact facts: one region, a prison, a PDU."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from planner.cases.services import sync_needs
from planner.domain.policy import DEFAULT_POLICY
from planner.domain.vocabulary import (
    AbsenceKind,
    Cohort,
    Grade,
    Role,
    Rosh,
    SentenceType,
    Setting,
    SiteKind,
    Vetting,
)
from planner.models import Absence, Allocation, Case, Region, Site, StaffMember
from planner.models.auditing import set_actor

MONDAY = date(2026, 11, 30)  # week 2026-W49


class World:
    """Builds rows into a session: places once, then people and cases as a test asks."""

    def __init__(self, session: Session) -> None:
        set_actor(session, "test")
        self.session = session
        region = Region(name="London")
        self.region = region
        self.prison = Site(code="HMP-TEST", name="HMP Test", kind=SiteKind.PRISON, region=region)
        self.office = Site(code="NSD-TEST", name="NSD Test", kind=SiteKind.NSD, region=region)
        session.add_all([self.prison, self.office])
        self.count = 0

    def elsewhere(self, name: str) -> tuple[Region, Site, Site]:
        """Another region with a prison and an NSD team of its own."""
        region = Region(name=name)
        code = name.upper().replace(" ", "-")
        prison = Site(code=f"HMP-{code}", name=f"HMP {name}", kind=SiteKind.PRISON, region=region)
        office = Site(code=f"NSD-{code}", name=f"NSD {name}", kind=SiteKind.NSD, region=region)
        self.session.add_all([prison, office])
        return region, prison, office

    def person(self, role: Role = Role.PROBATION, **facts: Any) -> StaffMember:
        """A full-time, SC-vetted, CT-trained PO (a POM at the prison, or a COM at the NSD)."""
        self.count += 1
        values: dict[str, Any] = {
            "staff_ref": f"S-{self.count:03d}",
            "name": f"Test Person {self.count}",
            "role": role,
            "grade": Grade.PO,
            "site": self.prison if role == Role.PRISON else self.office,
            "contracted_hours": 37.0,
            "vetting": Vetting.SC,
            "vetting_expiry": date(2030, 1, 1),
            "skills": ["ct_trained"],
            "active": True,
        }
        values.update(facts)
        person = StaffMember(**values)
        self.session.add(person)
        return person

    def away(
        self,
        person: StaffMember,
        start: date,
        end: date,
        kind: AbsenceKind = AbsenceKind.ANNUAL_LEAVE,
    ) -> None:
        """The person is away for whole days from start to end (on leave unless told)."""
        person.absences.append(Absence(kind=kind, start_date=start, end_date=end))

    def case(self, **facts: Any) -> Case:
        """A TACT case on licence in the community, high risk, with its needs derived."""
        self.count += 1
        values: dict[str, Any] = {
            "reference": f"CT-T-{self.count:04d}",
            "name": f"Test Case {self.count}",
            "cohort": Cohort.TACT,
            "rosh": Rosh.HIGH,
            "tier": "B2",
            "mappa_category": 4,
            "mappa_level": 2,
            "setting": Setting.COMMUNITY,
            "site": self.office,
            "sentence_type": SentenceType.DETERMINATE,
            "sentence_date": date(2020, 1, 6),
            "release_date": date(2024, 1, 8),
            "released_on": date(2024, 1, 8),
            "active": True,
        }
        values.update(facts)
        if values["setting"] == Setting.CUSTODY:
            values["site"] = facts.get("site", self.prison)
            values["released_on"] = None
        case = Case(**values)
        sync_needs(case, DEFAULT_POLICY, MONDAY)
        self.session.add(case)
        return case

    def hold(self, case: Case, key: str, person: StaffMember, pinned: bool = False) -> None:
        """The person holds the case's need of that key, since well before the week."""
        need = next(n for n in case.needs if n.key == key)
        need.allocations.append(
            Allocation(
                staff_member=person, start_date=date(2026, 1, 5), pinned=pinned, reason="test"
            )
        )
