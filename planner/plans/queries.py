"""What the plans pages read: runs, the latest look-ahead, a run's what-ifs and staffing ask."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from planner.domain.vocabulary import JobStatus
from planner.models import (
    Case,
    Forecast,
    PlanRun,
    ProposedAssignment,
    Site,
    StaffingAsk,
    StaffMember,
    WhatIf,
)

RUNS_LISTED = 100


def recent_runs(session: Session) -> list[PlanRun]:
    """The latest runs, newest first, without their problem and plan."""
    return list(session.scalars(PlanRun.listed().order_by(PlanRun.id.desc()).limit(RUNS_LISTED)))


def latest_forecast(session: Session) -> Forecast | None:
    """The newest look-ahead."""
    return session.scalar(select(Forecast).order_by(Forecast.id.desc()).limit(1))


def what_ifs_of(session: Session, run: PlanRun) -> list[WhatIf]:
    """The changes tried on a run, newest first."""
    return list(
        session.scalars(select(WhatIf).where(WhatIf.run_id == run.id).order_by(WhatIf.id.desc()))
    )


def staffing_ask_of(session: Session, run: PlanRun) -> StaffingAsk | None:
    """The run's newest staffing ask."""
    return session.scalar(
        select(StaffingAsk)
        .where(StaffingAsk.run_id == run.id)
        .order_by(StaffingAsk.id.desc())
        .limit(1)
    )


def staff_member(session: Session, staff_ref: str) -> StaffMember | None:
    """The person with this staff ID."""
    return session.scalar(select(StaffMember).where(StaffMember.staff_ref == staff_ref))


def names(session: Session, staff_refs: list[str]) -> dict[str, str]:
    """People's names by staff ID."""
    rows = session.execute(
        select(StaffMember.staff_ref, StaffMember.name).where(StaffMember.staff_ref.in_(staff_refs))
    )
    return {staff_ref: name for staff_ref, name in rows}


def proposal_of(session: Session, run: PlanRun, proposal_id: int) -> ProposedAssignment | None:
    """One of a finished run's proposals, with its need."""
    if run.status != JobStatus.FINISHED:
        return None
    return session.scalar(
        select(ProposedAssignment)
        .where(ProposedAssignment.id == proposal_id, ProposedAssignment.run_id == run.id)
        .options(joinedload(ProposedAssignment.need))
    )


def differences(session: Session, first: PlanRun, second: PlanRun) -> list[tuple]:
    """Every need the two runs plan differently: (first's proposal, second's), by case."""
    rows = session.scalars(
        select(ProposedAssignment)
        .where(ProposedAssignment.run_id.in_([first.id, second.id]))
        .options(joinedload(ProposedAssignment.staff_member))
    ).all()
    by_need: dict[int, dict[int, ProposedAssignment]] = {}
    for proposal in rows:
        by_need.setdefault(proposal.need_id, {})[proposal.run_id] = proposal
    found = [
        (pair.get(first.id), pair.get(second.id))
        for pair in by_need.values()
        if _holder(pair.get(first.id)) != _holder(pair.get(second.id))
    ]
    return sorted(found, key=lambda pair: next(p for p in pair if p).case_reference)


def _holder(proposal: ProposedAssignment | None) -> int | None:
    """Who a proposal gives the need to (None for nobody or no proposal)."""
    return proposal.staff_member_id if proposal else None


def case_ids(session: Session, references: list[str]) -> dict[str, int]:
    """Cases' ids by reference, to link to them."""
    rows = session.execute(select(Case.reference, Case.id).where(Case.reference.in_(references)))
    return dict(rows.all())


def site_names(session: Session) -> dict[str, str]:
    """Every site's name by its code."""
    return dict(session.execute(select(Site.code, Site.name)).all())
