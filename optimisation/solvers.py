"""Run HiGHS (through PuLP's HiGHS, for its highspy model) or CBC on a model, honestly.

PuLP says "Optimal" when a limit stopped the solver with a plan in hand, and its HiGHS
wrapper takes no starting plan and fails on HiGHS's node-limit status; so this module
reads the solver's own status and dual bound, hands HiGHS a start, and never raises.
"""

from __future__ import annotations

import contextlib
import math
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from functools import cache

import pulp

SOLVERS = ("highs", "cbc")


@dataclass(frozen=True)
class Limits:
    """How far one solve may go: nodes (deterministic), seconds (a safety net), sub-MIPs."""

    # `sub_mips`: whether HiGHS may run its sub-MIP heuristics (CBC, through PuLP, has no such
    # switch).

    seconds: float
    nodes: int
    gap: float
    absolute_gap: float = 0.0
    sub_mips: bool = True


@dataclass(frozen=True)
class Outcome:
    """What one solve returned: values by variable name, whether proven, and the dual bound.

    `proven`: the solver says it reached the optimum within the gaps asked; `objective`: the
    value it says its plan has (which a caller should check against the plan: HiGHS, given a
    start its presolve changes, has returned the start's values with a better objective);
    `duals`: an LP relaxation's row multipliers (HiGHS only), in the order of the model's
    constraints, in the model's own sense (for a maximisation, at least 0 on a <= row).
    """

    values: dict[str, float]
    proven: bool
    bound: float | None
    message: str = ""
    objective: float | None = None
    duals: tuple[float, ...] = ()


@cache
def _silence_highs_banner() -> None:
    """Let HiGHS print its once-a-process banner into /dev/null, not into a plan on stdout."""
    import highspy

    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 1)
            highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def cbc_path() -> str | None:
    """The CBC executable installed with `pulp[cbc]` (beside this Python, or on PATH)."""
    search = os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")])
    return shutil.which("cbc", path=search)


def available(solver: str) -> bool:
    """Whether the named solver can run here."""
    if solver == "highs":
        return bool(pulp.HiGHS(msg=False).available())
    return solver == "cbc" and cbc_path() is not None


class _StartedHiGHS(pulp.HiGHS):
    """PuLP's HiGHS, given a starting plan and reporting HiGHS's own status and bound."""

    def __init__(self, start: dict[str, float], limits: Limits, relax: bool) -> None:
        """Single-threaded HiGHS with the limits, no restarts and, unless asked, no sub-MIPs."""
        # One thread: two processes use two cores better. No restarts: measured, a restart redid
        # presolve and cuts, doubling the root's time. Without `sub_mips`, no RINS, RENS or reduced-
        # cost sub-MIPs: they ran even at a node limit of 1 and took most of the time of tiers whose
        # earlier tiers pin the plan down.
        super().__init__(
            mip=not relax,
            msg=False,
            timeLimit=max(limits.seconds, 0.01),
            gapRel=limits.gap,
            gapAbs=limits.absolute_gap,
            threads=1,
            mip_max_nodes=limits.nodes,
            mip_allow_restart=False,
            mip_heuristic_run_rins=limits.sub_mips,
            mip_heuristic_run_rens=limits.sub_mips,
            mip_heuristic_run_root_reduced_cost=limits.sub_mips,
        )
        self.start = start

    def callSolver(self, lp: pulp.LpProblem) -> None:
        """Hand HiGHS the start (when complete), then run."""
        import highspy

        variables = lp.variables()
        if self.start and all(v.name in self.start for v in variables):
            solution = highspy.HighsSolution()
            solution.col_value = [self.start[v.name] for v in variables]
            solution.value_valid = True
            lp.solverModel.setSolution(solution)
        lp.solverModel.run()

    def findSolutionValues(self, lp: pulp.LpProblem) -> tuple[int, int]:
        """Copy the values back; PuLP's own status table misses some HiGHS statuses."""
        solution = lp.solverModel.getSolution()
        values = list(solution.col_value)
        for v in lp.variables():
            v.varValue = values[v.index] if solution.value_valid else None
        return pulp.LpStatusNotSolved, pulp.LpSolutionNoSolutionFound


