"""The optimiser: a week's caseload allocated under shortfall, optimally, every gap explained.

How it goes (see parts.py, model.py, tiers.py, continuity.py and lns.py for each step):
1. Pins are kept where they can be, and greedy's plan is made: the plan to beat; so is
   greedy's plan with every holder's need first. Each part starts from the better of the two.
2. The problem splits into independent parts (people serve only their own region and role,
   prison needs only their own site), solved apart, in worker processes when several are big.
3. Each part's model groups interchangeable needs into classes, with rule 2 relaxed to an
   aggregate form (a valid bound). Coverage and continuity are solved as one lexicographic
   objective (tiers.py); a small part then has any tier left unproven solved on its own, and
   overload and balance after. The counts are named need by need as one assignment problem
   (continuity.py) that fills every place it can and gives as many needs as it can back to
   their holders. A part not proven whole is improved by re-solving small pieces exactly
   (lns.py): first any need rule 2 kept from being named, then needs away from their holder
   and overloads, with coverage held. A part too large for any model is improved from its
   starting plan by local search alone, its bound the LP relaxation's.
4. Each part's plan is checked and kept only if it is at least as good as its starting plan
   there, so the whole plan covers at least as much as greedy's and, at equal coverage, keeps
   at least as many holders as greedy keeping holders first; the whole plan is checked again
   at the end. The bound is the sum of the parts' bounds.
Branch and bound stops at node limits and the search after a fixed number of rounds, so the
same problem gives the same plan whatever the number of workers; the time limit is a safety
net that makes a plan `feasible` (with an honest bound) rather than late.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

from optimisation.assign import PartPlan, is_valid, to_counts, unplaced, values_of
from optimisation.baseline import greedy_fill
from optimisation.check import check_plan
from optimisation.continuity import name_counts, realign
from optimisation.eligibility import EligibilityIndex
from optimisation.ledger import resolve_pins
from optimisation.lns import improve
from optimisation.parts import Part, split, with_classes
from optimisation.problem import Plan, Problem
from optimisation.report import build_plan, error_plan
from optimisation.solvers import SOLVERS, available
from optimisation.tiers import NODE_RANGE, better, measure, relaxation_bound, solve_tiers
from optimisation.workers import run_tasks

# (Class, person) pairs up to which all four tiers are solved: on the demo problems' parts
# of 300 to 800 pairs, overload and balance were not proven and took most of the time.
ALL_TIERS_LIMIT = 300
RELAXED_LIMIT = 60000  # pairs beyond which a part is only improved from its starting plan
POOL_LIMIT = 1500  # parts this big are worth a worker process
# Nodes for a part too large for all tiers: its plan comes from the root's heuristics (10 to
# 20,000 nodes gave the same plans on the 20 largest parts of the demo and generated
# problems; the root took 85 % of the time).
LARGE_PART_NODES = 10


@dataclass(frozen=True)
class PartTask:
    """One part to solve, from a greedy plan of it, by a deadline (seconds since the epoch)."""

    part: Part
    start: tuple[int, ...]
    solver: str
    deadline: float
    gap: float


@dataclass(frozen=True)
class PartAnswer:
    """A part's plan, a valid coverage bound for it, and what went wrong, if anything."""

    assignment: tuple[int, ...]
    bound: float
    warning: str = ""


def solve_part(task: PartTask) -> PartAnswer:
    """Solve one part (in a worker process or here); never worse than its starting plan."""
    part, start = task.part, list(task.start)
    relaxed = with_classes(part, exact=False)
    if len(relaxed.pairs) <= RELAXED_LIMIT:
        tiers = 4 if len(relaxed.pairs) <= ALL_TIERS_LIMIT else 2
        result = solve_tiers(
            relaxed,
            to_counts(relaxed, start),
            task.solver,
            task.deadline,
            task.gap,
            tiers=tiers,
            combined=True,
            most_nodes=NODE_RANGE[1] if tiers == 4 else LARGE_PART_NODES,
        )
        counts, bound = list(result.counts), result.bound
        assignment = name_counts(part, relaxed, counts, task.solver, task.deadline)
        lost = unplaced(relaxed, counts, assignment)
        # The model relaxes rule 2, so its optimum is proven for the part only once named
        # without losing coverage or continuity.
        named = values_of(part, assignment).key()[:2] == measure(relaxed, counts).key()[:2]
        settled = result.settled and tiers == 4 and named
    else:
        # No model, so no naming: needs go back to their holders where the places allow.
        assignment = realign(part, start, task.solver, task.deadline)
        bound, lost, settled = relaxation_bound(relaxed, task.solver, task.deadline), [], False
    if better(values_of(part, start), values_of(part, assignment)):
        assignment = start
    if lost or not settled:
        assignment = improve(
            part, assignment, task.solver, task.deadline, task.gap, lost, seed=len(part.needs)
        )
        assignment = realign(part, assignment, task.solver, task.deadline)
    if not is_valid(part, assignment):
        return PartAnswer(tuple(start), bound, "a solver's plan broke a rule: a greedy plan kept")
    if better(values_of(part, start), values_of(part, assignment)):
        assignment = start
    return PartAnswer(tuple(assignment), max(bound, values_of(part, assignment).coverage))


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
    """The starting plan of a part whose solve did not come back, with the trivial bound."""
    bound = sum(task.part.weight)
    return PartAnswer(
        task.start, bound, f"{why}: a greedy plan kept for a part of {len(task.part.needs)} needs"
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
    tasks = [
        PartTask(part, _start(part, greedy, holders), solver, deadline, problem.policy.relative_gap)
        for part in parts
    ]
    answers = _run(tasks, workers or os.cpu_count() or 1, deadline)
    filled: dict[tuple[int, int], int] = {}
    warnings = list(pins.warnings)
    for part, answer in zip(parts, answers, strict=True):
        for need, j in zip(part.needs, answer.assignment, strict=True):
            if j >= 0:
                filled[need] = part.staff[j]
        if answer.warning:
            warnings.append(answer.warning)
    bound = sum(answer.bound for answer in answers)
    plan = build_plan(
        problem,
        index,
        filled,
        solver=solver,
        bound=bound,
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
            started=started,
            warnings=(
                *pins.warnings,
                "the plan failed its check, so greedy's is returned: " + "; ".join(broken[:3]),
            ),
        )
    return plan
