"""The optimiser: a week's caseload allocated under shortfall, optimally, every gap explained.

How it goes (see parts.py, tiers.py, search.py, continuity.py and lns.py for each step):
1. Pins are kept where they can be (they are then no choice: they count in their people's
   rooms), and greedy's plan is made: the plan to beat; so is greedy's plan with every
   holder's need first. Each part starts from the better of the two.
2. The problem splits into independent parts (people serve only their own region and role,
   prison needs only their own site), solved apart, in worker processes when several are big.
3. A part of up to EXACT_NEEDS needs is solved exactly, tier by tier (tiers.py): coverage band
   by band in whole numbers, then continuity, then overload, each held at its optimum before
   the next, then balance as far as a node limit allows. Such a part is optimal when every
   tier but balance is proven (in a small problem, within nodes enough for that; in a larger
   one, within a few).
4. A larger part is searched (search.py): coverage and holders together on a model with rule 2
   kept in aggregate, at a small node limit; its counts are named need by need as one
   assignment problem (continuity.py), then improved by re-solving small pieces exactly
   (lns.py). Its bound is the search's dual bound after the root's cuts (or its LP
   relaxation's, made valid by weak duality in bounds.py, where that is closer or the search
   gave none); it is never called optimal. A part too large to search (SEARCH_LIMIT) starts
   from its LP relaxation rounded down and filled, with the LP's bound, and is improved by
   local search.
5. Each part's plan is checked and kept only if it is at least as good as its starting plan
   there, so the whole plan covers at least as much as greedy's and, at equal coverage, keeps
   at least as many holders as greedy keeping holders first; the whole plan is checked again
   at the end. The bound is the pins' coverage plus the sum of the parts' bounds; the plan is
   optimal when every part is and the whole is within the relative gap of that bound.
Branch and bound stops at node limits and the search after a fixed number of rounds, so the
same problem gives the same plan whatever the number of workers; the time limit (of which
each part may take its share, by size, of what the set-up left) is a safety net that makes a
plan `feasible` (with an honest bound) rather than late. Balance, the fourth tier, is the
highest Workload % among each part's people, minimised as far as a few nodes allow.
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass

from optimisation.assign import (
    PartPlan,
    from_counts,
    is_valid,
    to_counts,
    unplaced,
    values_of,
)
from optimisation.baseline import greedy_fill
from optimisation.bounds import hours_bound
from optimisation.check import check_plan
from optimisation.continuity import name_counts, realign, swap_back
from optimisation.eligibility import EligibilityIndex
from optimisation.ledger import better, compare, need_ids, resolve_pins
from optimisation.lns import improve
from optimisation.parts import Part, split, with_classes
from optimisation.problem import Plan, Problem
from optimisation.report import build_plan, error_plan
from optimisation.search import fill, relaxation, rounded, search
from optimisation.solvers import SOLVERS, available
from optimisation.tiers import part_bands, solve_tiers
from optimisation.workers import run_tasks

EXACT_NEEDS = 200  # parts of up to this many needs are solved exactly, tier by tier
# Branch-and-bound nodes per tier of such a part: in a problem of up to SMALL_PROBLEM needs,
# enough to prove every tier seen (a safety net); in a larger one, a few, for parts easy to
# prove (a part of 140 needs with the London demo's odd hours took 100 s to prove, at 4 ms a
# node, where the whole demo has 5 s).
SMALL_PROBLEM = 200
EXACT_NODES = 100_000
PART_NODES = 50
# Relaxed (class, person) pairs beyond which a part is not searched but starts from its LP
# relaxation (the search's root took 2 to 11 s on the national problem's parts of up to 10,200
# such pairs, and 345 s on one of 75,000), and need-person pairs beyond which no model names
# the needs of a whole part.
SEARCH_LIMIT = 15_000
REALIGN_LIMIT = 60_000
POOL_LIMIT = 1500  # parts this big are worth a worker process
# Nodes for a part too large to solve exactly: its plan comes from the root's heuristics (1,
# 10 and 20,000 nodes gave the same plans on the largest parts of the national problem and
# the demo problems; the root took most of the time, and 10 nodes up to 1 s more than 1).
LARGE_PART_NODES = 1


@dataclass(frozen=True)
class PartTask:
    """One part to solve, from a greedy plan of it, by a deadline (seconds since the epoch),
    in at most `budget` seconds from when its solve begins (its share of the time limit), at
    most `nodes` branch-and-bound nodes a tier if it is solved exactly."""

    part: Part
    start: tuple[int, ...]
    solver: str
    deadline: float
    budget: float = math.inf
    nodes: int = EXACT_NODES


@dataclass(frozen=True)
class PartAnswer:
    """A part's plan, a valid coverage bound for it, whether proven optimal, and what went
    wrong, if anything."""

    assignment: tuple[int, ...]
    bound: float
    optimal: bool = False
    warning: str = ""


def _exactly(task: PartTask, deadline: float) -> tuple[PartPlan, float, bool]:
    """A small part solved tier by tier: its plan, bound and whether proven optimal."""
    exact = with_classes(task.part, exact=True)
    start = to_counts(exact, list(task.start))
    # In a larger problem, a tier not proven within its few nodes is left to local search.
    give_up = task.nodes < EXACT_NODES
    result = solve_tiers(exact, start, task.solver, deadline, nodes=task.nodes, give_up=give_up)
    # Exact classes name their counts without loss (see parts.py).
    return from_counts(exact, list(result.counts)), result.bound, result.proven


def _searched(task: PartTask, deadline: float) -> tuple[PartPlan, float, list[int]]:
    """A large part searched: its plan, a valid bound, and needs the naming lost to rule 2."""
    part = task.part
    relaxed = with_classes(part, exact=False)
    if len(relaxed.pairs) > SEARCH_LIMIT:
        bound, fractional = relaxation(relaxed, deadline)
        if fractional is None:
            return list(task.start), bound, []
        counts = rounded(relaxed, fractional)
        return swap_back(part, fill(part, from_counts(relaxed, counts))), bound, []
    start = to_counts(relaxed, list(task.start))
    counts, bound = search(relaxed, start, task.solver, deadline, LARGE_PART_NODES)
    if bound is None or len(part_bands(relaxed)) > 1:
        # With several bands, the search's bound counts every lower band in full: the LP's
        # may be closer.
        proven, _ = relaxation(relaxed, deadline)
        bound = proven if bound is None else min(bound, proven)
    assignment = name_counts(part, relaxed, counts, task.solver, deadline)
    return assignment, bound, unplaced(relaxed, counts, assignment)


def solve_part(task: PartTask) -> PartAnswer:
    """Solve one part (in a worker process or here); never worse than its starting plan."""
    part, start = task.part, list(task.start)
    deadline = min(task.deadline, time.time() + task.budget)
    if len(part.needs) <= EXACT_NEEDS:
        assignment, bound, optimal = _exactly(task, deadline)
        lost: list[int] = []
    else:
        assignment, bound, lost = _searched(task, deadline)
        optimal = False
    if better(values_of(part, start), values_of(part, assignment)):
        assignment = start
    if not optimal:
        assignment = improve(part, assignment, task.solver, deadline, lost, len(part.needs))
        if part.size <= REALIGN_LIMIT:
            assignment = realign(part, assignment, task.solver, deadline)
    if not is_valid(part, assignment):
        return PartAnswer(
            tuple(start), bound, warning="a solver's plan broke a rule: a greedy plan kept"
        )
    found, held = values_of(part, assignment), values_of(part, start)
    if better(held, found):
        # A proof is of the plan it proved: the start may replace it only on balance.
        optimal = optimal and compare(held, found, 3) == 0
        assignment, found = start, held
    return PartAnswer(tuple(assignment), max(bound, found.coverage), optimal)


def _part_plan(part: Part, filled: dict[tuple[int, int], int]) -> PartPlan:
    """A whole problem's plan of one part, in the part's numbering."""
    number = {s: j for j, s in enumerate(part.staff)}
    return [number.get(filled.get(need, -1), -1) for need in part.needs]


def _start(part: Part, *plans: dict[tuple[int, int], int]) -> tuple[int, ...]:
    """The lexicographically best of some whole plans, on one part: where to start from."""
    best = _part_plan(part, plans[0])
    for plan in plans[1:]:
        other = _part_plan(part, plan)
        if better(values_of(part, other), values_of(part, best)):
            best = other
    return tuple(best)


def _fallback(task: PartTask, why: str) -> PartAnswer:
    """The starting plan of a part whose solve did not come back, with a quick bound."""
    return PartAnswer(
        task.start,
        hours_bound(task.part),
        warning=f"{why}: a greedy plan kept for a part of {len(task.part.needs)} needs",
    )


def solve_part_safely(task: PartTask) -> PartAnswer:
    """solve_part, but a failure keeps the part's starting plan and says so."""
    # A problem, however hard, never makes the solve raise.
    try:
        return solve_part(task)
    except Exception as error:  # the warning names it, and the starting plan is safe
        return _fallback(task, f"the solve failed ({error.__class__.__name__}: {error})")


