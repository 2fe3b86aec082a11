"""The statements that find and claim time-driven work: subscriptions and invoices whose
`next_action_at` has come, across all accounts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from seikyu.billing import invoice_repository
from seikyu.db import row_locks
from seikyu.db.models.customers import Customer
from seikyu.db.models.invoices import Invoice
from seikyu.db.models.payment_intents import PaymentIntent
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


def claim_subscriptions(session: Session, ids: Sequence[str], now: datetime) -> set[str]:
    """Lock, at once, those of the subscriptions still due that no other transaction holds,
    with their items, prices and discounts, and their customers (a renewal's finalization
    takes the customer's invoice number); returns the ids of those claimed with their
    customer. `claim_subscription` and the customer lock then take them from the session.

    Every lock is taken here and none waits (SKIP LOCKED): a transaction running several
    subscriptions never holds some rows while waiting for others, so two workers cannot
    deadlock. A subscription whose customer another transaction holds is left for later."""
    found = _lock(session, Subscription, Subscription.id.in_(ids), now)
    customers = _lock_ids(session, Customer, {row.customer_id for row in found})
    return {row.id for row in found if row.customer_id in customers}


def claim_invoices(session: Session, ids: Sequence[str], now: datetime) -> set[str]:
    """As `claim_subscriptions`, for invoices: each with its customer, the subscription it
    bills, if any (a charge's outcome changes it), and an open invoice's PaymentIntent (a
    charge confirms it) with the invoice payment that ties them."""
    found = _lock(session, Invoice, Invoice.id.in_(ids), now)
    customers = _lock_ids(session, Customer, {row.customer_id for row in found})
    billed = _lock_ids(session, Subscription, {row.subscription_id for row in found} - {None})
    charged = {row.payment_intent_id for row in found if row.status == "open"} - {None}
    intents = _lock_ids(session, PaymentIntent, charged)
    invoice_repository.load_payments_for_intents(session, intents)
    return {
        row.id
        for row in found
        if row.customer_id in customers
        and (row.subscription_id is None or row.subscription_id in billed)
        and (row.payment_intent_id not in charged or row.payment_intent_id in intents)
    }


def _lock(
    session: Session, model: type[Invoice | Subscription], where: Any, now: datetime
) -> list[Any]:
    stmt = (
        select(model)
        .where(where, model.next_action_at <= now)
        .order_by(model.id)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )
    found = list(session.scalars(stmt))
    for row in found:
        row_locks.remember(session, row)
    return found


def _lock_ids(
    session: Session, model: type[Customer | Subscription | PaymentIntent], ids: set[Any]
) -> set[str]:
    if not ids:
        return set()
    stmt = (
        select(model)
        .where(model.id.in_(sorted(ids)))
        .order_by(model.id)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )
    found: list[Any] = list(session.scalars(stmt))
    for row in found:
        row_locks.remember(session, row)
    return {row.id for row in found}


def claim_subscription(
    session: Session, subscription_id: str, now: datetime
) -> Subscription | None:
    """Lock the subscription if it is still due and no other worker holds it (SKIP LOCKED
    on PostgreSQL; SQLite has one writer at a time). One this transaction claimed already
    comes from the session."""
    held = row_locks.held(session, Subscription, subscription_id)
    if held is not None:
        return held if _due(held.next_action_at, now) else None
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
    held = row_locks.held(session, Invoice, invoice_id)
    if held is not None:
        return held if _due(held.next_action_at, now) else None
    stmt = (
        select(Invoice)
        .where(Invoice.id == invoice_id, Invoice.next_action_at <= now)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )
    found = session.scalar(stmt)
    row_locks.remember(session, found)
    return found


def _due(at: datetime | None, now: datetime) -> bool:
    return at is not None and at <= now
