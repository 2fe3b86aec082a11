"""SQL for prices."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from seikyu.db.models.prices import Price
from seikyu.db.pagination import Page, Window, paginate
from seikyu.db.search import (
    BOOLEAN,
    METADATA,
    NUMBER,
    STRING,
    TOKEN,
    SearchColumn,
    SearchTable,
)

# Stripe's searchable price fields, plus `created` as for customers.
SEARCH_COLUMNS: dict[str, SearchColumn[Any]] = {
    "active": SearchColumn(BOOLEAN, Price.active, nullable=False),
    "created": SearchColumn(NUMBER, Price.created, as_datetime=True, nullable=False),
    "currency": SearchColumn(STRING, Price.currency, nullable=False),
    "lookup_key": SearchColumn(STRING, Price.lookup_key),
    "metadata": SearchColumn(METADATA, Price.metadata_),
    "product": SearchColumn(TOKEN, Price.product_id, nullable=False),
    "type": SearchColumn(TOKEN, Price.type, nullable=False),
}


@dataclass(frozen=True)
class PriceFilter:
    """List filters; None means "any"."""

    active: bool | None = None
    currency: str | None = None
    product_id: str | None = None
    type: str | None = None
    interval: str | None = None
    usage_type: str | None = None
    meter: str | None = None
    lookup_keys: tuple[str, ...] | None = None


def add(session: Session, price: Price) -> None:
    session.add(price)


def _scoped(account_id: str, livemode: bool) -> Select[Price]:
    return select(Price).where(Price.account_id == account_id, Price.livemode == livemode)


def get(session: Session, account_id: str, livemode: bool, price_id: str) -> Price | None:
    return session.scalar(_scoped(account_id, livemode).where(Price.id == price_id))


def with_lookup_key(
    session: Session, account_id: str, livemode: bool, lookup_key: str
) -> Price | None:
    return session.scalar(_scoped(account_id, livemode).where(Price.lookup_key == lookup_key))


def page(
    session: Session, account_id: str, livemode: bool, window: Window, where: PriceFilter
) -> Page[Price]:
    stmt = _scoped(account_id, livemode)
    for column, value in (
        (Price.active, where.active),
        (Price.currency, where.currency),
        (Price.product_id, where.product_id),
        (Price.type, where.type),
        (Price.recurring_interval, where.interval),
        (Price.recurring_usage_type, where.usage_type),
        (Price.recurring_meter, where.meter),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    if where.lookup_keys is not None:
        stmt = stmt.where(Price.lookup_key.in_(where.lookup_keys))
    return paginate(session, stmt, Price.id, Price.created, window)


SEARCH = SearchTable(scope=_scoped, columns=SEARCH_COLUMNS, order=Price.id)
