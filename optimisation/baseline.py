"""The baseline a manager does by hand: highest risk first, each need to the least-loaded person."""

from __future__ import annotations

import math
import time

from optimisation.eligibility import EligibilityIndex
from optimisation.ledger import Ledger, Pins, need_ids, resolve_pins
from optimisation.problem import Plan, Problem
from optimisation.report import build_plan, trivial_bound


def greedy_fill(
    problem: Problem, index: EligibilityIndex, pins: Pins, holders_first: bool = False
) -> dict[tuple[int, int], int]:
    """Pins first, then needs by risk, each to its holder if free, else the least-loaded."""
    # The least-loaded is the eligible person with the lowest Workload % who still has room.
    # `holders_first`: every need whose current holder is eligible goes first (by risk), so that
    # each holder keeps all they can before anyone else's need takes their hours.
    ledger = Ledger.of(problem, pins.kept)

    def rank(need: tuple[int, int]) -> tuple[bool, float]:
        """Holders' needs first if asked, then the highest risk first."""
        holder = problem.staff_index.get(problem.cases[need[0]].needs[need[1]].current or "")
        held = holders_first and holder in index.of(*need)
        return (not held, -problem.weight(problem.cases[need[0]]))

    order = sorted((need for need in need_ids(problem) if need not in pins.kept), key=rank)
    for c, n in order:
        need = problem.cases[c].needs[n]
        within = problem.within_safe(problem.cases[c])
        holder = problem.staff_index.get(need.current) if need.current is not None else None
        chosen, lowest = None, (math.inf, 0)
        for s in index.of(c, n):
            if not ledger.fits(s, c, need.hours, within):
                continue
            if s == holder:
                chosen = s
                break
            if chosen is None or (ledger.workload(s), s) < lowest:
                chosen, lowest = s, (ledger.workload(s), s)
        if chosen is not None:
            ledger.take((c, n), chosen)
    return ledger.filled


def greedy(problem: Problem) -> Plan:
    """The greedy plan, explained like the optimiser's (its bound is the trivial one, and it
    is never called optimal: nothing about its continuity or overload is proven)."""
    started = time.perf_counter()
    index = EligibilityIndex(problem)
    pins = resolve_pins(problem, index)
    filled = greedy_fill(problem, index, pins)
    return build_plan(
        problem,
        index,
        filled,
        solver="greedy",
        bound=trivial_bound(problem, index),
        optimal=False,
        warnings=pins.warnings,
        started=started,
    )
