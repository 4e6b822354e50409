"""The model on paper: docs/PLAN-FORMAT.md as one plain PuLP model, tier by tier. A test oracle.

One binary per eligible (need, person) pair, every rule a named constraint, and the tiers in
order, each earlier tier held at its optimum. solve() never uses it: it is here to be read,
and for the tests to hold solve() to.

Exact with any weights: a weighted sum whose weights lie 10^9 apart cannot be handed to a
floating-point solver, so coverage is maximised level by level of risk weight, grouping a
level with those below it until it outweighs all of them together; then each group's
objective is whole numbers (weights over their greatest common divisor), held above its
optimum less 1/2, and maximising group after group maximises the weighted sum. Every solve
must be proven optimal with no gap, or the oracle raises rather than answer.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction

import pulp

from optimisation.eligibility import EligibilityIndex
from optimisation.ledger import EPSILON, hard_limit, need_ids, resolve_pins, safe_limit, soft_limit
from optimisation.problem import Problem


@dataclass(frozen=True)
class Reference:
    """The optimum's tier values, and one plan reaching them (need -> staff position)."""

    coverage: float
    continuity: int
    overload: float
    filled: dict[tuple[int, int], int]


def weight_groups(weights: list[float]) -> list[dict[float, int]]:
    """Levels of weight, highest first, grouped until a group outweighs all below it; each
    group maps its weights to whole numbers of its greatest common divisor."""
    exact = {w: Fraction(repr(w)) for w in weights if w > 0}
    levels = sorted(exact, reverse=True)
    groups: list[list[float]] = []
    for position, weight in enumerate(levels):
        below = sum(exact[w] for w in weights if w in levels[position:])
        if not groups or _divisor([exact[w] for w in groups[-1]]) > below:
            groups.append([])
        groups[-1].append(weight)
    return [{w: int(exact[w] / _divisor([exact[v] for v in g])) for w in g} for g in groups]


def _divisor(values: list[Fraction]) -> Fraction:
    """The greatest common divisor of positive fractions."""
    denominator = math.lcm(*(v.denominator for v in values))
    return Fraction(math.gcd(*(int(v * denominator) for v in values)), denominator)


def _solve(model: pulp.LpProblem) -> float:
    """Solve to a proven optimum, with no gap at all, and return the objective's value."""
    # One thread, as solve() uses: HiGHS allows one number of threads a process.
    model.solve(pulp.HiGHS(msg=False, gapRel=0.0, gapAbs=0.0, threads=1))
    if model.sol_status != pulp.LpSolutionOptimal:
        raise RuntimeError(f"reference: {pulp.LpStatus[model.status]}, not proven optimal")
    return pulp.value(model.objective) or 0.0


def reference(problem: Problem) -> Reference:
    """The exact lexicographic optimum of coverage, then continuity, then overload."""
    index = EligibilityIndex(problem)
    pins = resolve_pins(problem, index).kept
    pairs = [(need, s) for need in need_ids(problem) for s in index.of(*need)]
    model = pulp.LpProblem("reference", pulp.LpMaximize)
    x = {pair: model.add_variable(f"x{k}", 0, 1, pulp.LpBinary) for k, pair in enumerate(pairs)}
    hours = {(c, n): problem.cases[c].needs[n].hours for c, n in need_ids(problem)}
    by_need, by_case, by_staff = defaultdict(list), defaultdict(list), defaultdict(list)
    for (c, n), s in pairs:
        by_need[c, n].append(x[(c, n), s])
        by_case[c, s].append(x[(c, n), s])
        by_staff[s].append((c, n))
    for (c, n), people in by_need.items():
        model += pulp.lpSum(people) <= 1, f"rule1_one_person_per_need_{c}_{n}"
    for (c, s), needs in by_case.items():
        model += pulp.lpSum(needs) <= 1, f"rule2_one_need_of_case_{c}_for_{s}"
    for need, s in pins.items():
        model += x[need, s] == 1, f"rule5_pin_kept_{need[0]}_{need[1]}"
    for s, needs in by_staff.items():
        member = problem.staff[s]
        safe = [need for need in needs if problem.within_safe(problem.cases[need[0]])]
        loads = (
            ("rule3_load", needs, hard_limit(problem, s)),
            ("rule3_safe", safe, safe_limit(problem, s)),
        )
        for name, counted, limit in loads:
            held = member.committed_hours + sum(hours[n] for n in counted if pins.get(n) == s)
            if held > limit + EPSILON:  # rule 5: a limit pins alone exceed admits nothing more
                for need in counted:
                    if pins.get(need) != s:
                        model += x[need, s] == 0, f"{name}_full_{s}_{need[0]}_{need[1]}"
            else:
                load = member.committed_hours + pulp.lpSum(hours[n] * x[n, s] for n in counted)
                model += load <= limit + EPSILON, f"{name}_{s}"
        if member.max_cases is not None:
            pinned = sum(1 for need in needs if pins.get(need) == s)
            if pinned > member.max_cases:
                for need in needs:
                    if pins.get(need) != s:
                        model += x[need, s] == 0, f"rule4_full_{s}_{need[0]}_{need[1]}"
            else:
                cases = pulp.lpSum(x[need, s] for need in needs)
                model += cases <= member.max_cases, f"rule4_cases_{s}"
    weight = {need: problem.weight(problem.cases[need[0]]) for need in need_ids(problem)}
    for g, group in enumerate(weight_groups(list(weight.values()))):
        model.setObjective(
            pulp.lpSum(group[weight[n]] * x[n, s] for n, s in pairs if weight[n] in group)
        )
        best = round(_solve(model))
        model += model.objective >= best - 0.5, f"tier1_coverage_group_{g}"
    current = [
        x[n, s] for n, s in pairs if problem.cases[n[0]].needs[n[1]].current == problem.staff[s].id
    ]
    model.setObjective(pulp.lpSum(current))
    model += pulp.lpSum(current) >= round(_solve(model)) - 0.5, "tier2_continuity"
    over = {s: model.add_variable(f"o{s}", 0, None, pulp.LpContinuous) for s in by_staff}
    for s, needs in by_staff.items():
        load = problem.staff[s].committed_hours + pulp.lpSum(hours[n] * x[n, s] for n in needs)
        model += over[s] >= load - soft_limit(problem, s), f"tier3_overload_{s}"
    model.sense = pulp.LpMinimize
    model.setObjective(pulp.lpSum(over.values()))
    _solve(model)
    filled = {n: s for n, s in pairs if x[n, s].value() > 0.5}
    return _measured(problem, filled)


def _measured(problem: Problem, filled: dict[tuple[int, int], int]) -> Reference:
    """A plan's tier values, from scratch."""
    planned = defaultdict(list)
    for (c, n), s in filled.items():
        planned[s].append(problem.cases[c].needs[n].hours)
    over = [
        max(0.0, math.fsum([member.committed_hours, *planned[s]]) - soft_limit(problem, s))
        for s, member in enumerate(problem.staff)
    ]
    return Reference(
        coverage=math.fsum(problem.weight(problem.cases[c]) for c, _ in filled),
        continuity=sum(
            problem.cases[c].needs[n].current == problem.staff[s].id for (c, n), s in filled.items()
        ),
        overload=math.fsum(over),
        filled=filled,
    )
