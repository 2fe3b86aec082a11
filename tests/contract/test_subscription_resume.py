"""Resuming a paused subscription through the SDK. A subscription pauses only when its
trial ends without a payment method (a time-driven change), so the test pauses one in the
database the way that change leaves it."""

from __future__ import annotations

import stripe
from sqlalchemy import update

from seikyu.db.models.subscriptions import Subscription
from seikyu.db.uow import Database
from tests.contract.test_subscription_update import PERIOD, price, subscribe
from tests.support.billing import customer_with_card, event_types


def paused(db: Database, subscription_id: str) -> None:
    with db.unit() as uow:
        uow.session.execute(
            update(Subscription).where(Subscription.id == subscription_id).values(status="paused")
        )


def test_resume_now_starts_and_bills_a_new_period(
    client: stripe.StripeClient, db: Database
) -> None:
    customer = customer_with_card(client, email="a@example.com")
    subscription = subscribe(client, customer.id, {"price": price(client, 2000).id})
    paused(db, subscription.id)
    resumed = client.v1.subscriptions.resume(subscription.id, params={"expand": ["latest_invoice"]})
    assert resumed.status == "active"
    item = resumed["items"].data[0]
    assert item.current_period_end - item.current_period_start == PERIOD
    assert resumed.billing_cycle_anchor == item.current_period_start
    invoice = resumed.latest_invoice
    assert (invoice.total, invoice.status, invoice.billing_reason) == (
        2000,
        "paid",
        "subscription_update",
    )
    types = event_types(client)
    assert {"customer.subscription.resumed", "customer.subscription.updated"} <= set(types)


def test_resume_unchanged_bills_the_rest_of_the_period(
    client: stripe.StripeClient, db: Database
) -> None:
    customer = customer_with_card(client, email="a@example.com")
    subscription = subscribe(client, customer.id, {"price": price(client, 3100).id})
    paused(db, subscription.id)
    at = subscription.start_date + PERIOD - 10 * 86400  # 10 of 31 days left
    resumed = client.v1.subscriptions.resume(
        subscription.id,
        params={"billing_cycle_anchor": "unchanged", "proration_date": at,
                "expand": ["latest_invoice"]},
    )  # fmt: skip
    assert resumed.status == "active"
    assert resumed.billing_cycle_anchor == subscription.billing_cycle_anchor
    assert resumed["items"].data[0].current_period_end == subscription.start_date + PERIOD
    assert resumed.latest_invoice.total == 1000


def test_resume_with_none_bills_nothing(client: stripe.StripeClient, db: Database) -> None:
    customer = customer_with_card(client, email="a@example.com")
    subscription = subscribe(client, customer.id, {"price": price(client, 3100).id})
    paused(db, subscription.id)
    resumed = client.v1.subscriptions.resume(
        subscription.id, params={"billing_cycle_anchor": "unchanged", "proration_behavior": "none"}
    )
    assert resumed.status == "active"
    assert resumed.latest_invoice == subscription.latest_invoice
