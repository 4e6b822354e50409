"""Hours and cases planned to each person, the limits they must keep, and which pins hold."""

from __future__ import annotations

import math
from dataclasses import dataclass

from optimisation.eligibility import EligibilityIndex, reasons_against
from optimisation.problem import Problem

# Hours are sums of decimals: allow rounding error, never a real breach.
EPSILON = 1e-6


@dataclass(frozen=True)
class Values:
    """A plan measured tier by tier: coverage, continuity, overload hours, highest Workload %."""

    coverage: float
    continuity: int
    overload: float
    highest_workload: float

    def key(self) -> tuple[float, float, float, float]:
        """The tiers as one tuple where larger is better, for lexicographic comparison."""
        return (self.coverage, self.continuity, -self.overload, -self.highest_workload)


# Overload hours and Workload % differ by rounding between equal plans; coverage, summed with
# fsum, and continuity, a count, compare exactly (a weight of 1 beside weights of 1e9 counts).
TOLERANCES = (0.0, 0.0, 1e-9, 1e-9)


def compare(found: Values, held: Values, tiers: int = 4) -> int:
    """1 if one plan beats another on the first `tiers` tiers, lexicographically, -1 if it
    loses, 0 on a tie."""
    pairs = zip(found.key()[:tiers], held.key()[:tiers], TOLERANCES, strict=False)
    for new, old, tolerance in pairs:
        if new > old + tolerance:
            return 1
        if new < old - tolerance:
            return -1
    return 0


def better(found: Values, held: Values) -> bool:
    """Whether one plan beats another lexicographically."""
    return compare(found, held) > 0


def need_ids(problem: Problem) -> list[tuple[int, int]]:
    """Every need of the problem as (case position, need position), in problem order."""
    return [(c, n) for c, case in enumerate(problem.cases) for n in range(len(case.needs))]


def hard_limit(problem: Problem, staff_index: int) -> float:
    """The most hours the person may hold in all (committed plus planned)."""
    return problem.policy.hard_capacity * problem.staff[staff_index].available_hours


def safe_limit(problem: Problem, staff_index: int) -> float:
    """The most hours of committed work and of needs within safe the person may hold."""
    return problem.policy.safe_capacity * problem.staff[staff_index].available_hours


def soft_limit(problem: Problem, staff_index: int) -> float:
    """The hours above which the person counts as overloaded."""
    return problem.policy.soft_capacity * problem.staff[staff_index].available_hours


@dataclass(frozen=True)
class Pins:
    """The pins the plan keeps, as need -> staff position, and why the others are not kept."""

    kept: dict[tuple[int, int], int]
    warnings: tuple[str, ...]


def resolve_pins(problem: Problem, index: EligibilityIndex) -> Pins:
    """Keep every pin to an eligible person; report, with why, every pin that cannot be kept."""
    kept: dict[tuple[int, int], int] = {}
    holder: dict[tuple[int, int], int] = {}
    warnings = []
    for c, n in need_ids(problem):
        case = problem.cases[c]
        need = case.needs[n]
        if need.pinned is None:
            continue
        s = problem.staff_index[need.pinned]
        where = f"{case.id} need {n}: pinned to {need.pinned}"
        if s not in index.of(c, n):
            reasons = reasons_against(problem.policy, case, need, problem.staff[s])
            warnings.append(f"{where}, who is not eligible ({'; '.join(reasons)}): pin not kept")
        elif (c, s) in holder:
            warnings.append(
                f"{where}, who is already pinned to need {holder[c, s]} of this "
                "case (one person fills at most one need of a case): pin not kept"
            )
        else:
            kept[c, n] = s
            holder[c, s] = n
    return Pins(kept, tuple(warnings))


class Ledger:
    """What each person holds so far; answers whether one more need still fits the limits."""

    def __init__(self, problem: Problem) -> None:
        """Start with nothing planned."""
        self.problem = problem
        self.hours = [0.0] * len(problem.staff)
        self.safe_hours = [0.0] * len(problem.staff)  # of needs within safe (rule 3)
        self.cases: list[set[int]] = [set() for _ in problem.staff]
        self.filled: dict[tuple[int, int], int] = {}
        # What is left under each limit (below zero once what is held exceeds it), kept up to
        # date by take(): asking whether a need fits is then a few comparisons.
        self.hard_left = [
            hard_limit(problem, s) - member.committed_hours
            for s, member in enumerate(problem.staff)
        ]
        self.safe_left = [
            safe_limit(problem, s) - member.committed_hours
            for s, member in enumerate(problem.staff)
        ]
        self.cases_left = [
            math.inf if member.max_cases is None else member.max_cases for member in problem.staff
        ]

    @classmethod
    def of(cls, problem: Problem, filled: dict[tuple[int, int], int]) -> Ledger:
        """A ledger holding needs already filled (need -> person), taken in their order."""
        ledger = cls(problem)
        for need, s in filled.items():
            ledger.take(need, s)
        return ledger

    def load(self, s: int) -> float:
        """Committed plus planned hours of a person."""
        return self.problem.staff[s].committed_hours + self.hours[s]

    def safe_load(self, s: int) -> float:
        """Committed hours plus the planned hours of needs within safe."""
        return self.problem.staff[s].committed_hours + self.safe_hours[s]

    def workload(self, s: int) -> float:
        """Load as a share of available hours (infinite with no available hours)."""
        available = self.problem.staff[s].available_hours
        return self.load(s) / available if available > 0 else math.inf

    def fits(self, s: int, c: int, hours: float, within_safe: bool) -> bool:
        """Whether an unpinned need of case c, of these hours, may go to person s, given what
        they hold (pins count): rules 2-5, where a limit already exceeded admits nothing."""
        return (
            hours <= self.hard_left[s] + EPSILON
            and (not within_safe or hours <= self.safe_left[s] + EPSILON)
            and self.cases_left[s] >= 1
            and c not in self.cases[s]
        )

    def take(self, need: tuple[int, int], s: int) -> None:
        """Plan a need to a person (the caller has checked it fits or is a kept pin)."""
        c, n = need
        hours = self.problem.cases[c].needs[n].hours
        self.hours[s] += hours
        self.hard_left[s] -= hours
        if self.problem.within_safe(self.problem.cases[c]):
            self.safe_hours[s] += hours
            self.safe_left[s] -= hours
        self.cases[s].add(c)
        self.cases_left[s] -= 1
        self.filled[need] = s
