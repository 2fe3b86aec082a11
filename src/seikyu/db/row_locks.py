"""Rows a transaction has already locked.

Asking again for a row this transaction holds locked (`SELECT ... FOR UPDATE`) cannot
change anything: no other transaction can have written it since, and this one's own
changes are in the session's object. So a second request for the lock answers with that
object and costs no statement, where reloading it (and its eagerly loaded collections)
would cost several. A savepoint rolled back may release locks taken inside it, so
`forget` must follow one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Select
from sqlalchemy.orm import Session

T = TypeVar("T")

_KEY = "seikyu.row_locks"


def held(session: Session, model: type[T], row_id: str) -> T | None:
    locks: set[tuple[type[Any], str]] | None = session.info.get(_KEY)
    if not locks or (model, row_id) not in locks:
        return None
    return session.get(model, row_id)


def lock(
    session: Session, statement: Callable[[], Select[T]], model: type[T], row_id: str
) -> T | None:
    """The row `statement()` selects (`row_id` of `model`, scoped by the caller), locked
    until the transaction ends: from the session when this transaction locked it already,
    else read again under `FOR UPDATE` with its eager collections. The statement is built
    only when it is run: building one costs more than the answer from the session."""
    locked = held(session, model, row_id)
    if locked is not None:
        return locked
    stmt = statement().with_for_update().execution_options(populate_existing=True)
    found = session.scalar(stmt)
    remember(session, found)
    return found


def remember(session: Session, row: Any) -> None:
    if row is not None:
        session.info.setdefault(_KEY, set()).add((type(row), row.id))


def forget(session: Session) -> None:
    session.info.pop(_KEY, None)
