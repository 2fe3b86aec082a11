"""A card that starts declining (reference section 8): January and February are paid;
then the customer's card declines. March's renewal fails at its first attempt and is
retried on the account's schedule (3 retries spread over 6 days: every 2 days), the
subscription past_due meanwhile; when the last retry fails it becomes `unpaid`, and
April's invoice is still created but never attempted."""

from __future__ import annotations

from typing import Any

import stripe

from seikyu.db.uow import Database
from tests.conftest import TestAccount
from tests.support.clocks import (
    DAY,
    HOUR,
    advance,
    advance_through,
    at,
    clock_at,
    configure_billing,
    customer_on,
    events_of,
    invoices_of,
    pay_with,
    price,
    subscribe,
)

PRICE = 2000
MARCH_ATTEMPT = at(2025, 3, 1) + HOUR
RETRIES = [MARCH_ATTEMPT + n * 2 * DAY for n in (1, 2, 3)]


def _failures_of(client: stripe.StripeClient, invoice_id: str) -> list[Any]:
    return [
        e for e in events_of(client, "invoice.payment_failed") if e.data.object.id == invoice_id
    ]


def test_retries_follow_the_schedule_then_the_subscription_ends_unpaid(
    client: stripe.StripeClient, db: Database, account: TestAccount
) -> None:
    configure_billing(
        db, account, retries=3, retry_window_days=6, subscription_after_retries="unpaid"
    )
    clock = clock_at(client, at(2025, 1, 1))
    customer = customer_on(client, clock.id)
    subscription = subscribe(client, customer.id, price(client, PRICE).id)
    advance(client, clock.id, at(2025, 2, 1) + HOUR)
    pay_with(client, customer.id, "pm_card_chargeCustomerFail")

    advance(client, clock.id, MARCH_ATTEMPT)
    january, february, march = invoices_of(client, subscription.id)
    assert [(i.status, i.amount_paid) for i in (january, february)] == [("paid", PRICE)] * 2
    assert (march.created, march.status, march.amount_due, march.amount_paid) == (
        at(2025, 3, 1), "open", PRICE, 0,
    )  # fmt: skip
    assert (march.attempt_count, march.next_payment_attempt) == (1, RETRIES[0])
    assert client.v1.subscriptions.retrieve(subscription.id).status == "past_due"

    advance(client, clock.id, RETRIES[-1] + HOUR)
    failures = _failures_of(client, march.id)
    assert [e.created for e in failures] == [MARCH_ATTEMPT, *RETRIES]
    schedule = [(e.data.object.attempt_count, e.data.object.next_payment_attempt) for e in failures]
    assert schedule == [(1, RETRIES[0]), (2, RETRIES[1]), (3, RETRIES[2]), (4, None)]
    march = client.v1.invoices.retrieve(march.id)
    assert (march.status, march.attempt_count, march.next_payment_attempt) == ("open", 4, None)
    ended = client.v1.subscriptions.retrieve(subscription.id)
    assert ended.status == "unpaid"
    moves = [
        (e.created, e.data.previous_attributes.status, e.data.object.status)
        for e in events_of(client, "customer.subscription.updated")
        if "status" in e.data.previous_attributes
    ]
    assert moves == [(MARCH_ATTEMPT, "active", "past_due"), (RETRIES[-1], "past_due", "unpaid")]

    advance_through(client, clock.id, at(2025, 4, 1) + HOUR, at(2025, 4, 10))
    *_, april = invoices_of(client, subscription.id)
    assert (april.created, april.total, april.billing_reason) == (
        at(2025, 4, 1), PRICE, "subscription_cycle",
    )  # fmt: skip
    assert (april.attempted, april.attempt_count, april.next_payment_attempt) == (False, 0, None)
    assert april.amount_paid == 0
    # Issued, then "immediately closed" (Stripe's API reference): nothing will attempt it.
    assert (april.status, april.auto_advance) == ("open", False)
    assert _failures_of(client, april.id) == []
    assert client.v1.subscriptions.retrieve(subscription.id).status == "unpaid"
