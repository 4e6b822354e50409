"""What is wrong with a file, row by row and column by column."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file: where (a row and a column, or the header) and what."""

    row: int
    column: str
    message: str

    def line(self) -> str:
        """The problem in one line, as the command prints it."""
        return f"row {self.row}, column {self.column}: {self.message}"


@dataclass
class Problems:
    """The problems found so far: one for each row and column, the first found."""

    found: dict[tuple[int, str], Problem] = field(default_factory=dict)
    rows: set[int] = field(default_factory=set)

    def add(self, row: int, column: str, message: str) -> None:
        """Note a problem, unless that cell already has one (a form and a check may agree)."""
        self.found.setdefault((row, column), Problem(row, column, message))
        self.rows.add(row)

    def of_row(self, row: int) -> bool:
        """Whether a row has any problem."""
        return row in self.rows

    def listed(self) -> list[Problem]:
        """Every problem, in row order and then in the order found."""
        return sorted(self.found.values(), key=lambda problem: problem.row)

    def __bool__(self) -> bool:
        return bool(self.found)
