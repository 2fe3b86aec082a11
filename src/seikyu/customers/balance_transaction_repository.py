"""SQL for customer balance transactions, and the lock on the customer whose balance moves."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from seikyu.db.models.customer_balance_transactions import CustomerBalanceTransaction
from seikyu.db.pagination import Page, Window, paginate


def add(session: Session, transaction: CustomerBalanceTransaction) -> None:
    session.add(transaction)


def _scoped(account_id: str, livemode: bool) -> Select[CustomerBalanceTransaction]:
    return select(CustomerBalanceTransaction).where(
        CustomerBalanceTransaction.account_id == account_id,
        CustomerBalanceTransaction.livemode == livemode,
    )


def get(
    session: Session, account_id: str, livemode: bool, transaction_id: str
) -> CustomerBalanceTransaction | None:
    return session.scalar(
        _scoped(account_id, livemode).where(CustomerBalanceTransaction.id == transaction_id)
    )


def get_for_customer(
    session: Session,
    account_id: str,
    livemode: bool,
    customer_id: str,
    transaction_id: str,
    *,
    for_update: bool = False,
) -> CustomerBalanceTransaction | None:
    """The transaction, only if it belongs to that customer."""
    stmt = _scoped(account_id, livemode).where(
        CustomerBalanceTransaction.id == transaction_id,
        CustomerBalanceTransaction.customer_id == customer_id,
    )
    if for_update:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return session.scalar(stmt)


def page(
    session: Session,
    account_id: str,
    livemode: bool,
    window: Window,
    *,
    customer_id: str,
    invoice_id: str | None = None,
) -> Page[CustomerBalanceTransaction]:
    """A customer's transactions newest first, optionally only those of one invoice."""
    stmt = _scoped(account_id, livemode).where(
        CustomerBalanceTransaction.customer_id == customer_id
    )
    if invoice_id is not None:
        stmt = stmt.where(CustomerBalanceTransaction.invoice_id == invoice_id)
    return paginate(
        session, stmt, CustomerBalanceTransaction.id, CustomerBalanceTransaction.created, window
    )