def _run(tasks: list[PartTask], workers: int, deadline: float) -> list[PartAnswer]:
    """Solve the parts: in worker processes when several are big enough to be worth it."""
    if workers < 2 or sum(1 for t in tasks if t.part.size > POOL_LIMIT) < 2:
        return [solve_part_safely(task) for task in tasks]
    return run_tasks(tasks, _fallback, workers, deadline)


def solve(
    problem: Problem,
    *,
    solver: str = "highs",
    time_limit: float | None = None,
    workers: int | None = None,
) -> Plan:
    """The best plan the staff can deliver, with its proven bound, every gap explained."""
    # `time_limit` defaults to the policy's; `workers` (processes) to the machine's cores.
    if solver not in SOLVERS:
        raise ValueError(f"solver must be one of {', '.join(SOLVERS)}, not {solver!r}")
    started = time.perf_counter()
    if not available(solver):
        return error_plan(problem, solver, f"solver {solver} is not available here", started)
    limit = problem.policy.time_limit_seconds if time_limit is None else time_limit
    deadline = time.time() + limit
    index = EligibilityIndex(problem)
    pins = resolve_pins(problem, index)
    greedy = greedy_fill(problem, index, pins)
    # Where keeping every holder first covers as much as greedy, it keeps more holders.
    holders = greedy_fill(problem, index, pins, holders_first=True)
    parts = split(problem, index, pins)
    # Each part may take three times its share, by its size, of the workers' time left (or a
    # tenth of it if more): no part's overrun leaves the parts after it no time at all, and a
    # part within its share is never cut short (the plan stays the same, however fast).
    total = sum(part.size for part in parts) or 1
    cores = workers or os.cpu_count() or 1
    left = max(deadline - time.time(), 0.0)
    tasks = [
        PartTask(
            part,
            _start(part, greedy, holders),
            solver,
            deadline,
            budget=left * max(3 * min(cores, len(parts)) * part.size / total, 0.1),
            nodes=EXACT_NODES if len(need_ids(problem)) <= SMALL_PROBLEM else PART_NODES,
        )
        for part in parts
    ]
    answers = _run(tasks, cores, deadline)
    filled: dict[tuple[int, int], int] = dict(pins.kept)
    warnings = list(pins.warnings)
    for part, answer in zip(parts, answers, strict=True):
        for need, j in zip(part.needs, answer.assignment, strict=True):
            if j >= 0:
                filled[need] = part.staff[j]
        if answer.warning:
            warnings.append(answer.warning)
    pinned = [problem.weight(problem.cases[c]) for c, _ in pins.kept]
    bound = math.fsum([*pinned, *(answer.bound for answer in answers)])
    optimal = all(answer.optimal for answer in answers)
    plan = build_plan(
        problem,
        index,
        filled,
        solver=solver,
        bound=bound,
        optimal=optimal,
        warnings=tuple(warnings),
        started=started,
    )
    broken, _ = check_plan(problem, plan)
    if broken:
        return build_plan(
            problem,
            index,
            greedy,
            solver=solver,
            bound=bound,
            optimal=False,
            started=started,
            warnings=(
                *pins.warnings,
                "the plan failed its check, so greedy's is returned: " + "; ".join(broken[:3]),
            ),
        )
    return plan
