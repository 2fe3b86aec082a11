"""The statements that find and claim time-driven work: subscriptions and invoices whose
`next_action_at` has come, across all accounts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from seikyu.db import row_locks
from seikyu.db.models.invoices import Invoice
from seikyu.db.models.subscriptions import Subscription


@dataclass(frozen=True, slots=True)
class Due:
    kind: str  # "subscription" or "invoice"
    id: str
    account_id: str
    livemode: bool


def due(
    session: Session,
    now: datetime,
    limit: int,
    account_id: str | None = None,
    test_clock: str | None = None,
) -> list[Due]:
    """Up to `limit` subscriptions and as many invoices due at `now`, soonest first (of one
    account when given). Read without locks: each is claimed on its own by `claim_*`.

    Real time and each test clock have their own work: without `test_clock`, only objects
    on no clock; with it, only that clock's."""
    found = []
    for model, kind in ((Subscription, "subscription"), (Invoice, "invoice")):
        stmt = (
            select(model.id, model.account_id, model.livemode)
            .where(
                model.next_action_at.is_not(None),
                model.next_action_at <= now,
                model.test_clock.is_(None)
                if test_clock is None
                else model.test_clock == test_clock,
            )
            .order_by(model.next_action_at)
            .limit(limit)
        )
        if account_id is not None:
            stmt = stmt.where(model.account_id == account_id)
        found += [Due(kind, row.id, row.account_id, row.livemode) for row in session.execute(stmt)]
    return found


def claim_subscription(
    session: Session, subscription_id: str, now: datetime
) -> Subscription | None:
    """Lock the subscription if it is still due and no other worker holds it (SKIP LOCKED
    on PostgreSQL; SQLite has one writer at a time)."""
    stmt = (
        select(Subscription)
        .where(Subscription.id == subscription_id, Subscription.next_action_at <= now)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )
    found = session.scalar(stmt)
    row_locks.remember(session, found)
    return found


def claim_invoice(session: Session, invoice_id: str, now: datetime) -> Invoice | None:
    stmt = (
        select(Invoice)
        .where(Invoice.id == invoice_id, Invoice.next_action_at <= now)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )
    found = session.scalar(stmt)
    row_locks.remember(session, found)
    return found
