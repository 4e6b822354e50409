"""Pure caseload optimiser: problem in, plan out; standard library and PuLP only.

This is the package's face (docs/PLAN-FORMAT.md describes the formats); the planner imports
nothing else of it:
- solve(problem, *, solver="highs", time_limit=None, workers=None) -> Plan
- greedy(problem) -> Plan, check_plan(problem, plan) -> (broken rules, objective values)
- staff_verdicts(problem, case_id, need_index) -> [Verdict], reasons_against(...),
  broken_rules(...) -> the names of the rules (RULE_NAMES) a person breaks for a need
- problem_from_dict/json, problem_to_dict, plan_from_dict/json, plan_to_dict, ProblemError
- generate(cases, staff, shortfall=0.25, seed=0) -> Problem
"""

from optimisation.baseline import greedy
from optimisation.check import check_plan
from optimisation.eligibility import (
    RULE_NAMES,
    Verdict,
    broken_rules,
    reasons_against,
    staff_verdicts,
)
from optimisation.formats import (
    plan_from_dict,
    plan_from_json,
    plan_to_dict,
    problem_from_dict,
    problem_from_json,
    problem_to_dict,
)
from optimisation.optimiser import solve
from optimisation.problem import (
    PLAN_FORMAT,
    PROBLEM_FORMAT,
    AddStaff,
    Assignment,
    Bound,
    Case,
    Need,
    Objective,
    Plan,
    Problem,
    ProblemError,
    ProblemPolicy,
    Remedy,
    Staff,
    StaffLoad,
    Uncovered,
)
from optimisation.solvers import SOLVERS
from optimisation.synthetic import generate

__all__ = [
    "PLAN_FORMAT",
    "PROBLEM_FORMAT",
    "RULE_NAMES",
    "SOLVERS",
    "AddStaff",
    "Assignment",
    "Bound",
    "Case",
    "Need",
    "Objective",
    "Plan",
    "Problem",
    "ProblemError",
    "ProblemPolicy",
    "Remedy",
    "Staff",
    "StaffLoad",
    "Uncovered",
    "Verdict",
    "broken_rules",
    "check_plan",
    "generate",
    "greedy",
    "plan_from_dict",
    "plan_from_json",
    "plan_to_dict",
    "problem_from_dict",
    "problem_from_json",
    "problem_to_dict",
    "reasons_against",
    "solve",
    "staff_verdicts",
]