def _run_highs(lp: pulp.LpProblem, start: dict[str, float], limits: Limits, relax: bool) -> Outcome:
    """Solve with HiGHS; the bound is HiGHS's dual bound, in the model's own sense."""
    import highspy

    _silence_highs_banner()
    lp.solve(_StartedHiGHS(start, limits, relax))
    model = lp.solverModel
    status = model.getModelStatus()
    if status == highspy.HighsModelStatus.kNotset:
        # HiGHS keeps one thread scheduler a process and refuses a solve asking for another
        # number of threads than the first solve here did (without saying so but in its log):
        # start the scheduler again with one thread, and solve again.
        highspy.Highs.resetGlobalScheduler(True)
        lp.solve(_StartedHiGHS(start, limits, relax))
        model = lp.solverModel
        status = model.getModelStatus()
    info = model.getInfo()
    values = {v.name: v.varValue for v in lp.variables() if v.varValue is not None}
    sense = -1.0 if lp.sense == pulp.LpMaximize else 1.0  # PuLP hands HiGHS -objective to max
    objective = sense * info.objective_function_value if values else None
    if status == highspy.HighsModelStatus.kOptimal:
        if relax:
            duals = tuple(sense * dual for dual in model.getSolution().row_dual)
            return Outcome(values, True, objective, objective=objective, duals=duals)
        return Outcome(values, True, sense * info.mip_dual_bound, objective=objective)
    if status in (highspy.HighsModelStatus.kInfeasible, highspy.HighsModelStatus.kModelEmpty):
        return Outcome({}, False, None, f"HiGHS: {model.modelStatusToString(status)}")
    bound = None if relax or not math.isfinite(info.mip_dual_bound) else sense * info.mip_dual_bound
    message = f"HiGHS stopped: {model.modelStatusToString(status)}"
    return Outcome(values, False, bound, message, objective=objective)


def _run_cbc(lp: pulp.LpProblem, start: dict[str, float], limits: Limits, relax: bool) -> Outcome:
    """Solve with CBC in a temporary directory of its own (CBC leaves files when killed)."""
    path = cbc_path()
    if path is None:
        return Outcome({}, False, None, "CBC is not installed (pip install 'pulp[cbc]')")
    for v in lp.variables():
        v.varValue = start.get(v.name)
    with tempfile.TemporaryDirectory(prefix="caseload-cbc-") as directory:
        solver = pulp.COIN_CMD(
            path=path,
            mip=not relax,
            msg=False,
            timeLimit=max(limits.seconds, 0.01),
            gapRel=limits.gap,
            gapAbs=limits.absolute_gap,
            threads=1,
            maxNodes=limits.nodes,
            warmStart=bool(start),
        )
        solver.tmpDir = directory
        lp.solve(solver)
    values = {v.name: v.varValue for v in lp.variables() if v.varValue is not None}
    value = pulp.value(lp.objective) or 0.0
    if lp.sol_status == pulp.LpSolutionOptimal:
        # CBC stops within the gaps: only the objective and those gaps are proven.
        slack = 0.0 if relax else max(limits.gap * abs(value), limits.absolute_gap)
        bound = value + slack if lp.sense == pulp.LpMaximize else value - slack
        return Outcome(values, True, bound, objective=value)
    if lp.sol_status == pulp.LpSolutionIntegerFeasible:
        # CBC through PuLP reports no dual bound: the caller falls back to a weaker one.
        return Outcome(values, False, None, "CBC stopped at a limit", objective=value)
    return Outcome({}, False, None, f"CBC: {pulp.LpStatus[lp.status]}")


def run(
    solver: str, lp: pulp.LpProblem, start: dict[str, float], limits: Limits, relax: bool = False
) -> Outcome:
    """Solve `lp` (or its LP relaxation) with the named solver; any failure becomes an Outcome."""
    try:
        with contextlib.redirect_stdout(sys.stderr):
            if solver == "cbc":
                return _run_cbc(lp, start, limits, relax)
            return _run_highs(lp, start, limits, relax)
    except (pulp.PulpSolverError, OSError, ValueError, KeyError) as error:
        return Outcome({}, False, None, f"{solver} failed: {error}")
