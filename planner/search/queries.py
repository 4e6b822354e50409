"""What a search finds: cases by reference or name, people by staff ID or name, best first."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, String, and_, case, func, or_, select
from sqlalchemy.orm import Session, joinedload

from planner.domain.reach import Reach
from planner.models import Case, Site, StaffMember
from planner.models.reach import case_openable, staff_within
from planner.web.listing import RowPagination

# A name part may start a word after a space, a hyphen or an apostrophe ("Al-Hassan", "O'Neill").
WORD_STARTS = (" ", "-", "'")
# More words than a name has are no better a search, and each one costs the query a condition.
MOST_WORDS = 6


@dataclass(frozen=True)
class Terms:
    """What was typed, lower case: whole (for a reference) and word by word (for a name)."""

    whole: str
    words: tuple[str, ...]

    @classmethod
    def of(cls, typed: str) -> Terms:
        """The terms of a search as typed (already tidied and checked by its form)."""
        words = tuple(typed.lower().split())[:MOST_WORDS]
        return cls(whole=" ".join(words), words=words)


@dataclass(frozen=True)
class Found:
    """The best cases and people for a search, and how many of each there are in all."""

    cases: list[Case]
    people: list[StaffMember]
    case_total: int
    people_total: int

    @property
    def total(self) -> int:
        """How many cases and people match."""
        return self.case_total + self.people_total


def _rank(reference: Any, name: Any, terms: Terms) -> tuple[ColumnElement[bool], Any]:
    """Whether a row matches, and its rank: the exact reference first, then a reference it
    starts, the exact name, a name it starts, and last a name with each word starting a part."""
    code, called = func.lower(reference, type_=String), func.lower(name, type_=String)
    by_code = code.startswith(terms.whole, autoescape=True)
    by_name = and_(*(_starts_a_part(called, word) for word in terms.words))
    rank = case(
        (code == terms.whole, 0),
        (by_code, 1),
        (called == terms.whole, 2),
        (called.startswith(terms.whole, autoescape=True), 3),
        else_=4,
    )
    return or_(by_code, by_name), rank


def _starts_a_part(name: Any, word: str) -> ColumnElement[bool]:
    """Whether a word starts the name or one of its parts; % and _ are letters, not wildcards."""
    return or_(
        name.startswith(word, autoescape=True),
        *(name.contains(start + word, autoescape=True) for start in WORD_STARTS),
    )


def matching_cases(terms: Terms, reach: Reach) -> Select[Any]:
    """The cases the user may open that match, best first (restricted ones only if named)."""
    matched, rank = _rank(Case.reference, Case.name, terms)
    return (
        select(Case)
        .where(matched, case_openable(reach))
        .options(joinedload(Case.site).joinedload(Site.region))
        .order_by(rank, Case.active.desc(), Case.name, Case.reference, Case.id)
    )


def matching_people(terms: Terms, reach: Reach) -> Select[Any]:
    """The practitioners of the user's regions that match, best first."""
    matched, rank = _rank(StaffMember.staff_ref, StaffMember.name, terms)
    return (
        select(StaffMember)
        .where(matched, staff_within(reach))
        .options(joinedload(StaffMember.site).joinedload(Site.region))
        .order_by(
            rank, StaffMember.active.desc(), StaffMember.name, StaffMember.staff_ref, StaffMember.id
        )
    )


def _count(session: Session, query: Select[Any]) -> int:
    """How many rows a query finds."""
    counted = select(func.count()).select_from(query.order_by(None).subquery())
    return session.execute(counted).scalar_one()


def best(session: Session, terms: Terms, reach: Reach, limit: int) -> Found:
    """The best few of each kind, and how many there are in all."""
    cases, people = matching_cases(terms, reach), matching_people(terms, reach)
    return Found(
        cases=list(session.scalars(cases.limit(limit))),
        people=list(session.scalars(people.limit(limit))),
        case_total=_count(session, cases),
        people_total=_count(session, people),
    )


def page_of(session: Session, query: Select[Any], page: int, per_page: int) -> RowPagination:
    """One page of a kind's matches (a page past the end is empty)."""
    return RowPagination(
        page=page, per_page=per_page, error_out=False, select=query, session=session
    )
