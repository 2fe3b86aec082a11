"""SQL for customers."""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

from seikyu.db.models import Customer
from seikyu.db.pagination import Page, Window, paginate


def add(session: Session, customer: Customer) -> None:
    session.add(customer)


def _scoped(account_id: str, livemode: bool) -> Select[Customer]:
    return select(Customer).where(Customer.account_id == account_id, Customer.livemode == livemode)


def get(session: Session, account_id: str, livemode: bool, customer_id: str) -> Customer | None:
    """A customer of this account, deleted ones included (Stripe shows them as stubs)."""
    return session.scalar(_scoped(account_id, livemode).where(Customer.id == customer_id))


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
    if test_clock is not None:
        stmt = stmt.where(Customer.test_clock == test_clock)
    return paginate(session, stmt, Customer.id, Customer.created, window)


def search(
    session: Session,
    account_id: str,
    livemode: bool,
    condition: ColumnElement[bool],
    *,
    offset: int,
    limit: int,
) -> tuple[list[Customer], bool]:
    """One page of a search, newest first; the bool says whether more pages follow."""
    stmt = (
        _scoped(account_id, livemode)
        .where(Customer.deleted_at.is_(None), condition)
        .order_by(Customer.id.desc())
        .offset(offset)
        .limit(limit + 1)
    )
    rows = list(session.scalars(stmt))
    return rows[:limit], len(rows) > limit


def count_matching(
    session: Session, account_id: str, livemode: bool, condition: ColumnElement[bool]
) -> int:
    stmt = (
        select(func.count())
        .select_from(Customer)
        .where(
            Customer.account_id == account_id,
            Customer.livemode == livemode,
            Customer.deleted_at.is_(None),
            condition,
        )
    )
    return int(session.scalar(stmt) or 0)
