"""The problem and plan as JSON (docs/PLAN-FORMAT.md): read and validated, or written."""

from __future__ import annotations

from optimisation.fields import parse_json
from optimisation.problem import PLAN_FORMAT, PROBLEM_FORMAT, Plan, Problem
from optimisation.reading import read_plan, read_problem


def problem_from_dict(data: object) -> Problem:
    """Read and validate a problem from parsed JSON; raise ProblemError listing every problem."""
    return read_problem(data)


def problem_from_json(text: str) -> Problem:
    """Read and validate a problem from JSON text; raise ProblemError listing every problem."""
    return read_problem(parse_json(text))


def plan_from_dict(data: object) -> Plan:
    """Read and validate a plan from parsed JSON; raise ProblemError listing every problem."""
    return read_plan(data)


def plan_from_json(text: str) -> Plan:
    """Read and validate a plan from JSON text; raise ProblemError listing every problem."""
    return read_plan(parse_json(text))


def problem_to_dict(problem: Problem) -> dict:
    """The problem as a caseload-problem/1 JSON object."""
    policy = problem.policy
    return {
        "format": PROBLEM_FORMAT,
        "week": problem.week,
        "policy": {
            "risk_weights": dict(policy.risk_weights),
            "grades": list(policy.grades),
            "vetting": list(policy.vetting),
            "soft_capacity": policy.soft_capacity,
            "hard_capacity": policy.hard_capacity,
            "safe_capacity": policy.safe_capacity,
            "beyond_safe_risks": list(policy.beyond_safe_risks),
            "time_limit_seconds": policy.time_limit_seconds,
            "relative_gap": policy.relative_gap,
        },
        "staff": [
            {
                "id": s.id,
                "role": s.role,
                "grade": s.grade,
                "site": s.site,
                "region": s.region,
                "available_hours": s.available_hours,
                "committed_hours": s.committed_hours,
                "vetting": s.vetting,
                "skills": list(s.skills),
                "max_cases": s.max_cases,
                "accepts_new_needs": s.accepts_new_needs,
            }
            for s in problem.staff
        ],
        "cases": [
            {
                "id": c.id,
                "risk": c.risk,
                "site": c.site,
                "region": c.region,
                "excluded_staff": list(c.excluded_staff),
                "needs": [
                    {
                        "role": n.role,
                        "min_grade": n.min_grade,
                        "hours": n.hours,
                        "vetting": n.vetting,
                        "skills": list(n.skills),
                        "same_site": n.same_site,
                        "current": n.current,
                        "pinned": n.pinned,
                    }
                    for n in c.needs
                ],
            }
            for c in problem.cases
        ],
    }


def plan_to_dict(plan: Plan) -> dict:
    """The plan as a caseload-plan/1 JSON object (`message` only when there is one)."""
    data: dict = {
        "format": PLAN_FORMAT,
        "week": plan.week,
        "status": plan.status,
        "solver": plan.solver,
        "seconds": plan.seconds,
        "objective": {
            "coverage": plan.objective.coverage,
            "continuity": plan.objective.continuity,
            "overload_hours": plan.objective.overload_hours,
        },
        "bound": {"coverage": plan.bound.coverage},
        "assignments": [
            {
                "case": a.case,
                "need": a.need,
                "staff": a.staff,
                "hours": a.hours,
                "continuity": a.continuity,
                "pinned": a.pinned,
            }
            for a in plan.assignments
        ],
        "uncovered": [
            {
                "case": u.case,
                "need": u.need,
                "risk": u.risk,
                "reason": u.reason,
                "detail": u.detail,
                "remedy": {
                    "text": u.remedy.text,
                    "add_staff": {
                        "role": u.remedy.add_staff.role,
                        "grade": u.remedy.add_staff.grade,
                        "site": u.remedy.add_staff.site,
                        "region": u.remedy.add_staff.region,
                        "vetting": u.remedy.add_staff.vetting,
                        "skills": list(u.remedy.add_staff.skills),
                        "available_hours": u.remedy.add_staff.available_hours,
                    },
                },
            }
            for u in plan.uncovered
        ],
        "staff_load": [
            {
                "staff": load.staff,
                "planned_hours": load.planned_hours,
                "committed_hours": load.committed_hours,
                "available_hours": load.available_hours,
                "workload": load.workload,
                "cases": load.cases,
            }
            for load in plan.staff_load
        ],
        "warnings": list(plan.warnings),
    }
    if plan.message is not None:
        data["message"] = plan.message
    return data
