"""Importing a file: read it, check every row, plan what it does, and (once confirmed) do it."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from planner.domain.policy import Policy
from planner.domain.reach import Reach
from planner.imports.absence_rows import AbsenceRows
from planner.imports.case_rows import CaseRows
from planner.imports.checking import ValidRow, cells_of
from planner.imports.columns import ImportKind
from planner.imports.need_rows import NeedRows
from planner.imports.plan import ImportPlan, plan_of
from planner.imports.problems import Problem, Problems
from planner.imports.reading import FileRefused, Table, read_table
from planner.imports.staff_rows import StaffRows


@dataclass(frozen=True)
class Limits:
    """How large a file may be, in bytes and in rows (from the configuration)."""

    max_bytes: int
    max_rows: int


@dataclass(frozen=True)
class Prepared:
    """A file checked: its problems, or else the plan of what importing it does."""

    kind: ImportKind
    filename: str
    problems: list[Problem]
    plan: ImportPlan | None = None
    rows: list[ValidRow] = field(default_factory=list)


def prepare(
    session: Session,
    kind: ImportKind,
    content: bytes,
    filename: str,
    reach: Reach,
    policy: Policy,
    limits: Limits,
) -> Prepared:
    """Check the whole file (FileRefused if it cannot be read at all) and plan its rows."""
    table = read_table(content, filename, limits.max_bytes, limits.max_rows)
    problems = Problems()
    checker = _checker(session, kind, reach, policy, table)
    valid = []
    for number, cells in cells_of(kind, table, problems):
        checked = checker.check(number, cells, problems)
        if checked is not None:
            valid.append(checked)
    if problems:
        return Prepared(kind, filename, problems.listed())
    if not table.rows:
        raise FileRefused("The file has no rows under its header")
    return Prepared(kind, filename, [], plan_of(kind, valid), valid)


def _checker(
    session: Session, kind: ImportKind, reach: Reach, policy: Policy, table: Table
) -> StaffRows | CaseRows | AbsenceRows | NeedRows:
    """The checks of a kind's rows, with the records they are matched against loaded once."""
    if kind is ImportKind.STAFF:
        return StaffRows(session, reach)
    if kind is ImportKind.CASES:
        return CaseRows(session, reach, policy, _references(table))
    if kind is ImportKind.NEEDS:
        return NeedRows(session, reach, _references(table))
    return AbsenceRows(session, reach, reductions=kind is ImportKind.REDUCTIONS)


def _references(table: Table) -> set[str]:
    """The case references a file names, to load only those cases."""
    if "reference" not in table.headers:
        return set()
    index = table.headers.index("reference")
    return {cells[index].strip().upper() for _, cells in table.rows if len(cells) > index}
