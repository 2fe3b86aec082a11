"""One account's row by primary key, through the session's identity map.

A `SELECT ... WHERE id = :id AND account_id = ...` always goes to the database, even for a
row the session holds already, whose loaded attributes it would not overwrite anyway. The
identity map answers for such rows without a statement; the tenancy check is then made on
the object.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol, TypeVar

from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key


class _Owned(Protocol):
    account_id: Any
    livemode: Any


T = TypeVar("T", bound=_Owned)


def by_id(
    session: Session, model: type[T], row_id: str, account_id: str, livemode: bool
) -> T | None:
    # Without flushing first: the answer is the same, and the session's pending changes go
    # out together at the next flush instead of an UPDATE for every read in between. The
    # flush would only matter for rows pending insertion or deletion, looked at here. The
    # checks stay inside: an expired row loads its attributes when they are first read.
    with session.no_autoflush:
        found = session.get(model, row_id)
        if found is None:
            found = _pending(session, model, row_id)
        elif found in session.deleted:
            return None
        if found is None or found.account_id != account_id or found.livemode != livemode:
            return None
        return found


def _pending(session: Session, model: type[T], row_id: str) -> T | None:
    for row in session.new:
        if type(row) is model and identity_key(instance=row)[1] == (row_id,):
            return row
    return None


def held(
    session: Session, model: type[T], row_ids: Iterable[str], account_id: str, livemode: bool
) -> dict[str, T]:
    """Those of the rows the session holds already, by id, without a statement: the caller
    reads the others in one query of its own. `model`'s primary key must be the id alone."""
    found: dict[str, T] = {}
    for row_id in row_ids:
        row = session.identity_map.get(identity_key(model, row_id))
        if row is not None and row.account_id == account_id and row.livemode == livemode:
            found[row_id] = row
    return found
