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

from seikyu.db import pending


class _Owned(Protocol):
    account_id: Any
    livemode: Any


T = TypeVar("T", bound=_Owned)


def by_id(
    session: Session, model: type[T], row_id: str, account_id: str, livemode: bool
) -> T | None:
    # The checks stay inside: an expired row loads its attributes when they are first read.
    with pending.autoflush_if_needed(session):
        found = session.get(model, row_id)
        if found is None or found.account_id != account_id or found.livemode != livemode:
            return None
        return found


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
