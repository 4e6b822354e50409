"""What if: a change tried on a run's week, saving nothing, and the alerts it would bring."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from optimisation import plan_to_dict, problem_from_dict
from planner.alerting.conditions import (
    Condition,
    NeedKey,
    RunFacts,
    Week,
    date_conditions,
    run_conditions,
)
from planner.domain.policy import Policy
from planner.domain.rules import Facts
from planner.domain.vocabulary import AlertSeverity, Rosh, label
from planner.domain.weeks import IsoWeek
from planner.models import Case, PlanRun, ProposedAssignment
from planner.models.caseload import load_caseload
from planner.models.policy import load_policy
from planner.plans.batch import Solver, solve_problem
from planner.plans.snapshot import need_entry, planned_needs

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

    def describe(self) -> str:
        """The change in words."""
        if self.kind == "sick":
            return f"{self.staff_ref} off sick for {self.weeks} week{'s' if self.weeks > 1 else ''}"
        if self.kind == "agency":
            return (
                f"an agency {self.role} {self.grade}, vetted {self.vetting}, {self.hours:g} hours "
                f"a week at {self.site}"
            )
        return f"the risk of {self.case_reference} set to {label(Rosh(self.rosh)).lower()}"


@dataclass
class Comparison:
    """The run's alerts and the alerts the change would bring, with what differs."""

    change: Change
    status: str
    before: list[Condition]
    after: list[Condition]
    # Who each alert is about, by case id and by person id.
    subjects: dict[tuple[str, int], str]
    gone: list[Condition] = field(init=False)
    new: list[Condition] = field(init=False)

    def __post_init__(self) -> None:
        before, after = {c.key for c in self.before}, {c.key for c in self.after}
        worst_first = sorted(self.before + self.after, key=lambda c: -SEVERITIES.index(c.severity))
        self.gone = [c for c in worst_first if c.key not in after and c in self.before]
        self.new = [c for c in worst_first if c.key not in before and c in self.after]


def try_change(
    session: Session,
    run: PlanRun,
    change: Change,
    solver: Solver = solve_problem,
    time_limit: float = WHAT_IF_SECONDS,
) -> Comparison:
    """Plan the run's week again with the change made, writing nothing, and compare the alerts."""
    policy = load_policy(session)
    week = IsoWeek.parse(run.week)
    cases, staff = load_caseload(session)
    problem = json.loads(run.problem_json or "{}")
    ids = {
        (p.case_reference, p.need_index): NeedKey(p.need_id, p.need.key)
        for p in session.scalars(
            select(ProposedAssignment)
            .where(ProposedAssignment.run_id == run.id)
            .options(joinedload(ProposedAssignment.need))
        )
    }
    before = _conditions(
        week, policy, cases, staff, problem, json.loads(run.plan_json or "{}"), ids
    )
    changed, changed_ids = apply(change, problem, ids, cases, policy, week)
    plan = solver(problem_from_dict(changed), run.solver, time_limit)
    after = _conditions(week, policy, cases, staff, changed, plan_to_dict(plan), changed_ids)
    subjects = {("case", case.id): case.reference for case in cases}
    subjects.update({("staff", person.id): person.name for person in staff})
    return Comparison(change, plan.status, before, after, subjects)


def _conditions(
    week: IsoWeek,
    policy: Policy,
    cases: list[Case],
    staff: list[Any],
    problem: dict[str, Any],
    plan: dict[str, Any],
    ids: dict[tuple[str, int], NeedKey],
) -> list[Condition]:
    """The alerts a plan of a problem raises, as a run of it would raise them."""
    people = {person.staff_ref: person.id for person in staff}
    holders = {
        ids[(a["case"], a["need"])].need_id: people.get(a["staff"])
        for a in plan["assignments"]
        if ids[(a["case"], a["need"])].need_id is not None
    }
    facts = RunFacts(Week(week, policy, cases, staff, holders), plan, problem, ids, [])
    return [*run_conditions(facts), *date_conditions(facts.week)]


def apply(
    change: Change,
    problem: dict[str, Any],
    ids: dict[tuple[str, int], NeedKey],
    cases: list[Case],
    policy: Policy,
    week: IsoWeek,
) -> tuple[dict[str, Any], dict[tuple[str, int], NeedKey]]:
    """A copy of the problem (and the need keys) with the change made."""
    changed = copy.deepcopy(problem)
    changed_ids = dict(ids)
    if change.kind == "sick":
        for person in changed["staff"]:
            if person["id"] == change.staff_ref:
                person["available_hours"] = 0.0
                person["committed_hours"] = 0.0
    elif change.kind == "agency":
        changed["staff"].append(
            {
                "id": AGENCY_ID,
                "role": change.role,
                "grade": change.grade,
                "site": change.site,
                "region": change.region,
                "available_hours": change.hours,
                "vetting": change.vetting,
                "skills": sorted(change.skills),
            }
        )
    else:
        case = next(case for case in cases if case.reference == change.case_reference)
        _raise_risk(changed, changed_ids, case, Rosh(change.rosh or case.rosh), policy, week)
    return changed, changed_ids


def _raise_risk(
    problem: dict[str, Any],
    ids: dict[tuple[str, int], NeedKey],
    case: Case,
    rosh: Rosh,
    policy: Policy,
    week: IsoWeek,
) -> None:
    """The case at a new risk, with the needs the rules give it then, keeping their holders."""
    facts = Facts.of(case, rosh=rosh)
    entry = next(entry for entry in problem["cases"] if entry["id"] == case.reference)
    old = {ids[(case.reference, i)].key: need for i, need in enumerate(entry["needs"])}
    for index in range(len(entry["needs"])):
        del ids[(case.reference, index)]
    entry["risk"] = rosh.value
    entry["needs"] = []
    for index, planned in enumerate(planned_needs(facts, case.needs, policy, week.monday)):
        before = old.get(planned.key, {})
        entry["needs"].append(need_entry(planned.spec, before.get("current"), before.get("pinned")))
        ids[(case.reference, index)] = NeedKey(
            planned.stored.id if planned.stored else None, planned.key
        )
