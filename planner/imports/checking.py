"""What every kind's rows share: the header, the cells, places within reach, the forms' verdict."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload
from werkzeug.datastructures import MultiDict

from planner.domain.reach import Reach
from planner.imports.columns import ImportKind, headers
from planner.imports.problems import Problems
from planner.imports.reading import Table
from planner.imports.values import BadCell, date_parts
from planner.models import Site
from planner.web.forms import PlannerForm
from planner.web.text import hidden_character, hidden_message

# A note may run over several lines, as its box on the absence form does.
SEVERAL_LINES = frozenset({"note"})


@dataclass(frozen=True)
class ValidRow:
    """A row every check passed: what it says, and the stored record it matches (if any)."""

    row: int
    key: tuple[Any, ...]
    label: str
    details: Any
    values: dict[str, Any]
    record: Any | None
    # Whose an absence is: the person it is added to when it is new.
    owner: Any | None = None


def cells_of(
    kind: ImportKind, table: Table, problems: Problems
) -> Iterator[tuple[int, dict[str, str]]]:
    """Each row's cells by column; a header that is not the kind's makes every row moot."""
    wanted = headers(kind)
    where = table.header_row
    seen: set[str] = set()
    for name in table.headers:
        if name in seen:
            problems.add(where, name, "This column is named twice")
        elif name not in wanted:
            shown = name or "(no header)"
            problems.add(where, shown, f"Unknown column: a {kind} file has {', '.join(wanted)}")
        seen.add(name)
    for name in wanted:
        if name not in seen:
            problems.add(where, name, "Missing column: add it, even if its cells are empty")
    if problems:
        return
    for number, record in table.rows:
        if any(cell.strip() for cell in record[len(table.headers) :]):
            problems.add(number, "(no header)", "A value is in a column with no header")
        cells = {}
        for name, value in zip(table.headers, record, strict=False):
            if hidden_character(value, multiline=name in SEVERAL_LINES):
                problems.add(number, name, hidden_message(f"The {name}"))
                value = ""
            cells[name] = value.strip()
        yield number, {name: cells.get(name, "") for name in wanted}


class Places:
    """Every site by code, and whether each lies in the regions the user may change."""

    def __init__(self, session: Session, reach: Reach) -> None:
        every = session.scalars(select(Site).options(joinedload(Site.region))).all()
        self.by_code = {site.code.upper(): site for site in every}
        self.by_id = {site.id: site for site in every}
        self.within = [
            site for site in every if reach.national or site.region_id in reach.region_ids
        ]
        self.within_ids = {site.id for site in self.within}

    def site(self, code: str, row: int, column: str, problems: Problems) -> Site | None:
        """The site a code names, if the user may change its region; else a problem."""
        if not code:
            return None
        site = self.by_code.get(code.upper())
        if site is None:
            problems.add(row, column, f"There is no site with the code {code}")
            return None
        if site.id not in self.within_ids:
            problems.add(row, column, f"{site.name} is in a region you cannot change")
            return None
        return site


def put_date(data: MultiDict[str, str], field: str, text: str, row: int, column: str,
             problems: Problems) -> None:  # fmt: skip
    """A date cell into the form's day, month and year boxes, or a problem."""
    try:
        data.setlist(field, date_parts(text))
    except BadCell as error:
        problems.add(row, column, str(error))


def verdict(
    form: PlannerForm,
    formdata: MultiDict[str, str],
    row: int,
    columns: dict[str, str],
    problems: Problems,
) -> bool:
    """Whether the form takes the row, as if it were sent; its messages noted by column."""
    # One form checks every row, filled again each time: building one a row cost more than
    # the checks themselves (a field bound anew for each of 20,000 rows).
    form.process(formdata)
    if form.validate():
        return True
    for field, messages in form.errors.items():
        if field != "csrf_token" and messages:
            problems.add(row, columns.get(str(field), str(field)), str(messages[0]))
    return False


def duplicate(seen: dict[tuple[Any, ...], int], key: tuple[Any, ...], row: int) -> int | None:
    """The earlier row with the same key, if there is one (else this row is remembered)."""
    earlier = seen.get(key)
    if earlier is None:
        seen[key] = row
    return earlier


NO_CSRF = {"csrf": False}
