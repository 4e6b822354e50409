"""What importing a checked file would do, row by row: create, update (old to new), or nothing."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

from planner.domain.vocabulary import label
from planner.imports.checking import ValidRow
from planner.imports.columns import ImportKind, headers
from planner.imports.records import absence_values, case_values, need_values, staff_values
from planner.imports.values import items, shown


class Action(StrEnum):
    """What a row does to the records."""

    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class Change:
    """One column of a stored record that a row changes: from what to what, as a manager reads."""

    column: str
    before: str
    after: str


@dataclass(frozen=True)
class PlannedRow:
    """What one row of the file does."""

    row: int
    label: str
    action: Action
    changes: tuple[Change, ...] = ()


@dataclass(frozen=True)
class ImportPlan:
    """Every row's action, in the file's order."""

    kind: ImportKind
    rows: tuple[PlannedRow, ...]

    def total(self, action: Action) -> int:
        """How many rows do this."""
        return self.totals()[action]

    def totals(self) -> Counter[Action]:
        """How many rows create, update and leave alone."""
        counts: Counter[Action] = Counter({action: 0 for action in Action})
        counts.update(row.action for row in self.rows)
        return counts

    def in_words(self) -> str:
        """The totals as a sentence's end: 3 created, 2 updated, 10 unchanged."""
        counts = self.totals()
        return (
            f"{counts[Action.CREATE]:,} created, {counts[Action.UPDATE]:,} updated, "
            f"{counts[Action.UNCHANGED]:,} unchanged"
        )

    def as_json(self) -> dict[str, Any]:
        """The plan as JSON holds it, to be shown page by page."""
        return {"kind": self.kind.value, "rows": [asdict(row) for row in self.rows]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ImportPlan:
        """A plan stored with its upload."""
        rows = tuple(
            PlannedRow(
                row=row["row"],
                label=row["label"],
                action=Action(row["action"]),
                changes=tuple(Change(**change) for change in row["changes"]),
            )
            for row in data["rows"]
        )
        return cls(ImportKind(data["kind"]), rows)

    def fingerprint(self) -> str:
        """A digest of everything the plan says: two plans with the same one do the same."""
        text = json.dumps(self.as_json(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()


STORED_VALUES: dict[ImportKind, Callable[[Any], dict[str, Any]]] = {
    ImportKind.STAFF: staff_values,
    ImportKind.CASES: case_values,
    ImportKind.ABSENCES: absence_values,
    ImportKind.REDUCTIONS: absence_values,
    ImportKind.NEEDS: need_values,
}


def plan_of(kind: ImportKind, rows: Sequence[ValidRow]) -> ImportPlan:
    """What each checked row would do to the records it matches."""
    columns = headers(kind)
    planned = []
    for valid in rows:
        if valid.record is None:
            planned.append(PlannedRow(valid.row, valid.label, Action.CREATE))
            continue
        stored = STORED_VALUES[kind](valid.record)
        changes = tuple(
            Change(name, _shown(name, stored[name]), _shown(name, valid.values[name]))
            for name in columns
            if _differs(stored[name], valid.values[name])
        )
        action = Action.UPDATE if changes else Action.UNCHANGED
        planned.append(PlannedRow(valid.row, valid.label, action, changes))
    return ImportPlan(kind, tuple(planned))


def _shown(column: str, value: Any) -> str:
    """A value as the preview shows it: skills in words ("CT trained"), the rest by shown()."""
    if column == "skills" and value:
        return ", ".join(label(skill) for skill in items(value))
    return shown(value)


def _differs(stored: Any, imported: Any) -> bool:
    """Whether a value changes: empty text and none are the same."""
    return (stored if stored != "" else None) != (imported if imported != "" else None)
