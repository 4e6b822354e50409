"""What a plan does, in the words and numbers a manager reads first, and the harm it costs."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from planner.domain.policy import Policy
from planner.domain.rules import HIGH_RISKS
from planner.domain.vocabulary import Rosh
from planner.domain.weeks import IsoWeek
from planner.models import Case, PlanRun, ProposedAssignment, Site, StaffingAsk
from planner.plans.evidence import (
    Load,
    ReviewFilters,
    ReviewRow,
    described,
    holders_of,
    kind_column,
    loads,
    proposal_rows,
    scoped,
)
from planner.plans.queries import staffing_ask_of
from planner.plans.review import DROPPED, KINDS, MOVE, NEW, UNCHANGED, UNCOVERED, RunProblem

# Why nobody holds a need, as a manager reads it.
GAP_REASONS = {
    "no_eligible_staff": "Nobody is eligible",
    "capacity": "Everyone eligible is full",
    "excluded": "Only people excluded from the case are eligible",
    "overridden": "A manager left it with nobody",
}
# The kinds of change whose holder does not keep the need.
LOSING = (MOVE, DROPPED)
# How many of each list of harm the approval page names before pointing to the tab.
HARM_LISTED = 200


@dataclass(frozen=True)
class RiskCover:
    """How many needs of one risk there are, and how many are held now and after the plan."""

    risk: Rosh
    needs: int
    now: int
    after: int


@dataclass(frozen=True)
class Reason:
    """One reason in words and how many needs it accounts for."""

    words: str
    count: int


@dataclass(frozen=True)
class Gap:
    """The needs left with nobody for one reason, by risk."""

    reason: str
    by_risk: dict[Rosh, int]

    @property
    def count(self) -> int:
        """How many needs, of every risk."""
        return sum(self.by_risk.values())


@dataclass(frozen=True)
class StaffingPlace:
    """The staffing ask at one place: who, how much, and how many gaps they would cover."""

    people: int
    role: str
    place: str
    fte: float
    covered: int
    gaps: int


@dataclass(frozen=True)
class PlanSummary:
    """The figures of a run (or of one region's or site's part of it)."""

    cover: list[RiskCover]
    kinds: dict[str, int]
    why_changed: list[Reason]
    why_dropped: list[Reason]
    over_safe: list[Load]
    gaps: list[Gap]
    staffing: list[StaffingPlace] | None
    staffing_ask: StaffingAsk | None

    @property
    def needs(self) -> int:
        """How many needs the part holds."""
        return sum(cover.needs for cover in self.cover)

    @property
    def high_risk_bought(self) -> int:
        """The very high and high risk needs planned to people past the safe workload."""
        return sum(len(load.high_risk) for load in self.over_safe)


def summarise(
    session: Session, stored: RunProblem, policy: Policy, filters: ReviewFilters
) -> PlanSummary:
    """What the plan does to the part of the run the filters choose (its region and site)."""
    run, place = stored.run, filters.place_only()
    counts = session.execute(
        scoped(select(Case.rosh, kind_column(), func.count()), run.id, place).group_by(
            Case.rosh, kind_column()
        )
    ).all()
    by_kind: Counter[str] = Counter()
    cover = {rosh: [0, 0, 0] for rosh in Rosh}
    for rosh, kind, count in counts:
        by_kind[kind] += count
        figures = cover[Rosh(rosh)]
        figures[0] += count
        figures[1] += count if kind in (DROPPED, MOVE, UNCHANGED) else 0
        figures[2] += count if kind in (NEW, MOVE, UNCHANGED) else 0
    why = _why_changed(session, stored, policy, place)
    # The staffing ask is about every region, so only national users are shown it.
    ask = staffing_ask_of(session, run) if place.reach.national else None
    return PlanSummary(
        cover=[RiskCover(rosh, *cover[rosh]) for rosh in reversed(Rosh)],
        kinds={kind: by_kind[kind] for kind in KINDS},
        why_changed=why[MOVE],
        why_dropped=why[DROPPED],
        over_safe=past_safe(session, stored, policy, place),
        gaps=_gaps(session, run, place),
        staffing=staffing_places(session, ask, policy) if ask is not None else None,
        staffing_ask=ask,
    )


def past_safe(
    session: Session, stored: RunProblem, policy: Policy, filters: ReviewFilters
) -> list[Load]:
    """The people past the safe workload after the plan, the most loaded first."""
    over = [
        load
        for load in loads(session, stored, policy, filters)
        if (load.after or 0.0) > policy.safe_workload
    ]
    return sorted(over, key=lambda load: (-(load.after or 0.0), load.name))


def _why_changed(
    session: Session, stored: RunProblem, policy: Policy, filters: ReviewFilters
) -> dict[str, list[Reason]]:
    """Why holders do not keep their needs, counted by the words, for moves and for drops."""
    rows = session.execute(
        scoped(
            select(
                ProposedAssignment.case_reference,
                ProposedAssignment.need_index,
                ProposedAssignment.overridden,
                ProposedAssignment.current_staff_member_id,
                kind_column(),
            ),
            stored.run.id,
            filters,
        ).where(kind_column().in_(LOSING))
    ).all()
    holders = holders_of(session, stored.run, policy, [row[3] for row in rows])
    monday = IsoWeek.parse(stored.run.week).monday
    counted: dict[str, Counter[str]] = {kind: Counter() for kind in LOSING}
    for reference, index, overridden, holder_id, kind in rows:
        words = (
            "a manager's change"
            if overridden
            else stored.why_moved(
                reference, index, holders[holder_id], monday, dropped=kind == DROPPED
            )
        )
        counted[kind][words] += 1
    return {
        kind: [Reason(words, count) for words, count in reasons.most_common()]
        for kind, reasons in counted.items()
    }


def _gaps(session: Session, run: PlanRun, filters: ReviewFilters) -> list[Gap]:
    """The needs left with nobody, by reason and risk, the most common reason first."""
    rows = session.execute(
        scoped(
            select(ProposedAssignment.uncovered_reason, Case.rosh, func.count()), run.id, filters
        )
        .where(ProposedAssignment.staff_member_id.is_(None))
        .group_by(ProposedAssignment.uncovered_reason, Case.rosh)
    ).all()
    found: dict[str, dict[Rosh, int]] = {}
    for reason, rosh, count in rows:
        words = GAP_REASONS.get(reason or "", "No reason recorded")
        found.setdefault(words, {})[Rosh(rosh)] = count
    gaps = [
        Gap(words, {rosh: by_risk.get(rosh, 0) for rosh in reversed(Rosh)})
        for words, by_risk in found.items()
    ]
    return sorted(gaps, key=lambda gap: -gap.count)


def staffing_places(
    session: Session, ask: StaffingAsk, policy: Policy
) -> list[StaffingPlace] | None:
    """The staffing ask place by place, in people and full-time equivalents (None until known)."""
    if ask.result is None:
        return None
    codes = {person["site"] for place in ask.result for person in place["people"]}
    names = dict(session.execute(select(Site.code, Site.name).where(Site.code.in_(codes))).all())
    places = []
    for place in ask.result:
        people: list[dict[str, Any]] = place["people"]
        sites = {person["site"] for person in people}
        where = sites.pop() if len(sites) == 1 else place["place"]
        places.append(
            StaffingPlace(
                people=len(people),
                role=place["role"],
                place=names.get(where, where),
                fte=sum(person["hours"] for person in people) / policy.full_time_hours,
                covered=place["covered"],
                gaps=place["gaps"],
            )
        )
    return places


@dataclass(frozen=True)
class Harm:
    """What approving costs: needs that lose their holder, people past the safe workload, and
    the very high and high risk needs left with nobody."""

    dropped: list[ReviewRow]
    dropped_total: int
    over_safe: list[Load]
    high_risk_gaps: list[ReviewRow]
    high_risk_gaps_total: int


def harm(session: Session, stored: RunProblem, policy: Policy, filters: ReviewFilters) -> Harm:
    """The harm of approving the part of the run the filters choose, restated before approval."""
    run, place = stored.run, filters.place_only()
    high = [rosh.value for rosh in sorted(HIGH_RISKS, key=list(Rosh).index, reverse=True)]
    dropped = proposal_rows(session, run, place, [DROPPED], limit=HARM_LISTED)
    gaps = proposal_rows(session, run, place, [DROPPED, UNCOVERED], high, limit=HARM_LISTED)
    totals = dict(
        session.execute(
            scoped(select(kind_column(), func.count()), run.id, place)
            .where(kind_column().in_([DROPPED, UNCOVERED]))
            .where(Case.rosh.in_(high))
            .group_by(kind_column())
        ).all()
    )
    dropped_total = session.scalar(
        scoped(select(func.count()), run.id, place).where(kind_column() == DROPPED)
    )
    return Harm(
        dropped=described(session, stored, policy, dropped),
        dropped_total=dropped_total or 0,
        over_safe=past_safe(session, stored, policy, place),
        high_risk_gaps=described(session, stored, policy, gaps),
        high_risk_gaps_total=sum(totals.values()),
    )


def quality_words(run: PlanRun) -> str:
    """How good the plan is, without the solver's words."""
    if run.optimal or not run.bound:
        return "the best possible plan"
    short = max(0.0, (run.bound - (run.coverage or 0.0)) / run.bound) * 100
    amount = "less than 0.01 %" if short < 0.01 else f"{short:.2f} %"
    return f"the best plan found; at most {amount} short of the best possible"
