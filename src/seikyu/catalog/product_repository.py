"""SQL for products."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from seikyu.db.models.prices import Price
from seikyu.db.models.products import Product
from seikyu.db.pagination import Page, Window, paginate
from seikyu.db.search import (
    BOOLEAN,
    METADATA,
    NUMBER,
    STRING,
    SearchColumn,
    SearchTable,
)

# Stripe's searchable product fields, plus `created` as for customers.
SEARCH_COLUMNS: dict[str, SearchColumn[Any]] = {
    "active": SearchColumn(BOOLEAN, Product.active, nullable=False),
    "created": SearchColumn(NUMBER, Product.created, as_datetime=True, nullable=False),
    "description": SearchColumn(STRING, Product.description),
    "metadata": SearchColumn(METADATA, Product.metadata_),
    "name": SearchColumn(STRING, Product.name, nullable=False),
    "shippable": SearchColumn(BOOLEAN, Product.shippable),
    "url": SearchColumn(STRING, Product.url),
}


def add(session: Session, product: Product) -> None:
    session.add(product)


def remove(session: Session, product: Product) -> None:
    session.delete(product)


def _scoped(account_id: str, livemode: bool) -> Select[Product]:
    return select(Product).where(Product.account_id == account_id, Product.livemode == livemode)


def get(session: Session, account_id: str, livemode: bool, product_id: str) -> Product | None:
    return session.get(Product, (account_id, livemode, product_id))


def has_prices(session: Session, account_id: str, livemode: bool, product_id: str) -> bool:
    stmt = (
        select(Price.id)
        .where(
            Price.account_id == account_id,
            Price.livemode == livemode,
            Price.product_id == product_id,
        )
        .limit(1)
    )
    return session.scalar(stmt) is not None


def page(
    session: Session,
    account_id: str,
    livemode: bool,
    window: Window,
    *,
    active: bool | None = None,
    ids: list[str] | None = None,
    shippable: bool | None = None,
    product_type: str | None = None,
    url: str | None = None,
) -> Page[Product]:
    """`window`'s cursors are sort keys (see `sort_key_of`), not product ids."""
    stmt = _scoped(account_id, livemode)
    if active is not None:
        stmt = stmt.where(Product.active == active)
    if ids is not None:
        stmt = stmt.where(Product.id.in_(ids))
    if shippable is not None:
        stmt = stmt.where(Product.shippable == shippable)
    if product_type is not None:
        stmt = stmt.where(Product.type == product_type)
    if url is not None:
        stmt = stmt.where(Product.url == url)
    return paginate(session, stmt, Product.sort_key, Product.created, window)


def sort_key_of(session: Session, account_id: str, livemode: bool, product_id: str) -> str | None:
    product = get(session, account_id, livemode, product_id)
    return None if product is None else product.sort_key


SEARCH = SearchTable(scope=_scoped, columns=SEARCH_COLUMNS, order=Product.sort_key)
