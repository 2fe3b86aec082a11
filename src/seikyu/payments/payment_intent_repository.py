"""SQL for payment intents."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from seikyu.db.models.payment_intents import PaymentIntent
from seikyu.db.pagination import Page, Window, paginate


def add(session: Session, intent: PaymentIntent) -> None:
    session.add(intent)


def _scoped(account_id: str, livemode: bool) -> Select[PaymentIntent]:
    return select(PaymentIntent).where(
        PaymentIntent.account_id == account_id, PaymentIntent.livemode == livemode
    )


def get(
    session: Session, account_id: str, livemode: bool, intent_id: str, *, for_update: bool = False
) -> PaymentIntent | None:
    stmt = _scoped(account_id, livemode).where(PaymentIntent.id == intent_id)
    if for_update:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return session.scalar(stmt)


def page(
    session: Session, account_id: str, livemode: bool, window: Window, customer_id: str | None
) -> Page[PaymentIntent]:
    stmt = _scoped(account_id, livemode)
    if customer_id is not None:
        stmt = stmt.where(PaymentIntent.customer_id == customer_id)
    return paginate(session, stmt, PaymentIntent.id, PaymentIntent.created, window)
