"""What if: a change tried on a run's week, saving nothing but the answer, kept with the run."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from optimisation import Plan, Problem, plan_from_dict
from optimisation import Staff as ProblemStaff
from planner.alerting.conditions import (
    Condition,
    NeedKey,
    RunFacts,
    Week,
    date_conditions,
    run_conditions,
)
from planner.domain.policy import Policy
from planner.domain.rules import Facts, HorizonHours, horizon_hours
from planner.domain.vocabulary import ALERT_KIND_NAMES, AlertSeverity, JobStatus, Rosh, label
from planner.domain.weeks import IsoWeek
from planner.extensions import db
from planner.jobs.queue import Job
from planner.models import Case, PlanRun, ProposedAssignment, StaffMember, User, WhatIf
from planner.models.caseload import load_caseload
from planner.models.policy import load_policy
from planner.plans.batch import cover_of
from planner.plans.comparison import uncovered_by_risk, verdict, workloads
from planner.plans.review import stored_problem
from planner.plans.snapshot import need_entry, planned_needs, staff_entry

WHAT_IF_SECONDS = 8.0
SEVERITIES = list(AlertSeverity)
AGENCY_ID = "AGENCY-1"


@dataclass(frozen=True)
class Change:
    """A change to try: someone off sick, an extra agency practitioner, or a case's risk raised."""

    kind: str
    staff_ref: str | None = None
    weeks: int = 1
    role: str = "probation"
    grade: str = "PO"
    site: str = ""
    region: str = ""
    hours: float = 0.0
    vetting: str = "SC"
    skills: tuple[str, ...] = ("ct_trained",)
    case_reference: str | None = None
    rosh: str | None = None

    def key(self) -> str:
        """The change as one string: the same change asked twice is answered once."""
        return json.dumps(dataclasses.asdict(self), sort_keys=True)[:300]

    def describe(self, names: dict[str, str]) -> str:
        """The change in words, people by name."""
        if self.kind == "sick":
            weeks = f"{self.weeks} week{'s' if self.weeks > 1 else ''}"
            return f"{names.get(self.staff_ref or '', self.staff_ref)} off sick for {weeks}"
        if self.kind == "agency":
            skills = ", CT trained" if "ct_trained" in self.skills else ""
            return (
                f"an agency {label(self.role).split(' ')[0].lower()} {self.grade}, vetted "
                f"{label(self.vetting)}{skills}, {self.hours:g} hours a week at {self.site}"
            )
        return f"the risk of {self.case_reference} set to {label(Rosh(self.rosh)).lower()}"

    @classmethod
    def of(cls, record: dict[str, Any]) -> Change:
        """A change as stored."""
        return cls(**{**record, "skills": tuple(record.get("skills", ()))})


def ask_what_if(
    session: Session, run: PlanRun, change: Change, user: User | None, actor: str
) -> tuple[WhatIf, bool]:
    """The answer to a change on a run, or a new queued job to work it out (committed)."""
    asked = session.scalar(
        select(WhatIf)
        .where(
            WhatIf.run_id == run.id,
            WhatIf.change_key == change.key(),
            WhatIf.status.not_in([JobStatus.FAILED, JobStatus.CANCELLED]),
        )
        .order_by(WhatIf.id.desc())
        .limit(1)
    )
    if asked is not None:
        return asked, False
    what_if = WhatIf(
        run_id=run.id,
        change=dataclasses.asdict(change),
        change_key=change.key(),
        started_by=user,
        started_by_name=actor,
        progress="Waiting for a job worker",
    )
    session.add(what_if)
    session.commit()
    return what_if, True


def answer(what_if: WhatIf, job: Job) -> None:
    """The what-if's work: the week planned again with the change, compared with the run."""
    session = db.session
    run = what_if.run
    change = Change.of(what_if.change)
    policy = load_policy(session)
    week = IsoWeek.parse(run.week)
    cases, staff = load_caseload(session)
    problem = stored_problem(run)
    plan = plan_from_dict(json.loads(run.plan_json or "{}"))
    ids = _need_keys(session, run)
    before = _conditions(week, policy, cases, staff, problem, plan, ids)
    changed, changed_ids = apply(change, problem, ids, cases, staff, policy, week)
    job.progress("Planning the week again with the change")
    after_plan = job.solve(changed, run.solver, WHAT_IF_SECONDS)
    away = {change.staff_ref: 0.0} if change.kind == "sick" and change.staff_ref else {}
    after = _conditions(week, policy, cases, staff, changed, after_plan, changed_ids, away)
    names = {person.staff_ref: person.name for person in staff}
    names[AGENCY_ID] = "the agency practitioner"
    cover = _cover(cover_of(problem, plan), cover_of(changed, after_plan))
    uncovered = uncovered_by_risk(cover)
    loads = {
        "before": workloads(plan, names, policy.safe_workload),
        "after": workloads(after_plan, names, policy.safe_workload),
    }
    what_if.result = {
        "change": change.describe(names),
        "optimal": after_plan.status == "optimal",
        "cover": cover,
        "uncovered": uncovered,
        "workloads": loads,
        "verdict": verdict(uncovered, loads["before"], loads["after"]),
        **_differences(
            before, after, {c.id: c.reference for c in cases}, {p.id: p.name for p in staff}
        ),
    }


