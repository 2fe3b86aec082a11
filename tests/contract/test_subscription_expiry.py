"""G-4.1: an incomplete subscription expires 23 hours (82800 s) after creation if its first
invoice is still unpaid. The expiry is a function a scheduler calls; the test calls it at
chosen instants on the server's database and reads the result through the SDK."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import stripe

from seikyu.billing import subscription_expiry
from seikyu.db.uow import Actor, Database
from seikyu.payments.test_processor import TestProcessor
from tests.conftest import TestAccount
from tests.contract.test_subscription_update import price, subscribe
from tests.support.billing import customer_with_card, event_types


def expire_at(db: Database, account: TestAccount, subscription_id: str, at: datetime) -> bool:
    with db.unit(Actor(account.id), now=at) as uow:
        done = subscription_expiry.expire_incomplete(uow, TestProcessor(), subscription_id)
    return done is not None


def test_an_unpaid_first_invoice_expires_the_subscription_after_23_hours(
    client: stripe.StripeClient, db: Database, account: TestAccount
) -> None:
    customer = customer_with_card(client, "pm_card_chargeCustomerFail", email="a@example.com")
    subscription = subscribe(client, customer.id, {"price": price(client, 2000).id})
    assert subscription.status == "incomplete"
    created = datetime.fromtimestamp(subscription.created, UTC)
    assert not expire_at(db, account, subscription.id, created + timedelta(seconds=82799))
    assert client.v1.subscriptions.retrieve(subscription.id).status == "incomplete"
    # `created` is shown to the second; the window is measured from the exact instant.
    assert expire_at(db, account, subscription.id, created + timedelta(seconds=82801))
    expired = client.v1.subscriptions.retrieve(
        subscription.id, params={"expand": ["latest_invoice"]}
    )
    assert expired.status == "incomplete_expired"
    assert expired.ended_at == subscription.created + 82801
    assert expired.latest_invoice.status == "void"
    assert "customer.subscription.updated" in event_types(client)
    assert not expire_at(db, account, subscription.id, created + timedelta(days=2))


def test_a_paid_subscription_never_expires(
    client: stripe.StripeClient, db: Database, account: TestAccount
) -> None:
    customer = customer_with_card(client, email="a@example.com")
    subscription = subscribe(client, customer.id, {"price": price(client, 2000).id})
    created = datetime.fromtimestamp(subscription.created, UTC)
    assert not expire_at(db, account, subscription.id, created + timedelta(days=1))
    assert client.v1.subscriptions.retrieve(subscription.id).status == "active"
