"""Searching invoices with Stripe's query language."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, String, null, select, type_coerce

from seikyu.db.models.invoices import Invoice
from seikyu.db.search import (
    METADATA,
    NUMBER,
    STRING,
    TOKEN,
    SearchColumn,
    SearchQueryLike,
    SearchTable,
)
from seikyu.db.uow import UnitOfWork

# Stripe's searchable invoice fields. Seikyu issues no receipts (`receipt_number` is always
# null), so the field is accepted and only `receipt_number:null` matches anything.
COLUMNS: dict[str, SearchColumn[Any]] = {
    "created": SearchColumn(NUMBER, Invoice.created, as_datetime=True, nullable=False),
    "currency": SearchColumn(STRING, Invoice.currency, nullable=False),
    "customer": SearchColumn(TOKEN, Invoice.customer_id, nullable=False),
    "metadata": SearchColumn(METADATA, Invoice.metadata_),
    "number": SearchColumn(STRING, Invoice.number),
    "receipt_number": SearchColumn(STRING, type_coerce(null(), String())),
    "status": SearchColumn(TOKEN, Invoice.status, nullable=False),
    "subscription": SearchColumn(TOKEN, Invoice.subscription_id),
    "total": SearchColumn(NUMBER, Invoice.total, nullable=False),
}


def _scoped(account_id: str, livemode: bool) -> Select[Invoice]:
    return select(Invoice).where(
        Invoice.account_id == account_id,
        Invoice.livemode == livemode,
        Invoice.deleted.is_(False),
    )


SEARCH = SearchTable(scope=_scoped, columns=COLUMNS, order=Invoice.id)


def search_fields() -> dict[str, str]:
    """The searchable fields and their kinds, to validate a parsed query against."""
    return SEARCH.fields()


def search(
    uow: UnitOfWork, query: SearchQueryLike, *, offset: int, limit: int
) -> tuple[list[Invoice], bool]:
    """One page of invoices matching a validated query, newest first; the bool says whether
    more follow."""
    return SEARCH.page(uow.session, uow.account_id, uow.livemode, query, offset=offset, limit=limit)


def count(uow: UnitOfWork, query: SearchQueryLike) -> int:
    return SEARCH.count(uow.session, uow.account_id, uow.livemode, query)
