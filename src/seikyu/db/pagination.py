"""Cursor pagination as a range on time-sortable ids: newest first, stable under inserts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import Select
from sqlalchemy.orm import InstrumentedAttribute, Session

T = TypeVar("T")


@dataclass(frozen=True)
class Window:
    limit: int = 10
    starting_after: str | None = None
    ending_before: str | None = None
    created_gt: datetime | None = None
    created_gte: datetime | None = None
    created_lt: datetime | None = None
    created_lte: datetime | None = None


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    has_more: bool


def paginate(
    session: Session,
    stmt: Select[Any],
    id_column: InstrumentedAttribute[str],
    created_column: InstrumentedAttribute[datetime] | None,
    window: Window,
) -> Page[Any]:
    """Run `stmt` (already filtered by account) for one page of the window."""
    if created_column is not None:
        for bound, op in (
            (window.created_gt, created_column.__gt__),
            (window.created_gte, created_column.__ge__),
            (window.created_lt, created_column.__lt__),
            (window.created_lte, created_column.__le__),
        ):
            if bound is not None:
                stmt = stmt.where(op(bound))
    if window.ending_before is not None:
        stmt = stmt.where(id_column > window.ending_before).order_by(id_column.asc())
        rows = list(session.scalars(stmt.limit(window.limit + 1)))
        has_more = len(rows) > window.limit
        return Page(list(reversed(rows[: window.limit])), has_more)
    if window.starting_after is not None:
        stmt = stmt.where(id_column < window.starting_after)
    rows = list(session.scalars(stmt.order_by(id_column.desc()).limit(window.limit + 1)))
    return Page(rows[: window.limit], len(rows) > window.limit)
