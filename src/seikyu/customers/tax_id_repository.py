"""SQL for tax IDs."""

from __future__ import annotations

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from seikyu.db.models import Account, Customer
from seikyu.db.models.tax_ids import TaxId
from seikyu.db.pagination import Page, Window, paginate


def add(session: Session, tax_id: TaxId) -> None:
    session.add(tax_id)


def _live(account_id: str, livemode: bool) -> Select[TaxId]:
    """Tax IDs not deleted, whose owner still exists: the account, or a live customer."""
    return (
        select(TaxId)
        .outerjoin(Customer, Customer.id == TaxId.customer_id)
        .where(
            TaxId.account_id == account_id,
            TaxId.livemode == livemode,
            TaxId.deleted_at.is_(None),
            or_(TaxId.customer_id.is_(None), Customer.deleted_at.is_(None)),
        )
    )


def get(session: Session, account_id: str, livemode: bool, tax_id: str) -> TaxId | None:
    return session.scalar(_live(account_id, livemode).where(TaxId.id == tax_id))


def page(
    session: Session,
    account_id: str,
    livemode: bool,
    window: Window,
    *,
    customer_id: str | None,
) -> Page[TaxId]:
    """A customer's tax IDs, or with `customer_id=None` the account's own."""
    stmt = _live(account_id, livemode)
    if customer_id is None:
        stmt = stmt.where(TaxId.owner_type == "self")
    else:
        stmt = stmt.where(TaxId.customer_id == customer_id)
    return paginate(session, stmt, TaxId.id, None, window)


def count(session: Session, account_id: str, livemode: bool, *, customer_id: str | None) -> int:
    stmt = (
        select(func.count())
        .select_from(TaxId)
        .where(
            TaxId.account_id == account_id,
            TaxId.livemode == livemode,
            TaxId.deleted_at.is_(None),
        )
    )
    if customer_id is None:
        stmt = stmt.where(TaxId.owner_type == "self")
    else:
        stmt = stmt.where(TaxId.customer_id == customer_id)
    return int(session.scalar(stmt) or 0)


def lock_owner(session: Session, account_id: str, livemode: bool, customer_id: str | None) -> None:
    """Serialise tax ID changes per owner, so that two requests cannot both pass the limit.

    PostgreSQL takes a row lock on the customer (or the account); SQLite already runs one
    writer at a time, and SQLAlchemy leaves FOR UPDATE out there.
    """
    if customer_id is None:
        session.execute(select(Account.id).where(Account.id == account_id).with_for_update())
    else:
        session.execute(
            select(Customer.id)
            .where(
                Customer.id == customer_id,
                Customer.account_id == account_id,
                Customer.livemode == livemode,
            )
            .with_for_update()
        )
