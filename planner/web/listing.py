"""Sorting and paging of list pages, read safely from the query string."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import abort
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Row, Select, func, select
from sqlalchemy.orm import Session, joinedload
from werkzeug.datastructures import MultiDict

from planner.domain.reach import Reach
from planner.models import Region, Site
from planner.models.reach import site_within
from planner.web.addresses import LARGEST_ID, database_id

PER_PAGE = 50
# Beyond this the rows skipped to reach a page would overflow the database's integers.
LAST_PAGE = LARGEST_ID // PER_PAGE
DIRECTIONS = ("asc", "desc")


def sort_by(
    query: Select[Any], args: MultiDict[str, str], columns: Mapping[str, Any], default: str
) -> tuple[Select[Any], str, str]:
    """Order a query by the column the page asked for; no such column (or direction) is no page."""
    key = args.get("sort") or default
    direction = args.get("direction") or "asc"
    if key not in columns or direction not in DIRECTIONS:
        abort(404)
    column = columns[key]
    return query.order_by(column.desc() if direction == "desc" else column.asc()), key, direction


def chosen_filters(form: Any) -> dict[str, str]:
    """The filters asked for whose values are among their choices (a filter never errors)."""
    chosen = {}
    for name, field in form._fields.items():
        allowed = {choice.value for choice in field.choices or ()}
        if field.data and field.data in allowed:
            chosen[name] = field.data
    return chosen


def page_number(args: MultiDict[str, str]) -> int:
    """The page asked for, 1 when none is; a page that cannot be (-1, 1e9, abc) is not found."""
    text = args.get("page")
    if not text:
        return 1
    number = database_id(text)
    if number is None or not 1 <= number <= LAST_PAGE:
        abort(404)
    return number


def page_status(page: Pagination) -> int:
    """200 for a page of the list, 404 for one past its end (its page offers the first)."""
    return 404 if page.page > max(page.pages, 1) else 200


class RowPagination(Pagination):
    """A page of rows of several columns (Flask-SQLAlchemy's own pages hold one entity each)."""

    def _query_items(self) -> list[Row[Any]]:
        """The rows of this page."""
        query: Select[Any] = self._query_args["select"]
        session: Session = self._query_args["session"]
        return list(session.execute(query.limit(self.per_page).offset(self._query_offset)))

    def _query_count(self) -> int:
        """How many rows there are on all pages."""
        query: Select[Any] = self._query_args["select"]
        session: Session = self._query_args["session"]
        counted = select(func.count()).select_from(query.order_by(None).subquery())
        return session.execute(counted).scalar_one()


class ListPagination(Pagination):
    """A page of a list already in memory, for a list sorted or filtered by Workload %."""

    def _query_items(self) -> list[Any]:
        """The items on this page."""
        items: list[Any] = self._query_args["items"]
        return items[self._query_offset : self._query_offset + self.per_page]

    def _query_count(self) -> int:
        """How many items there are on every page."""
        return len(self._query_args["items"])


def paginate_rows(session: Session, query: Select[Any], page: int) -> RowPagination:
    """One page of a query's rows; a page past the end is simply empty."""
    return RowPagination(
        page=page, per_page=PER_PAGE, error_out=False, select=query, session=session
    )


def regions(session: Session, reach: Reach) -> list[Region]:
    """The regions the user may see, by name, for a filter."""
    query = select(Region).order_by(Region.name)
    if not reach.national:
        query = query.where(Region.id.in_(sorted(reach.region_ids)))
    return list(session.scalars(query))


def sites(session: Session, reach: Reach) -> list[Site]:
    """The sites of the user's regions with their region, by code, for a filter or a choice."""
    query = select(Site).where(site_within(Site.id, reach))
    return list(session.scalars(query.options(joinedload(Site.region)).order_by(Site.code)))
