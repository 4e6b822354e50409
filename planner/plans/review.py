"""Reviewing a run: its stored problem, each change of holder and why, everyone's workload."""

from __future__ import annotations

import json
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from sqlalchemy.orm import object_session

from optimisation import Case as ProblemCase
from optimisation import Need as ProblemNeed
from optimisation import Problem, broken_rules, problem_from_dict
from optimisation import Staff as ProblemStaff
from planner.domain.rules import workload
from planner.domain.vocabulary import SKILL_WORDS, label
from planner.models import PlanRun

# How each proposal stands against the current holder.
NEW, MOVE, UNCHANGED, DROPPED, UNCOVERED = "new", "move", "unchanged", "dropped", "uncovered"
KINDS = (UNCOVERED, DROPPED, MOVE, NEW, UNCHANGED)
# What each kind is called on the pages.
KIND_NAMES = {
    UNCOVERED: "Nobody, as now",
    DROPPED: "Loses its holder",
    MOVE: "Changes holder",
    NEW: "Gets a holder",
    UNCHANGED: "Unchanged",
}
# Why a holder may not keep a need, rule by rule, as a manager says it (grade, vetting and
# skills are worded from the need and the person: see _rule_words).
RULE_WORDS = {
    "role": "works in the other service (prison or probation)",
    "region": "works in another region",
    "site": "works at another site",
    "available": "no hours available",
    "accepting": "away for much of the coming weeks",
    "excluded": "excluded from this case",
}


def stored_problem(run: PlanRun) -> Problem:
    """A finished run's problem, read once per process."""
    return _stored(run).problem


@dataclass(frozen=True)
class _Stored:
    """A run's problem as read, with the hours each person held when the run read the caseload."""

    problem: Problem
    hours_before: dict[str, float]


# A finished run's problem never changes, and a national one takes half a second to read. The
# key names the database, the run and when it finished, so that the run's JSON (megabytes) is
# not even fetched when the problem is already read.
_READ: OrderedDict[tuple[str, int, object], _Stored] = OrderedDict()
_KEPT = 4
_READING = threading.Lock()


def _stored(run: PlanRun) -> _Stored:
    """A run's problem and the hours before it, read from its JSON at most once per process."""
    session = object_session(run)
    where = str(session.get_bind().url) if session is not None else ""
    key = (where, run.id, run.finished_at)
    with _READING:
        found = _READ.get(key)
        if found is not None:
            _READ.move_to_end(key)
            return found
    problem = problem_from_dict(json.loads(run.problem_json or "{}"))
    found = _Stored(problem, _hours_before(problem))
    with _READING:
        _READ[key] = found
        while len(_READ) > _KEPT:
            _READ.popitem(last=False)
    return found


@dataclass(frozen=True)
class Holder:
    """What the review knows of a holder who does not keep a need (from the database)."""

    staff_ref: str
    active: bool
    # Why they have no hours over the horizon ("off sick until 23 December"), if that is so.
    away: str | None
    vetting_expiry: date | None


@dataclass
class RunProblem:
    """A run's stored problem, read once, with the lookups the review needs."""

    run: PlanRun
    problem: Problem = field(init=False)

    def __post_init__(self) -> None:
        self.problem = stored_problem(self.run)

    @cached_property
    def hours_before(self) -> dict[str, float]:
        """Hours each person held when the run read the caseload (committed work included)."""
        return _stored(self.run).hours_before

    def workload_before(self, member: ProblemStaff) -> float | None:
        """A person's Workload % when the run read the caseload."""
        return workload(self.hours_before[member.id], member.available_hours)

    def workload_after(self, member: ProblemStaff, planned_hours: float) -> float | None:
        """A person's Workload % with the hours the plan gives them."""
        return workload(member.committed_hours + planned_hours, member.available_hours)

    def why_moved(
        self, reference: str, index: int, holder: Holder, monday: date, dropped: bool = False
    ) -> str:
        """Why the current holder does not keep a need (taken by someone else, or by nobody when
        dropped), in the manager's words."""
        member = self.problem.staff_by_id.get(holder.staff_ref)
        if member is None or not holder.active:
            return "the holder has left or is no longer active"
        if holder.away is not None:
            return holder.away
        case = self.problem.case_by_id[reference]
        need = case.needs[index]
        broken = broken_rules(self.problem.policy, case, need, member)
        if broken:
            lapsed = holder.vetting_expiry is not None and holder.vetting_expiry < monday
            words = [_rule_words(rule, case, need, member, lapsed) for rule in broken]
            return "no longer eligible: " + "; ".join(words)
        before = self.hours_before[member.id]
        if before > self.problem.policy.safe_capacity * member.available_hours:
            return "over the safe workload"
        if dropped:
            return "the holder's hours are needed for higher-risk work"
        return "moved to cover higher-risk work or to share the load"


def _rule_words(
    rule: str, case: ProblemCase, need: ProblemNeed, member: ProblemStaff, lapsed: bool
) -> str:
    """One broken rule in a manager's words: "vetting lapsed", "not CT trained"."""
    if rule == "vetting":
        if lapsed:
            return "vetting lapsed"
        return f"vetting {label(member.vetting)}, {label(need.vetting)} needed"
    if rule == "grade":
        risk = label(case.risk).lower()
        return f"a {member.grade}, and {risk} risk needs a {need.min_grade} or above"
    if rule == "skills":
        missing = [skill for skill in need.skills if skill not in member.skills]
        return "; ".join(
            f"not {SKILL_WORDS[skill]}" if skill in SKILL_WORDS else f"no {label(skill)}"
            for skill in missing
        )
    return RULE_WORDS[rule]


def _hours_before(problem: Problem) -> dict[str, float]:
    """Hours each person held when the run read the caseload."""
    hours = {member.id: member.committed_hours for member in problem.staff}
    for case in problem.cases:
        for need in case.needs:
            if need.current in hours:
                hours[need.current] += need.hours
    return hours


# The optimiser's own spellings that reach its words (a remedy, a detail), and how people say them.
_RAW_WORDS = re.compile(r"\b(" + "|".join([*SKILL_WORDS, "very_high"]) + r")\b")


def in_words(text: str | None) -> str:
    """The optimiser's text with its spellings of skills and risks as a manager writes them."""
    return _RAW_WORDS.sub(_said, text or "")


def _said(found: re.Match[str]) -> str:
    """One spelling as a person says it ("very high" in the middle of a sentence)."""
    word = found.group(1)
    return label(word).lower() if word == "very_high" else label(word)


def kind_of(current: int | None, planned: int | None) -> str:
    """New, moved, unchanged, dropped or uncovered: a proposal against the current holder."""
    if planned is None:
        return UNCOVERED if current is None else DROPPED
    if current is None:
        return NEW
    return UNCHANGED if current == planned else MOVE
