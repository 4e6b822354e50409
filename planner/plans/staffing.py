"""The staffing ask: the fewest extra people who would cover a run's high-risk gaps, checked."""

from __future__ import annotations

import dataclasses
import json
import math
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from optimisation import Case as ProblemCase
from optimisation import Need as ProblemNeed
from optimisation import Plan, Problem, plan_from_dict
from optimisation import Staff as ProblemStaff
from planner.domain.rules import HIGH_RISKS
from planner.domain.vocabulary import GRADE_ORDER, VETTING_ORDER, Grade, JobStatus, Vetting, label
from planner.extensions import db
from planner.jobs.queue import Job
from planner.models import PlanRun, StaffingAsk, User
from planner.models.policy import load_policy
from planner.plans.review import stored_problem

ASK_SECONDS = 8.0

Gap = tuple[str, int]
Solver = Callable[[Problem, str, float], Plan]


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

    def takes(self, need: ProblemNeed) -> None:
        """Add a need: raise the profile to meet it, and its hours to the person's."""
        self.grade = max(self.grade, Grade(need.min_grade), key=GRADE_ORDER.index)
        self.vetting = max(self.vetting, Vetting(need.vetting), key=VETTING_ORDER.index)
        self.skills |= set(need.skills)
        self.hours += need.hours

    @property
    def contract(self) -> float:
        """The hours a week to ask for, rounded up to the half hour."""
        return math.ceil(self.hours * 2) / 2

    def described(self) -> str:
        """The person in a manager's words."""
        skills = "".join(f", {label(skill)}" for skill in sorted(self.skills))
        hours = f"{self.contract:g} hours a week at {self.site}"
        return f"a {self.grade.value} vetted {label(self.vetting)}{skills}, {hours}"


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
        count = len(self.people)
        who = "one extra person" if count == 1 else f"{count} extra people"
        where = f"POMs at {self.place}" if self.role == "prison" else f"COMs in {self.place}"
        described = "; ".join(person.described() for person in self.people)
        return (
            f"{where}: {who} ({described}) would cover {self.covered} of the {self.gaps} "
            f"high-risk gap{'s' if self.gaps != 1 else ''} there."
        )

    def record(self) -> dict[str, Any]:
        """The ask as it is kept with its run."""
        return {
            "role": self.role,
            "place": self.place,
            "gaps": self.gaps,
            "covered": self.covered,
            "paragraph": self.paragraph(),
            "people": [
                {
                    "site": person.site,
                    "role": person.role,
                    "grade": person.grade.value,
                    "vetting": person.vetting.value,
                    "skills": sorted(person.skills),
                    "hours": person.contract,
                    "cases": [case for case, _ in person.gaps],
                }
                for person in self.people
            ],
        }


def ask_for_staff(
    session: Session, run: PlanRun, user: User | None, actor: str
) -> tuple[StaffingAsk, bool]:
    """The run's staffing ask, or a new queued job to work it out (committed)."""
    asked = session.scalar(
        select(StaffingAsk)
        .where(
            StaffingAsk.run_id == run.id,
            StaffingAsk.status.not_in([JobStatus.FAILED, JobStatus.CANCELLED]),
        )
        .order_by(StaffingAsk.id.desc())
        .limit(1)
    )
    if asked is not None:
        return asked, False
    ask = StaffingAsk(
        run_id=run.id,
        started_by=user,
        started_by_name=actor,
        progress="Waiting for a job worker",
    )
    session.add(ask)
    session.commit()
    return ask, True


def work_out(ask: StaffingAsk, job: Job) -> None:
    """The ask's work: pack the run's high-risk gaps into people, then check them by solving."""
    run = ask.run
    problem = stored_problem(run)
    plan = plan_from_dict(json.loads(run.plan_json or "{}"))
    job.progress("Working out who would cover the gaps, then planning the week with them")
    full_time = load_policy(db.session).full_time_hours
    ask.result = [a.record() for a in staffing_ask(problem, plan, full_time, job.solve, run.solver)]


def staffing_ask(
    problem: Problem, plan: Plan, full_time: float, solver: Solver, solver_name: str
) -> list[Ask]:
    """The fewest people per place covering the plan's high-risk gaps, checked by solving again."""
    groups: dict[tuple[str, str, str], list[Gap]] = defaultdict(list)
    for gap in plan.uncovered:
        if gap.risk not in HIGH_RISKS:
            continue
        case = problem.case_by_id[gap.case]
        need = case.needs[gap.need]
        place = case.site if need.same_site else case.region
        groups[(need.role, case.region, place)].append((gap.case, gap.need))
    asks = [
        _pack(role, region, place, gaps, problem, full_time)
        for (role, region, place), gaps in sorted(groups.items())
    ]
    if asks:
        _check(problem, asks, solver, solver_name)
    return asks


def _pack(
    role: str, region: str, place: str, gaps: list[Gap], problem: Problem, full_time: float
) -> Ask:
    """First fit, largest need first: each person takes needs until a full-time week is full."""
    cases: dict[str, ProblemCase] = problem.case_by_id
    sites = Counter(cases[case].site for case, _ in gaps)
    site = place if place != region else sites.most_common(1)[0][0]
    people: list[Person] = []
    for gap in sorted(gaps, key=lambda g: (-cases[g[0]].needs[g[1]].hours, g)):
        need = cases[gap[0]].needs[gap[1]]
        # One person holds at most one need of a case.
        fits = (
            p
            for p in people
            if p.hours + need.hours <= full_time and all(gap[0] != g[0] for g in p.gaps)
        )
        person = next(fits, None)
        if person is None:
            person = Person(role=role, site=site, region=region)
            people.append(person)
        person.takes(need)
        person.gaps.append(gap)
    return Ask(role=role, place=place, people=people, gaps=len(gaps))


def _check(problem: Problem, asks: list[Ask], solver: Solver, solver_name: str) -> None:
    """Plan the week again with everyone asked for added, and count the gaps each place closes."""
    added = [
        ProblemStaff(
            id=f"ASK-{number}",
            role=person.role,
            grade=person.grade.value,
            site=person.site,
            region=person.region,
            available_hours=person.contract,
            vetting=person.vetting.value,
            skills=tuple(sorted(person.skills)),
        )
        for number, person in enumerate((p for ask in asks for p in ask.people), start=1)
    ]
    plan = solver(
        dataclasses.replace(problem, staff=(*problem.staff, *added)), solver_name, ASK_SECONDS
    )
    filled = {(a.case, a.need) for a in plan.assignments}
    for ask in asks:
        ask.covered = sum(gap in filled for person in ask.people for gap in person.gaps)
