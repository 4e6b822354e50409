"""The handover lists: the user's custody cases by stage, with who holds their POM and COM needs."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Row, and_, select
from sqlalchemy.orm import Session

from planner.domain.handovers import HandoverDates, Stage, handover_stages
from planner.domain.policy import Policy
from planner.domain.reach import Reach
from planner.domain.vocabulary import Setting
from planner.models import Allocation, Case, Need, PlanRun, ProposedAssignment, Site, StaffMember
from planner.models.jobs import JobStatus
from planner.models.reach import case_within

# The needs a handover passes between: the prison's POM and the community's COM.
HANDOVER_NEEDS = ("pom", "com")


@dataclass(frozen=True)
class Proposal:
    """What the newest run not yet approved proposes for a case's COM need."""

    run_id: int
    proposal_id: int
    staff_name: str | None


@dataclass(frozen=True)
class HandoverCase:
    """A custody case on the handover lists: its dates, its stages and who holds what."""

    case: Row[Any]
    dates: HandoverDates
    pom: str | None
    com: str | None
    proposal: Proposal | None

    def listed_by(self, stage: Stage) -> date:
        """The date a list orders the case by: the one its stage turns on."""
        dates = self.dates
        day = {
            Stage.COM_OVERDUE: dates.com_allocated_from,
            Stage.COM_TO_ALLOCATE: dates.com_allocated_from,
            Stage.IN_PROGRESS: dates.com_responsible_from,
            Stage.HANDED_OVER: dates.com_responsible_from,
            Stage.RELEASE_DUE: dates.release,
        }[stage]
        return day or date.max


# What the rules read of a case, with what the lists show of it, as plain rows: every custody
# case is weighed on each request, and mapped objects cost ten times as much to build.
COLUMNS = (
    Case.id,
    Case.reference,
    Case.name,
    Case.restricted,
    Case.cohort,
    Case.mappa_level,
    Case.rosh,
    Case.tier,
    Case.setting,
    Case.sentence_type,
    Case.sentence_date,
    Case.release_date,
    Case.parole_eligibility_date,
    Case.tariff_expiry_date,
    Case.parole_hearing_date,
    Case.released_on,
    Site.name.label("site_name"),
)


def _in_custody(reach: Reach) -> ColumnElement[bool]:
    """The user's active custody cases.

    All of them, not only those with a date near: a case held past its tariff, all of its dates
    years ago, is still overdue a COM.
    """
    return and_(Case.active, Case.setting == Setting.CUSTODY, case_within(reach))


def _holders(session: Session, on: date, reach: Reach) -> dict[tuple[int, str], str]:
    """Who holds each custody case's POM and COM need today, by (case id, need key)."""
    rows = session.execute(
        select(Need.case_id, Need.key, StaffMember.name)
        .join(Case, Need.case_id == Case.id)
        .join(Allocation, and_(Allocation.need_id == Need.id, Allocation.held_on(on)))
        .join(StaffMember, Allocation.staff_member_id == StaffMember.id)
        .where(_in_custody(reach), Need.key.in_(HANDOVER_NEEDS), Need.active)
    )
    return {(case_id, key): name for case_id, key, name in rows}


def open_run(session: Session) -> PlanRun | None:
    """The newest finished run, if nobody has approved it yet: its proposals can be changed
    (an older run left unapproved is overtaken by it, so is not offered)."""
    newest = session.scalar(
        PlanRun.listed()
        .where(PlanRun.status == JobStatus.FINISHED)
        .order_by(PlanRun.id.desc())
        .limit(1)
    )
    return newest if newest is not None and newest.approved_at is None else None


def _proposals(
    session: Session, run: PlanRun | None, case_ids: Iterable[int]
) -> dict[int, Proposal]:
    """The open run's proposal for each case's COM need, by case id."""
    if run is None:
        return {}
    rows = session.execute(
        select(Need.case_id, ProposedAssignment.id, StaffMember.name)
        .join(Need, ProposedAssignment.need_id == Need.id)
        .outerjoin(StaffMember, ProposedAssignment.staff_member_id == StaffMember.id)
        .where(
            ProposedAssignment.run_id == run.id,
            Need.case_id.in_(sorted(set(case_ids))),
            Need.key == "com",
        )
    )
    return {case_id: Proposal(run.id, proposal_id, name) for case_id, proposal_id, name in rows}


def handover_cases(session: Session, on: date, policy: Policy, reach: Reach) -> list[HandoverCase]:
    """Every custody case of the user's regions on at least one handover list today."""
    cases = session.execute(select(*COLUMNS).join(Case.site).where(_in_custody(reach)))
    holders = _holders(session, on, reach)
    listed = [
        (case, dates)
        for case in cases
        if (dates := handover_stages(case, (case.id, "com") in holders, on, policy)).stages
    ]
    proposals = _proposals(session, open_run(session), (case.id for case, _ in listed))
    return [
        HandoverCase(
            case,
            dates,
            holders.get((case.id, "pom")),
            holders.get((case.id, "com")),
            proposals.get(case.id),
        )
        for case, dates in listed
    ]


def on_stage(cases: Iterable[HandoverCase], stage: Stage) -> list[HandoverCase]:
    """The cases on one list, the most pressing date first (the longest overdue at the top)."""
    return sorted(
        (case for case in cases if stage in case.dates.stages),
        key=lambda item: (item.listed_by(stage), item.case.reference),
    )


def stage_counts(cases: Iterable[HandoverCase]) -> dict[Stage, int]:
    """How many cases are on each list, in the order managers act in."""
    counts = Counter(stage for case in cases for stage in case.dates.stages)
    return {stage: counts[stage] for stage in Stage}
