"""Validating readers for problem and plan JSON that collect every problem, with where it is."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from optimisation.fields import Fields
from optimisation.problem import (
    DEFAULT_GRADES,
    DEFAULT_RISK_WEIGHTS,
    DEFAULT_VETTING,
    PLAN_FORMAT,
    PROBLEM_FORMAT,
    REASONS,
    RISKS,
    STATUSES,
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


def _read_policy(data: object, problems: list[str]) -> ProblemPolicy:
    """Read the policy, filling in the defaults of docs/PLAN-FORMAT.md."""
    fields = Fields(data, "policy", problems, tuple(ProblemPolicy.__dataclass_fields__))
    weights: dict[str, float] = {}
    raw_weights = fields.raw("risk_weights", DEFAULT_RISK_WEIGHTS)
    weight_fields = Fields(
        raw_weights,
        "policy.risk_weights",
        problems,
        tuple(raw_weights if isinstance(raw_weights, dict) else ()),
    )
    for risk in weight_fields.data:
        weight = weight_fields.number(risk)
        if risk not in RISKS:
            problems.append(
                f"policy.risk_weights.{risk}: unknown risk {risk!r} (expected one of "
                f"{', '.join(RISKS)})"
            )
        elif weight is not None:
            weights[risk] = weight
    if not weight_fields.data and weight_fields.ok:
        problems.append("policy.risk_weights: must name at least one risk")
    grades = fields.texts("grades", DEFAULT_GRADES, distinct=True)
    vetting = fields.texts("vetting", DEFAULT_VETTING, distinct=True)
    for name, ladder in (("grades", grades), ("vetting", vetting)):
        if not ladder and fields.ok:
            problems.append(f"policy.{name}: must list at least one level")
    beyond = fields.texts("beyond_safe_risks", None, distinct=True)
    for position, risk in enumerate(beyond or ()):
        if risk not in RISKS:
            problems.append(
                f"policy.beyond_safe_risks[{position}]: unknown risk {risk!r} (expected one "
                f"of {', '.join(RISKS)})"
            )
    hard = fields.number("hard_capacity", 1.2)
    return ProblemPolicy(
        risk_weights=weights or dict(DEFAULT_RISK_WEIGHTS),
        grades=grades or DEFAULT_GRADES,
        vetting=vetting or DEFAULT_VETTING,
        soft_capacity=fields.number("soft_capacity", 1.0) or 0.0,
        hard_capacity=hard or 0.0,
        time_limit_seconds=fields.number("time_limit_seconds", 60.0, minimum=0.001) or 60.0,
        relative_gap=fields.number("relative_gap", 0.0001) or 0.0,
        # Absent, these two keep an older problem's meaning (see ProblemPolicy).
        safe_capacity=fields.number("safe_capacity", hard or 0.0),
        beyond_safe_risks=tuple(r for r in beyond if r in RISKS) if beyond is not None else None,
    )


def _read_staff(where: str, data: object, policy: ProblemPolicy, problems: list[str]) -> Staff:
    """Read one staff member."""
    fields = Fields(data, where, problems, tuple(Staff.__dataclass_fields__))
    return Staff(
        id=fields.text("id"),
        role=fields.text("role"),
        grade=fields.choice("grade", policy.grades, "grade"),
        site=fields.text("site"),
        region=fields.text("region"),
        available_hours=fields.hours("available_hours"),
        committed_hours=fields.hours("committed_hours", 0.0),
        vetting=fields.choice("vetting", policy.vetting, "vetting level", "none"),
        skills=fields.texts("skills", ()),
        max_cases=fields.integer("max_cases", None),
        accepts_new_needs=fields.flag("accepts_new_needs", True),
    )


def _read_need(where: str, data: object, policy: ProblemPolicy, problems: list[str]) -> Need:
    """Read one need of a case."""
    fields = Fields(data, where, problems, tuple(Need.__dataclass_fields__))
    return Need(
        role=fields.text("role"),
        hours=fields.hours("hours"),
        min_grade=fields.choice("min_grade", policy.grades, "grade", None),
        vetting=fields.choice("vetting", policy.vetting, "vetting level", "none"),
        skills=fields.texts("skills", ()),
        same_site=fields.flag("same_site", False),
        current=fields.text("current", None),
        pinned=fields.text("pinned", None),
    )


def _read_case(where: str, data: object, policy: ProblemPolicy, problems: list[str]) -> Case:
    """Read one case and its needs."""
    fields = Fields(data, where, problems, tuple(Case.__dataclass_fields__))
    risks = tuple(policy.risk_weights)
    return Case(
        id=fields.text("id"),
        risk=fields.choice("risk", risks, "risk"),
        site=fields.text("site"),
        region=fields.text("region"),
        excluded_staff=fields.texts("excluded_staff", ()),
        needs=tuple(_read_need(w, item, policy, problems) for w, item in fields.items("needs")),
    )


def _check_ids(kind: str, ids: list[str | None], problems: list[str]) -> None:
    """Report duplicate ids in a list of staff or cases."""
    first: dict[str, int] = {}
    for index, identity in enumerate(ids):
        if identity is None:
            continue
        if identity in first:
            problems.append(
                f"{kind}[{index}].id: duplicate id {identity!r} (also {kind}[{first[identity]}])"
            )
        else:
            first[identity] = index


def _check_references(cases: tuple[Case, ...], staff_ids: set[str], problems: list[str]) -> None:
    """Report excluded, current and pinned staff that are not in the problem."""
    for c, case in enumerate(cases):
        for e, person in enumerate(case.excluded_staff):
            if person not in staff_ids:
                problems.append(f"cases[{c}].excluded_staff[{e}]: unknown staff {person!r}")
        for n, need in enumerate(case.needs):
            for name in ("current", "pinned"):
                person = getattr(need, name)
                if person is not None and person not in staff_ids:
                    problems.append(f"cases[{c}].needs[{n}].{name}: unknown staff {person!r}")


def read_problem(data: object) -> Problem:
    """Build a Problem from parsed JSON, or raise ProblemError with every problem found."""
    problems: list[str] = []
    fields = Fields(data, "", problems, ("format", "week", "policy", "staff", "cases"))
    fmt = fields.text("format")
    if fmt is not None and fmt != PROBLEM_FORMAT:
        problems.append(f"format: must be {PROBLEM_FORMAT!r}, not {fmt!r}")
    policy = _read_policy(fields.raw("policy", {}), problems)
    staff = tuple(_read_staff(w, item, policy, problems) for w, item in fields.items("staff"))
    cases = tuple(_read_case(w, item, policy, problems) for w, item in fields.items("cases"))
    week = fields.text("week")
    _check_ids("staff", [s.id for s in staff], problems)
    _check_ids("cases", [c.id for c in cases], problems)
    _check_references(cases, {s.id for s in staff}, problems)
    if problems:
        raise ProblemError(problems)
    return Problem(week=week, policy=policy, staff=staff, cases=cases)


def _read_list(
    fields: Fields, name: str, read: Callable[[Fields], Any], allowed: tuple[str, ...]
) -> tuple[Any, ...]:
    """Read a list of objects with `read`."""
    return tuple(
        read(Fields(item, where, fields.problems, allowed)) for where, item in fields.items(name)
    )


def _read_uncovered(f: Fields) -> Uncovered:
    """Read one uncovered need of a plan."""
    remedy = Fields(f.raw("remedy"), f.where("remedy"), f.problems, ("text", "add_staff"))
    person = Fields(
        remedy.raw("add_staff"),
        remedy.where("add_staff"),
        f.problems,
        tuple(AddStaff.__dataclass_fields__),
    )
    add_staff = AddStaff(
        role=person.text("role"),
        grade=person.text("grade"),
        site=person.text("site"),
        region=person.text("region"),
        vetting=person.text("vetting"),
        skills=person.texts("skills", ()),
        available_hours=person.number("available_hours"),
    )
    return Uncovered(
        case=f.text("case"),
        need=f.integer("need"),
        risk=f.text("risk"),
        reason=f.choice("reason", REASONS, "reason"),
        detail=f.text("detail"),
        remedy=Remedy(text=remedy.text("text"), add_staff=add_staff),
    )


def read_plan(data: object) -> Plan:
    """Build a Plan from parsed JSON, or raise ProblemError with every problem found."""
    problems: list[str] = []
    allowed = (*Plan.__dataclass_fields__, "format")
    fields = Fields(data, "", problems, allowed)
    fmt = fields.text("format")
    if fmt is not None and fmt != PLAN_FORMAT:
        problems.append(f"format: must be {PLAN_FORMAT!r}, not {fmt!r}")
    objective = Fields(
        fields.raw("objective"), "objective", problems, ("coverage", "continuity", "overload_hours")
    )
    bound = Fields(fields.raw("bound"), "bound", problems, ("coverage",))
    plan = Plan(
        week=fields.text("week"),
        status=fields.choice("status", STATUSES, "status"),
        solver=fields.text("solver"),
        seconds=fields.number("seconds"),
        objective=Objective(
            coverage=objective.number("coverage"),
            continuity=objective.integer("continuity"),
            overload_hours=objective.number("overload_hours"),
        ),
        bound=Bound(coverage=bound.number("coverage")),
        assignments=_read_list(
            fields,
            "assignments",
            lambda f: Assignment(
                case=f.text("case"),
                need=f.integer("need"),
                staff=f.text("staff"),
                hours=f.number("hours"),
                continuity=f.flag("continuity"),
                pinned=f.flag("pinned"),
            ),
            tuple(Assignment.__dataclass_fields__),
        ),
        uncovered=_read_list(
            fields, "uncovered", _read_uncovered, tuple(Uncovered.__dataclass_fields__)
        ),
        staff_load=_read_list(
            fields,
            "staff_load",
            lambda f: StaffLoad(
                staff=f.text("staff"),
                planned_hours=f.number("planned_hours"),
                committed_hours=f.number("committed_hours"),
                available_hours=f.number("available_hours"),
                workload=f.number("workload", None),
                cases=f.integer("cases"),
            ),
            tuple(StaffLoad.__dataclass_fields__),
        ),
        warnings=fields.texts("warnings"),
        message=fields.text("message", None),
    )
    if problems:
        raise ProblemError(problems)
    return plan
