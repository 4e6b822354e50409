"""What the plans pages read: runs, the latest look-ahead, a run's what-ifs and staffing ask."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from planner.domain.reach import Reach
from planner.domain.vocabulary import JobStatus, Rosh
from planner.models import (
    Case,
    Forecast,
    Need,
    PlanRun,
    ProposedAssignment,
    Site,
    StaffingAsk,
    StaffMember,
    WhatIf,
)
from planner.models.reach import case_openable, case_within

RUNS_LISTED = 100


def recent_runs(session: Session) -> list[PlanRun]:
    """The latest runs, newest first, without their problem and plan."""
    return list(
        session.scalars(
            PlanRun.listed()
            .options(selectinload(PlanRun.approvals))
            .order_by(PlanRun.id.desc())
            .limit(RUNS_LISTED)
        )
    )


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


def proposal_of(
    session: Session, run: PlanRun, proposal_id: int, reach: Reach
) -> ProposedAssignment | None:
    """One of a finished run's proposals, with its need, for a case the user may open."""
    if run.status != JobStatus.FINISHED:
        return None
    return session.scalar(
        select(ProposedAssignment)
        .join(Need, ProposedAssignment.need_id == Need.id)
        .join(Case, Need.case_id == Case.id)
        .where(
            ProposedAssignment.id == proposal_id,
            ProposedAssignment.run_id == run.id,
            case_openable(reach),
        )
        .options(joinedload(ProposedAssignment.need))
    )


def differences(session: Session, first: PlanRun, second: PlanRun, reach: Reach) -> list[tuple]:
    """Every need of the user's cases the two runs plan differently: (first's, second's)."""
    rows = session.scalars(
        select(ProposedAssignment)
        .join(Need, ProposedAssignment.need_id == Need.id)
        .join(Case, Need.case_id == Case.id)
        .where(ProposedAssignment.run_id.in_([first.id, second.id]), case_openable(reach))
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


def cover_by_risk(
    session: Session, run_ids: list[int], reach: Reach
) -> dict[int, dict[str, dict[str, int]]]:
    """For each run, the needs of the user's regions and how many are covered, by risk."""
    rows = session.execute(
        select(
            ProposedAssignment.run_id,
            Case.rosh,
            func.count(),
            func.count(ProposedAssignment.staff_member_id),
        )
        .join(Need, ProposedAssignment.need_id == Need.id)
        .join(Case, Need.case_id == Case.id)
        .where(ProposedAssignment.run_id.in_(run_ids), case_within(reach))
        .group_by(ProposedAssignment.run_id, Case.rosh)
    )
    found: dict[int, dict[str, dict[str, int]]] = {
        run_id: {rosh.value: {"needs": 0, "covered": 0} for rosh in reversed(Rosh)}
        for run_id in run_ids
    }
    for run_id, rosh, needs, covered in rows:
        found[run_id][Rosh(rosh).value] = {"needs": needs, "covered": covered}
    return found


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
