"""The allocation problem and the plan (docs/PLAN-FORMAT.md), as typed frozen dataclasses."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

PROBLEM_FORMAT = "caseload-problem/1"
PLAN_FORMAT = "caseload-plan/1"
RISKS = ("very_high", "high", "medium", "low")
DEFAULT_RISK_WEIGHTS = {"very_high": 1000.0, "high": 100.0, "medium": 10.0, "low": 1.0}
DEFAULT_GRADES = ("PSO", "PQiP", "PO", "SPO")
DEFAULT_VETTING = ("none", "BPSS", "CTC", "SC", "DV")
STATUSES = ("optimal", "feasible", "error")
REASONS = ("no_eligible_staff", "excluded", "capacity")


class ProblemError(ValueError):
    """Invalid input: every problem found, one readable line each, naming where it is."""

    def __init__(self, problems: list[str]) -> None:
        """Keep the list of problems; the message is one problem a line."""
        super().__init__("\n".join(problems))
        self.problems = list(problems)


@dataclass(frozen=True)
class ProblemPolicy:
    """The manager's settings: risk weights, ladders, capacities and solver limits.

    `safe_capacity` and `beyond_safe_risks` given as None take the defaults of docs/PLAN-FORMAT.md
    (the hard capacity, and every risk), so a problem written before they existed means what
    it meant; once made, a policy always holds the values themselves.
    """

    risk_weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_RISK_WEIGHTS))
    grades: tuple[str, ...] = DEFAULT_GRADES
    vetting: tuple[str, ...] = DEFAULT_VETTING
    soft_capacity: float = 1.0
    hard_capacity: float = 1.2
    time_limit_seconds: float = 60.0
    relative_gap: float = 0.0001
    safe_capacity: float | None = None
    beyond_safe_risks: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        """Fill in the two defaults that depend on the rest."""
        # A frozen dataclass: object.__setattr__ is how its own __init__ sets fields too.
        if self.safe_capacity is None:
            object.__setattr__(self, "safe_capacity", self.hard_capacity)
        if self.beyond_safe_risks is None:
            object.__setattr__(self, "beyond_safe_risks", RISKS)

    @cached_property
    def grade_rank(self) -> dict[str, int]:
        """Position of each grade on the ladder, lowest 0."""
        return {grade: rank for rank, grade in enumerate(self.grades)}

    @cached_property
    def vetting_rank(self) -> dict[str, int]:
        """Position of each vetting level on the ladder, lowest 0."""
        return {level: rank for rank, level in enumerate(self.vetting)}


@dataclass(frozen=True)
class Staff:
    """A practitioner and what they can take on this week."""

    id: str
    role: str
    grade: str
    site: str
    region: str
    available_hours: float
    committed_hours: float = 0.0
    vetting: str = "none"
    skills: tuple[str, ...] = ()
    max_cases: int | None = None
    accepts_new_needs: bool = True


@dataclass(frozen=True)
class Need:
    """One place on a case for one person (a lead, a co-worker, a POM or a COM)."""

    role: str
    hours: float
    min_grade: str | None = None
    vetting: str = "none"
    skills: tuple[str, ...] = ()
    same_site: bool = False
    current: str | None = None
    pinned: str | None = None


@dataclass(frozen=True)
class Case:
    """A supervised person, where they are, how risky, and the places to fill."""

    id: str
    risk: str
    site: str
    region: str
    needs: tuple[Need, ...]
    excluded_staff: tuple[str, ...] = ()


@dataclass(frozen=True)
class Problem:
    """One week's allocation problem."""

    week: str
    policy: ProblemPolicy
    staff: tuple[Staff, ...]
    cases: tuple[Case, ...]

    @cached_property
    def staff_by_id(self) -> dict[str, Staff]:
        """Staff members by id."""
        return {member.id: member for member in self.staff}

    @cached_property
    def case_by_id(self) -> dict[str, Case]:
        """Cases by id."""
        return {case.id: case for case in self.cases}

    @cached_property
    def staff_index(self) -> dict[str, int]:
        """Position in `staff` of each staff member, by id."""
        return {member.id: s for s, member in enumerate(self.staff)}

    @cached_property
    def case_index(self) -> dict[str, int]:
        """Position in `cases` of each case, by id."""
        return {case.id: c for c, case in enumerate(self.cases)}

    def weight(self, case: Case) -> float:
        """Coverage earned by filling one need of this case."""
        return self.policy.risk_weights[case.risk]

    def within_safe(self, case: Case) -> bool:
        """Whether the case's needs count in the safe load (its risk is not beyond safe)."""
        return case.risk not in self.policy.beyond_safe_risks


@dataclass(frozen=True)
class Objective:
    """The plan's values of the first three tiers."""

    coverage: float
    continuity: int
    overload_hours: float


@dataclass(frozen=True)
class Bound:
    """The best coverage the solver could prove possible."""

    coverage: float


@dataclass(frozen=True)
class Assignment:
    """One need filled by one person."""

    case: str
    need: int
    staff: str
    hours: float
    continuity: bool
    pinned: bool


@dataclass(frozen=True)
class AddStaff:
    """A person whose addition would cover an uncovered need."""

    role: str
    grade: str
    site: str
    region: str
    vetting: str
    skills: tuple[str, ...]
    available_hours: float


@dataclass(frozen=True)
class Remedy:
    """What would cover an uncovered need, in words and as a person to add."""

    text: str
    add_staff: AddStaff


@dataclass(frozen=True)
class Uncovered:
    """A need nobody fills, why, and what would fill it."""

    case: str
    need: int
    risk: str
    reason: str
    detail: str
    remedy: Remedy


@dataclass(frozen=True)
class StaffLoad:
    """One person's hours and cases under the plan; workload is None without available hours."""

    staff: str
    planned_hours: float
    committed_hours: float
    available_hours: float
    workload: float | None
    cases: int


@dataclass(frozen=True)
class Plan:
    """The optimiser's (or greedy's) answer for one week."""

    week: str
    status: str
    solver: str
    seconds: float
    objective: Objective
    bound: Bound
    assignments: tuple[Assignment, ...] = ()
    uncovered: tuple[Uncovered, ...] = ()
    staff_load: tuple[StaffLoad, ...] = ()
    warnings: tuple[str, ...] = ()
    message: str | None = None
