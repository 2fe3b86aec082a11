"""Searching charges with Stripe's query language."""

from __future__ import annotations

from seikyu.db.models.charges import Charge
from seikyu.db.search import SearchQueryLike
from seikyu.db.uow import UnitOfWork
from seikyu.payments import search_repository as repository


def search_fields() -> dict[str, str]:
    """The searchable fields and their kinds, to validate a parsed query against."""
    return repository.CHARGES.fields()


def search(
    uow: UnitOfWork, query: SearchQueryLike, *, offset: int, limit: int
) -> tuple[list[Charge], bool]:
    """One page of charges matching a validated query, newest first; the bool says whether
    more follow."""
    return repository.CHARGES.page(
        uow.session, uow.account_id, uow.livemode, query, offset=offset, limit=limit
    )


def count(uow: UnitOfWork, query: SearchQueryLike) -> int:
    return repository.CHARGES.count(uow.session, uow.account_id, uow.livemode, query)
