"""The staffing ask: the fewest extra people that would cover a run's high-risk gaps, checked."""

from __future__ import annotations

import copy
import json
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from optimisation import Plan, problem_from_dict
from planner.domain.policy import Policy
from planner.domain.rules import HIGH_RISKS
from planner.domain.vocabulary import GRADE_ORDER, VETTING_ORDER, Grade, Vetting
from planner.models import PlanRun
from planner.plans.batch import Solver, solve_problem

ASK_SECONDS = 8.0

Gap = tuple[str, int]


@dataclass
class Person:
    """One extra person of the ask: a profile, and the gaps they are meant to cover."""

    role: str
    site: str
    region: str
    grade: Grade = Grade.PSO
    vetting: Vetting = Vetting.NONE
    skills: set[str] = field(default_factory=set)
    hours: float = 0.0
    gaps: list[Gap] = field(default_factory=list)

    def takes(self, need: dict[str, Any]) -> None:
        """Add a need: raise the profile to meet it, and its hours to the person's."""
        self.grade = max(self.grade, Grade(need["min_grade"]), key=GRADE_ORDER.index)
        self.vetting = max(self.vetting, Vetting(need["vetting"]), key=VETTING_ORDER.index)
        self.skills |= set(need["skills"])
        self.hours += need["hours"]

    @property
    def contract(self) -> float:
        """The hours a week to ask for, rounded up to the half hour."""
        return math.ceil(self.hours * 2) / 2


@dataclass
class Ask:
    """The people asked for in one prison (POMs) or one region (COMs), and what they cover."""

    role: str
    place: str
    people: list[Person]
    gaps: int
    covered: int = 0

    def paragraph(self) -> str:
        """The sentence a head of unit sends upward."""
        described = "; ".join(
            f"a {p.grade.value} vetted {p.vetting.value}"
            f"{', ' + ', '.join(sorted(p.skills)) if p.skills else ''}, "
            f"{p.contract:g} h a week at {p.site}"
            for p in self.people
        )
        count = len(self.people)
        who = "one extra person" if count == 1 else f"{count} extra people"
        where = f"POMs at {self.place}" if self.role == "prison" else f"COMs in {self.place}"
        return (
            f"{where}: {who} ({described}) would cover {self.covered} of the {self.gaps} "
            f"high-risk gap{'s' if self.gaps != 1 else ''} there."
        )


def staffing_ask(run: PlanRun, policy: Policy, solver: Solver = solve_problem) -> list[Ask]:
    """The fewest people per place covering the run's high-risk gaps, checked by solving again."""
    problem = json.loads(run.problem_json or "{}")
    plan = json.loads(run.plan_json or "{}")
    cases = {case["id"]: case for case in problem["cases"]}
    groups: dict[tuple[str, str, str], list[Gap]] = defaultdict(list)
    for gap in plan["uncovered"]:
        if gap["risk"] not in HIGH_RISKS:
            continue
        case = cases[gap["case"]]
        need = case["needs"][gap["need"]]
        place = case["site"] if need["same_site"] else case["region"]
        groups[(need["role"], case["region"], place)].append((gap["case"], gap["need"]))
    asks = [
        _pack(role, region, place, gaps, cases, policy.full_time_hours)
        for (role, region, place), gaps in sorted(groups.items())
    ]
    if asks:
        _check(run, problem, asks, solver)
    return asks


def _pack(
    role: str, region: str, place: str, gaps: list[Gap], cases: dict[str, Any], full_time: float
) -> Ask:
    """First fit, largest need first: each person takes needs until a full-time week is full."""

    def need_of(gap: Gap) -> dict[str, Any]:
        """The problem's need of a gap."""
        return cases[gap[0]]["needs"][gap[1]]

    sites = Counter(cases[case]["site"] for case, _ in gaps)
    site = place if place != region else sites.most_common(1)[0][0]
    people: list[Person] = []
    for gap in sorted(gaps, key=lambda g: (-need_of(g)["hours"], g)):
        need = need_of(gap)
        # One person holds at most one need of a case.
        fits = (
            p
            for p in people
            if p.hours + need["hours"] <= full_time and all(gap[0] != g[0] for g in p.gaps)
        )
        person = next(fits, None)
        if person is None:
            person = Person(role=role, site=site, region=region)
            people.append(person)
        person.takes(need)
        person.gaps.append(gap)
    return Ask(role=role, place=place, people=people, gaps=len(gaps))


def _check(run: PlanRun, problem: dict[str, Any], asks: list[Ask], solver: Solver) -> None:
    """Plan the week again with everyone asked for added, and count the gaps each place closes."""
    added = copy.deepcopy(problem)
    for number, person in enumerate((p for ask in asks for p in ask.people), start=1):
        added["staff"].append(
            {
                "id": f"ASK-{number}",
                "role": person.role,
                "grade": person.grade.value,
                "site": person.site,
                "region": person.region,
                "available_hours": person.contract,
                "vetting": person.vetting.value,
                "skills": sorted(person.skills),
            }
        )
    plan: Plan = solver(problem_from_dict(added), run.solver, ASK_SECONDS)
    filled = {(a.case, a.need) for a in plan.assignments}
    for ask in asks:
        ask.covered = sum(gap in filled for person in ask.people for gap in person.gaps)
