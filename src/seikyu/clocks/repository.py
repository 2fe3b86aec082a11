"""SQL for test clocks, and for finding what belongs to one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session

from seikyu.db.models.customers import Customer
from seikyu.db.models.invoice_items import InvoiceItem
from seikyu.db.models.invoices import Invoice
from seikyu.db.models.payment_intents import PaymentIntent
from seikyu.db.models.subscription_items import SubscriptionItem
from seikyu.db.models.subscriptions import Subscription
from seikyu.db.models.test_clocks import TestClock
from seikyu.db.pagination import Page, Window, paginate


def add(session: Session, clock: TestClock) -> None:
    session.add(clock)


def _scoped(account_id: str, livemode: bool) -> Select[TestClock]:
    return select(TestClock).where(
        TestClock.account_id == account_id,
        TestClock.livemode == livemode,
        TestClock.deleted_at.is_(None),
    )


def get(
    session: Session, account_id: str, livemode: bool, clock_id: str, *, for_update: bool = False
) -> TestClock | None:
    stmt = _scoped(account_id, livemode).where(TestClock.id == clock_id)
    if for_update:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return session.scalar(stmt)


def page(session: Session, account_id: str, livemode: bool, window: Window) -> Page[TestClock]:
    return paginate(session, _scoped(account_id, livemode), TestClock.id, TestClock.created, window)


def advancing(session: Session, account_id: str | None, limit: int) -> list[TestClock]:
    stmt = (
        select(TestClock)
        .where(TestClock.status == "advancing", TestClock.deleted_at.is_(None))
        .order_by(TestClock.id)
        .limit(limit)
    )
    if account_id is not None:
        stmt = stmt.where(TestClock.account_id == account_id)
    return list(session.scalars(stmt))


def expired(session: Session, now: datetime, limit: int) -> list[tuple[str, str]]:
    """(id, account id) of clocks whose `deletes_after` has passed."""
    stmt = (
        select(TestClock.id, TestClock.account_id)
        .where(TestClock.deleted_at.is_(None), TestClock.deletes_after <= now)
        .order_by(TestClock.deletes_after)
        .limit(limit)
    )
    return [(row.id, row.account_id) for row in session.execute(stmt)]


def customers_of(session: Session, clock_id: str) -> list[Customer]:
    stmt = select(Customer).where(Customer.test_clock == clock_id, Customer.deleted_at.is_(None))
    return list(session.scalars(stmt.order_by(Customer.id)))


def count_customers(session: Session, clock_id: str) -> int:
    stmt = select(func.count()).where(
        Customer.test_clock == clock_id, Customer.deleted_at.is_(None)
    )
    return int(session.scalar(stmt) or 0)


def move_onto_clock(session: Session, clock_id: str, customer_id: str) -> None:
    for model in (Subscription, Invoice):
        session.execute(
            update(model).where(model.customer_id == customer_id).values(test_clock=clock_id)
        )


def live_subscriptions(session: Session, clock_id: str) -> list[Subscription]:
    stmt = select(Subscription).where(
        Subscription.test_clock == clock_id,
        Subscription.status.not_in(("canceled", "incomplete_expired")),
    )
    return list(session.scalars(stmt))


def earliest_due(session: Session, clock_id: str) -> datetime | None:
    """When the clock's next time-driven work falls due, if any is waiting."""
    times = [
        session.scalar(select(func.min(model.next_action_at)).where(model.test_clock == clock_id))
        for model in (Subscription, Invoice)
    ]
    found = [at for at in times if at is not None]
    return min(found) if found else None


def clock_of(session: Session, account_id: str, livemode: bool, object_id: str) -> str | None:
    """The test clock of the customer an object belongs to (by its id's prefix), if any."""
    path = _PATHS.get(object_id.split("_", 1)[0])
    if path is None:
        return None
    model, joins = path
    stmt = select(Customer.test_clock)
    for target, on in joins:
        stmt = stmt.join(target, on)
    stmt = stmt.where(
        model.id == object_id, Customer.account_id == account_id, Customer.livemode == livemode
    )
    return session.scalar(stmt)


# Objects whose requests run at their customer's clock time, by id prefix: the model, and
# the joins that lead from the customer to it.
_PATHS: dict[str, tuple[type[Any], list[tuple[type[Any], Any]]]] = {
    "cus": (Customer, []),
    "sub": (Subscription, [(Subscription, Subscription.customer_id == Customer.id)]),
    "si": (
        SubscriptionItem,
        [
            (Subscription, Subscription.customer_id == Customer.id),
            (SubscriptionItem, SubscriptionItem.subscription_id == Subscription.id),
        ],
    ),
    "in": (Invoice, [(Invoice, Invoice.customer_id == Customer.id)]),
    "ii": (InvoiceItem, [(InvoiceItem, InvoiceItem.customer_id == Customer.id)]),
    "pi": (PaymentIntent, [(PaymentIntent, PaymentIntent.customer_id == Customer.id)]),
}
