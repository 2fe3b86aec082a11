"""SQL for customers."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from seikyu.db import row_locks, scoped
from seikyu.db.models import Customer
from seikyu.db.pagination import Page, Window, paginate
from seikyu.db.search import (
    METADATA,
    NUMBER,
    STRING,
    SearchColumn,
    SearchTable,
)

# Stripe's searchable customer fields: text is matched case-insensitively, `~` by substring.
SEARCH_COLUMNS: dict[str, SearchColumn[Any]] = {
    "created": SearchColumn(NUMBER, Customer.created, as_datetime=True, nullable=False),
    "email": SearchColumn(STRING, Customer.email),
    "metadata": SearchColumn(METADATA, Customer.metadata_),
    "name": SearchColumn(STRING, Customer.name),
    "phone": SearchColumn(STRING, Customer.phone),
}


def add(session: Session, customer: Customer) -> None:
    session.add(customer)


def _scoped(account_id: str, livemode: bool) -> Select[Customer]:
    return select(Customer).where(Customer.account_id == account_id, Customer.livemode == livemode)


def get(session: Session, account_id: str, livemode: bool, customer_id: str) -> Customer | None:
    """A customer of this account, deleted ones included (Stripe shows them as stubs)."""
    return scoped.by_id(session, Customer, customer_id, account_id, livemode)


def prefix_taken(session: Session, account_id: str, livemode: bool, prefix: str) -> bool:
    stmt = (
        select(func.count())
        .select_from(Customer)
        .where(
            Customer.account_id == account_id,
            Customer.livemode == livemode,
            Customer.invoice_prefix == prefix,
        )
    )
    return bool(session.scalar(stmt))


def page(
    session: Session,
    account_id: str,
    livemode: bool,
    window: Window,
    *,
    email: str | None = None,
    test_clock: str | None = None,
) -> Page[Customer]:
    stmt = _scoped(account_id, livemode).where(Customer.deleted_at.is_(None))
    if email is not None:
        stmt = stmt.where(Customer.email == email)
    # Customers on a test clock appear only in a list for that clock, as on Stripe.
    stmt = stmt.where(
        Customer.test_clock == test_clock if test_clock else Customer.test_clock.is_(None)
    )
    return paginate(session, stmt, Customer.id, Customer.created, window)


def _searchable(account_id: str, livemode: bool) -> Select[Customer]:
    return _scoped(account_id, livemode).where(Customer.deleted_at.is_(None))


SEARCH = SearchTable(scope=_searchable, columns=SEARCH_COLUMNS, order=Customer.id)


def locked(session: Session, account_id: str, livemode: bool, customer_id: str) -> Customer | None:
    """The customer row, locked until the transaction ends: its balance and invoice sequence
    change one transaction at a time."""
    return row_locks.lock(
        session,
        lambda: _scoped(account_id, livemode).where(Customer.id == customer_id),
        Customer,
        customer_id,
    )
