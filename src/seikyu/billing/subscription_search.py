"""Searching subscriptions with Stripe's query language."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select

from seikyu.db.models.subscriptions import Subscription
from seikyu.db.search import METADATA, NUMBER, TOKEN, SearchColumn, SearchQueryLike, SearchTable
from seikyu.db.uow import UnitOfWork

# Stripe's searchable subscription fields.
COLUMNS: dict[str, SearchColumn[Any]] = {
    "created": SearchColumn(NUMBER, Subscription.created, as_datetime=True, nullable=False),
    "metadata": SearchColumn(METADATA, Subscription.metadata_),
    "status": SearchColumn(TOKEN, Subscription.status, nullable=False),
}


def _scoped(account_id: str, livemode: bool) -> Select[Subscription]:
    # Unlike the list, search sees every status: `status:"canceled"` must find canceled ones.
    return select(Subscription).where(
        Subscription.account_id == account_id, Subscription.livemode == livemode
    )


SEARCH = SearchTable(scope=_scoped, columns=COLUMNS, order=Subscription.id)


def search_fields() -> dict[str, str]:
    """The searchable fields and their kinds, to validate a parsed query against."""
    return SEARCH.fields()


def search(
    uow: UnitOfWork, query: SearchQueryLike, *, offset: int, limit: int
) -> tuple[list[Subscription], bool]:
    """One page of subscriptions matching a validated query, newest first; the bool says
    whether more follow."""
    return SEARCH.page(uow.session, uow.account_id, uow.livemode, query, offset=offset, limit=limit)


def count(uow: UnitOfWork, query: SearchQueryLike) -> int:
    return SEARCH.count(uow.session, uow.account_id, uow.livemode, query)
