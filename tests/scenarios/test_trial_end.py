"""Trials ending on a test clock (reference G-3.1 and G-3.3): a 14-day trial with a card
is warned of three days before its end and converts to a paid, active subscription at
the trial end; one without a payment method whose trial settings say `cancel` is
canceled at the trial end without any charge."""

from __future__ import annotations

from typing import Any

import stripe

from tests.support.clocks import (
    HOUR,
    advance,
    at,
    clock_at,
    customer_on,
    events_of,
    invoices_of,
    price,
    subscribe,
)

PRICE = 3000
START = at(2025, 1, 1)
TRIAL_END = at(2025, 1, 15)


def _trial(client: stripe.StripeClient, card: str | None, **fields: Any) -> tuple[Any, Any]:
    clock = clock_at(client, START)
    customer = customer_on(client, clock.id, card)
    subscription = subscribe(
        client, customer.id, price(client, PRICE).id, trial_period_days=14, **fields
    )
    return clock, subscription


def test_a_trial_with_a_card_converts_to_a_paid_period(client: stripe.StripeClient) -> None:
    clock, subscription = _trial(client, "pm_card_visa")
    assert (subscription.status, subscription.trial_start, subscription.trial_end) == (
        "trialing",
        START,
        TRIAL_END,
    )
    [free] = invoices_of(client, subscription.id)
    assert (free.total, free.status, free.billing_reason) == (0, "paid", "subscription_create")

    advance(client, clock.id, TRIAL_END - 3 * 86400)
    [warning] = events_of(client, "customer.subscription.trial_will_end")
    assert (warning.created, warning.data.object.id) == (TRIAL_END - 3 * 86400, subscription.id)
    assert client.v1.subscriptions.retrieve(subscription.id).status == "trialing"

    advance(client, clock.id, TRIAL_END + HOUR)
    converted = client.v1.subscriptions.retrieve(subscription.id)
    assert converted.status == "active"
    item = converted["items"].data[0]
    assert (item.current_period_start, item.current_period_end) == (TRIAL_END, at(2025, 2, 15))
    [_, first_paid] = invoices_of(client, subscription.id)
    assert (first_paid.created, first_paid.billing_reason) == (TRIAL_END, "subscription_cycle")
    assert (first_paid.status, first_paid.total, first_paid.amount_paid) == ("paid", PRICE, PRICE)
    assert converted.latest_invoice == first_paid.id
    [paid] = [e for e in events_of(client, "invoice.paid") if e.data.object.id == first_paid.id]
    assert paid.created == TRIAL_END + HOUR
    [ended] = [
        e
        for e in events_of(client, "customer.subscription.updated")
        if e.data.object.status == "active"
    ]
    assert (ended.created, ended.data.previous_attributes.status) == (TRIAL_END, "trialing")


def test_a_trial_without_a_payment_method_is_canceled_at_its_end(
    client: stripe.StripeClient,
) -> None:
    clock, subscription = _trial(
        client, None, trial_settings={"end_behavior": {"missing_payment_method": "cancel"}}
    )

    advance(client, clock.id, TRIAL_END + HOUR)

    canceled = client.v1.subscriptions.retrieve(subscription.id)
    assert (canceled.status, canceled.canceled_at, canceled.ended_at) == (
        "canceled",
        TRIAL_END,
        TRIAL_END,
    )
    [deleted] = events_of(client, "customer.subscription.deleted")
    assert (deleted.created, deleted.data.object.id) == (TRIAL_END, subscription.id)
    assert [i.total for i in invoices_of(client, subscription.id)] == [0]
    customer = subscription.customer
    assert client.v1.payment_intents.list(params={"customer": customer}).data == []
    assert client.v1.charges.list(params={"customer": customer}).data == []

    # Nothing is left to bill: a month later there is still only the trial's invoice.
    advance(client, clock.id, at(2025, 2, 15) + HOUR)
    assert [i.total for i in invoices_of(client, subscription.id)] == [0]
