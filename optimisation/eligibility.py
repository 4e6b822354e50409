"""Who may fill which need, and why not: the one place the eligibility rules are written.

The model, the greedy baseline, the diagnosis and the checker all ask this module, so
they cannot drift apart.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from optimisation.problem import Case, Need, Problem, ProblemError, ProblemPolicy, Staff

Test = Callable[[ProblemPolicy, Case, Need, Staff], bool]
Explain = Callable[[ProblemPolicy, Case, Need, Staff], str]


def required_grade(policy: ProblemPolicy, need: Need) -> str:
    """The lowest grade that may fill the need."""
    return need.min_grade if need.min_grade is not None else policy.grades[0]


def _missing_skills(need: Need, staff: Staff) -> list[str]:
    """The need's skills the person lacks, in the need's order."""
    return [skill for skill in need.skills if skill not in staff.skills]


@dataclass(frozen=True)
class Rule:
    """One eligibility rule: a test and the reason given when it fails."""

    name: str
    holds: Test
    why_not: Explain


RULES: tuple[Rule, ...] = (
    Rule(
        "role",
        lambda p, c, n, s: s.role == n.role,
        lambda p, c, n, s: f"role {s.role}, not {n.role}",
    ),
    Rule(
        "region",
        lambda p, c, n, s: s.region == c.region,
        lambda p, c, n, s: f"region {s.region}, not {c.region}",
    ),
    Rule(
        "site",
        lambda p, c, n, s: not n.same_site or s.site == c.site,
        lambda p, c, n, s: f"works at {s.site}, not {c.site}",
    ),
    Rule(
        "grade",
        lambda p, c, n, s: p.grade_rank[s.grade] >= p.grade_rank[required_grade(p, n)],
        lambda p, c, n, s: f"grade {s.grade} is below {required_grade(p, n)}",
    ),
    Rule(
        "vetting",
        lambda p, c, n, s: p.vetting_rank[s.vetting] >= p.vetting_rank[n.vetting],
        lambda p, c, n, s: f"vetting {s.vetting} is below {n.vetting}",
    ),
    Rule(
        "skills",
        lambda p, c, n, s: not _missing_skills(n, s),
        lambda p, c, n, s: "lacks skill " + ", ".join(_missing_skills(n, s)),
    ),
    Rule(
        "available",
        lambda p, c, n, s: s.available_hours > 0,
        lambda p, c, n, s: "no available hours this week",
    ),
    Rule(
        "accepting",
        lambda p, c, n, s: s.accepts_new_needs or s.id in (n.current, n.pinned),
        lambda p, c, n, s: "takes no new needs (away for much of the horizon)",
    ),
    Rule(
        "excluded",
        lambda p, c, n, s: s.id not in c.excluded_staff,
        lambda p, c, n, s: "excluded from this case",
    ),
)
RULE_NAMES = tuple(rule.name for rule in RULES)
# Every other rule depends on the case only through its region and site, and on the need only
# through its kind (below), which lets the index work out the eligible people once per kind.
_NEED_SPECIFIC = {"accepting", "excluded"}


def reasons_against(policy: ProblemPolicy, case: Case, need: Need, staff: Staff) -> list[str]:
    """Every rule the person breaks for this need, as readable reasons; empty when eligible."""
    return [
        rule.why_not(policy, case, need, staff)
        for rule in RULES
        if not rule.holds(policy, case, need, staff)
    ]


def broken_rules(policy: ProblemPolicy, case: Case, need: Need, staff: Staff) -> list[str]:
    """The names of the rules the person breaks for this need."""
    return [rule.name for rule in RULES if not rule.holds(policy, case, need, staff)]


def excluded_but_eligible(problem: Problem, case: Case, need: Need) -> Iterator[str]:
    """The case's excluded people who, but for the exclusion, would be eligible for the need."""
    # Someone who breaks only the exclusion rule is, by definition, among the excluded.
    for person in case.excluded_staff:
        if broken_rules(problem.policy, case, need, problem.staff_by_id[person]) == ["excluded"]:
            yield person


def is_eligible(policy: ProblemPolicy, case: Case, need: Need, staff: Staff) -> bool:
    """Whether the person may fill the need."""
    return all(rule.holds(policy, case, need, staff) for rule in RULES)


@dataclass(frozen=True)
class Verdict:
    """Whether one staff member may fill a need and, if not, every reason why not."""

    staff: str
    eligible: bool
    reasons: tuple[str, ...]


def staff_verdicts(problem: Problem, case_id: str, need_index: int) -> list[Verdict]:
    """For one need, every staff member with "eligible" or the rules that rule them out."""
    case = problem.case_by_id.get(case_id)
    if case is None:
        raise ProblemError([f"case {case_id!r}: unknown case"])
    if not 0 <= need_index < len(case.needs):
        raise ProblemError([f"case {case_id!r}: has no need {need_index}"])
    need = case.needs[need_index]
    verdicts = []
    for member in problem.staff:
        reasons = reasons_against(problem.policy, case, need, member)
        verdicts.append(Verdict(member.id, not reasons, tuple(reasons) or ("eligible",)))
    return verdicts


def _need_kind(case: Case, need: Need) -> tuple:
    """What, besides exclusions and holders, decides who may fill a need."""
    return (
        need.role,
        case.region,
        case.site if need.same_site else None,
        need.min_grade,
        need.vetting,
        need.skills,
    )


class EligibilityIndex:
    """The eligible staff (by position in problem.staff) of every need of a problem."""

    def __init__(self, problem: Problem) -> None:
        """Work out every need's eligible staff, once per kind of need."""
        policy = problem.policy
        by_role_region: dict[tuple[str, str], list[int]] = defaultdict(list)
        for index, member in enumerate(problem.staff):
            by_role_region[member.role, member.region].append(index)
        self.by_role_region = dict(by_role_region)
        # How many people of each role and region work at each site (for remedies).
        self.sites = {
            key: Counter(problem.staff[i].site for i in people)
            for key, people in self.by_role_region.items()
        }
        shared_rules = [rule for rule in RULES if rule.name not in _NEED_SPECIFIC]
        need_rules = [rule for rule in RULES if rule.name in _NEED_SPECIFIC]
        # Of a kind's people, those whom the need-specific rules could rule out: the rules are
        # asked about them alone (people who take new needs, and are not excluded, pass).
        by_kind: dict[tuple, tuple[tuple[int, ...], set[int]]] = {}
        self.eligible: list[list[tuple[int, ...]]] = []
        for case in problem.cases:
            excluded = {problem.staff_index[person] for person in case.excluded_staff}
            per_need = []
            for need in case.needs:
                kind = _need_kind(case, need)
                if kind not in by_kind:
                    people = tuple(
                        i
                        for i in by_role_region.get((need.role, case.region), [])
                        if all(r.holds(policy, case, need, problem.staff[i]) for r in shared_rules)
                    )
                    away = {i for i in people if not problem.staff[i].accepts_new_needs}
                    by_kind[kind] = (people, away)
                people, away = by_kind[kind]
                doubtful = (away | excluded).intersection(people)
                if doubtful:
                    people = tuple(
                        i
                        for i in people
                        if i not in doubtful
                        or all(r.holds(policy, case, need, problem.staff[i]) for r in need_rules)
                    )
                per_need.append(people)
            self.eligible.append(per_need)

    def of(self, case_index: int, need_index: int) -> tuple[int, ...]:
        """Positions in problem.staff of the people eligible for a need."""
        return self.eligible[case_index][need_index]
