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
    SearchQueryLike,
    count_rows,
    field_kinds,
    search_page,
    to_condition,
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


def search_fields() -> dict[str, str]:
    return field_kinds(SEARCH_COLUMNS)


def search(
    session: Session,
    account_id: str,
    livemode: bool,
    query: SearchQueryLike,
    *,
    offset: int,
    limit: int,
) -> tuple[list[Product], bool]:
    """One page of a search, newest first; the bool says whether more pages follow."""
    stmt = _matching(account_id, livemode, query)
    return search_page(session, stmt, Product.sort_key, offset=offset, limit=limit)


def count_matching(
    session: Session, account_id: str, livemode: bool, query: SearchQueryLike
) -> int:
    return count_rows(session, _matching(account_id, livemode, query))


def _matching(account_id: str, livemode: bool, query: SearchQueryLike) -> Select[Product]:
    return _scoped(account_id, livemode).where(to_condition(query, SEARCH_COLUMNS))
