"""SQL for payment intents."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from seikyu.db import row_locks
from seikyu.db.models.payment_intents import PaymentIntent
from seikyu.db.pagination import Page, Window, paginate


def add(session: Session, intent: PaymentIntent) -> None:
    session.add(intent)
    # No other transaction sees the row before this one commits: it is as good as locked,
    # and confirming it right away (an invoice's first charge) needs no `FOR UPDATE` read.
    row_locks.remember(session, intent)


def _scoped(account_id: str, livemode: bool) -> Select[PaymentIntent]:
    return select(PaymentIntent).where(
        PaymentIntent.account_id == account_id, PaymentIntent.livemode == livemode
    )


def get(
    session: Session, account_id: str, livemode: bool, intent_id: str, *, for_update: bool = False
) -> PaymentIntent | None:
    def stmt() -> Select[PaymentIntent]:
        return _scoped(account_id, livemode).where(PaymentIntent.id == intent_id)

    if for_update:
        return row_locks.lock(session, stmt, PaymentIntent, intent_id)
    return session.scalar(stmt())


def page(
    session: Session, account_id: str, livemode: bool, window: Window, customer_id: str | None
) -> Page[PaymentIntent]:
    stmt = _scoped(account_id, livemode)
    if customer_id is not None:
        stmt = stmt.where(PaymentIntent.customer_id == customer_id)
    return paginate(session, stmt, PaymentIntent.id, PaymentIntent.created, window)
