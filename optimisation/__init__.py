"""Pure caseload optimiser: problem in, plan out; standard library and PuLP only.

Entry points (see PLAN-FORMAT.md for the formats):
- optimisation.solve.solve(problem, *, solver="highs", time_limit=None, workers=None) -> Plan
- optimisation.greedy.greedy(problem) -> Plan
- optimisation.check.check_plan(problem, plan) -> (broken rules, objective values)
- optimisation.eligibility.staff_verdicts(problem, case_id, need_index) -> [Verdict]
- optimisation.problem: problem_from_dict/json, problem_to_dict, plan_from_dict/json,
  plan_to_dict, ProblemError
- optimisation.generate.generate(cases, staff, shortfall=0.25, seed=0) -> Problem
"""