def _need_keys(session: Session, run: PlanRun) -> dict[tuple[str, int], NeedKey]:
    """Which stored need each of the run's problem needs is."""
    return {
        (p.case_reference, p.need_index): NeedKey(p.need_id, p.need.key)
        for p in session.scalars(
            select(ProposedAssignment)
            .where(ProposedAssignment.run_id == run.id)
            .options(joinedload(ProposedAssignment.need))
        )
    }


def _conditions(
    week: IsoWeek,
    policy: Policy,
    cases: list[Case],
    staff: list[StaffMember],
    problem: Problem,
    plan: Plan,
    ids: dict[tuple[str, int], NeedKey],
    hours_changed: dict[str, float] | None = None,
) -> list[Condition]:
    """The alerts a plan of a problem raises, as a run of it would raise them."""
    people = {person.staff_ref: person.id for person in staff}
    holders = {
        ids[(a.case, a.need)].need_id: people.get(a.staff)
        for a in plan.assignments
        if ids[(a.case, a.need)].need_id is not None
    }
    week_facts = Week(week, policy, cases, staff, holders)
    facts = RunFacts(week_facts, plan, problem, ids, [], hours_changed or {})
    return [*run_conditions(facts), *date_conditions(facts.week)]


def _cover(
    before: dict[str, dict[str, int]], after: dict[str, dict[str, int]]
) -> list[dict[str, Any]]:
    """Needs and needs covered at each risk, highest first: with today's plan and the change."""
    return [
        {"risk": risk, "before": before[risk], "after": after.get(risk, before[risk])}
        for risk in before
    ]


def _differences(
    before: list[Condition],
    after: list[Condition],
    cases: dict[int, str],
    people: dict[int, str],
) -> dict[str, list[dict[str, str]]]:
    """The alerts the change would clear and those it would bring, the worst first."""

    def shown(condition: Condition) -> dict[str, str]:
        """An alert as the page lists it."""
        subject = cases.get(condition.case_id or 0) or people.get(condition.staff_member_id or 0)
        return {
            "severity": condition.severity.value,
            "kind": ALERT_KIND_NAMES[condition.kind],
            "subject": subject or "",
            "reason": condition.reason,
        }

    before_keys, after_keys = {c.key for c in before}, {c.key for c in after}
    worst_first = sorted(before + after, key=lambda c: -SEVERITIES.index(c.severity))
    return {
        "gone": [shown(c) for c in worst_first if c.key not in after_keys and c in before],
        "new": [shown(c) for c in worst_first if c.key not in before_keys and c in after],
    }


def apply(
    change: Change,
    problem: Problem,
    ids: dict[tuple[str, int], NeedKey],
    cases: list[Case],
    staff: list[StaffMember],
    policy: Policy,
    week: IsoWeek,
) -> tuple[Problem, dict[tuple[str, int], NeedKey]]:
    """The problem (and the need keys) with the change made; the run's own are untouched."""
    changed_ids = dict(ids)
    if change.kind == "sick":
        # Off sick from the run's Monday: their hours over the horizon as the run would count them.
        person = next(p for p in staff if p.staff_ref == change.staff_ref)
        weekly = horizon_hours(person, week, policy).weekly
        sick = HorizonHours(tuple(0.0 if k < change.weeks else h for k, h in enumerate(weekly)))
        entry = staff_entry(person, week, policy, sick)
        people = tuple(entry if m.id == change.staff_ref else m for m in problem.staff)
        return dataclasses.replace(problem, staff=people), changed_ids
    if change.kind == "agency":
        agency = ProblemStaff(
            id=AGENCY_ID,
            role=change.role,
            grade=change.grade,
            site=change.site,
            region=change.region,
            available_hours=change.hours,
            vetting=change.vetting,
            skills=tuple(sorted(change.skills)),
        )
        return dataclasses.replace(problem, staff=(*problem.staff, agency)), changed_ids
    case = next(case for case in cases if case.reference == change.case_reference)
    rosh = Rosh(change.rosh or case.rosh)
    return _raise_risk(problem, changed_ids, case, rosh, policy, week), changed_ids


def _raise_risk(
    problem: Problem,
    ids: dict[tuple[str, int], NeedKey],
    case: Case,
    rosh: Rosh,
    policy: Policy,
    week: IsoWeek,
) -> Problem:
    """The case at a new risk, with the needs the rules give it then, keeping their holders."""
    entry = problem.case_by_id[case.reference]
    old = {ids[(case.reference, i)].key: need for i, need in enumerate(entry.needs)}
    for index in range(len(entry.needs)):
        del ids[(case.reference, index)]
    needs = []
    facts = Facts.of(case, rosh=rosh)
    for index, planned in enumerate(planned_needs(facts, case.needs, policy, week.monday)):
        before = old.get(planned.key)
        current, pinned = (before.current, before.pinned) if before else (None, None)
        needs.append(need_entry(planned.spec, current, pinned))
        ids[(case.reference, index)] = NeedKey(
            planned.stored.id if planned.stored else None, planned.key
        )
    changed = dataclasses.replace(entry, risk=rosh.value, needs=tuple(needs))
    cases = tuple(changed if c.id == case.reference else c for c in problem.cases)
    return dataclasses.replace(problem, cases=cases)
