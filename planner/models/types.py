"""Column types shared by the models."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import Case, ColumnElement, DateTime, Enum, TypeDecorator, case
from sqlalchemy.engine import Dialect


def utcnow() -> datetime:
    """Now, in UTC (a callable, so each row gets its own time)."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as naive UTC and read back as aware UTC, on any database."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Store in UTC without a zone."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("timestamps must carry a time zone")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Read back as UTC."""
        return None if value is None else value.replace(tzinfo=UTC)


def enum_type(enum: type[StrEnum], name: str) -> Enum:
    """A string column holding an enumeration's values, checked by the database."""
    return Enum(
        enum,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(member.value) for member in enum) + 4,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


def ranked(column: ColumnElement[str], ranks: Mapping[StrEnum, int]) -> Case[int]:
    """A column's rank (from the domain's ranks) in SQL, to sort by rank rather than by spelling."""
    return case({member.value: rank for member, rank in ranks.items()}, value=column)
