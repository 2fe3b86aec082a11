"""Searching payment intents with Stripe's query language."""

from __future__ import annotations

from seikyu.db.models.payment_intents import PaymentIntent
from seikyu.db.search import SearchQueryLike
from seikyu.db.uow import UnitOfWork
from seikyu.payments import search_repository as repository


def search_fields() -> dict[str, str]:
    """The searchable fields and their kinds, to validate a parsed query against."""
    return repository.PAYMENT_INTENTS.fields()


def search(
    uow: UnitOfWork, query: SearchQueryLike, *, offset: int, limit: int
) -> tuple[list[PaymentIntent], bool]:
    """One page of payment intents matching a validated query, newest first; the bool
    says whether more follow."""
    return repository.PAYMENT_INTENTS.page(
        uow.session, uow.account_id, uow.livemode, query, offset=offset, limit=limit
    )


def count(uow: UnitOfWork, query: SearchQueryLike) -> int:
    return repository.PAYMENT_INTENTS.count(uow.session, uow.account_id, uow.livemode, query)
