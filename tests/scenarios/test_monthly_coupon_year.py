"""A year of monthly renewals with a 25% coupon repeating for three months (reference
G-6.6 on a test clock): the invoices of January, February and March are discounted, the
nine after them are at full price, each created at its period start in simulated time
and paid an hour later; the discount ends on April 1, three calendar months after it
was applied."""

from __future__ import annotations

from typing import Any

import stripe

from tests.support.clocks import (
    HOUR,
    advance,
    advance_through,
    at,
    clock_at,
    customer_on,
    events_of,
    invoices_of,
    price,
    subscribe,
)

PRICE = 2000
DISCOUNTED = 1500
FIRST_OF_MONTH = [at(2025, month, 1) for month in range(1, 13)]


def _discounted_subscription(client: stripe.StripeClient) -> tuple[Any, Any]:
    clock = clock_at(client, at(2025, 1, 1))
    customer = customer_on(client, clock.id)
    coupon = client.v1.coupons.create(
        params={"percent_off": 25, "duration": "repeating", "duration_in_months": 3}
    )
    subscription = subscribe(
        client, customer.id, price(client, PRICE).id, discounts=[{"coupon": coupon.id}]
    )
    return clock, subscription


def test_three_discounted_months_then_nine_at_full_price(client: stripe.StripeClient) -> None:
    clock, subscription = _discounted_subscription(client)

    # Two months at most per advance; the last step passes December's finalization hour.
    advance_through(
        client, clock.id,
        at(2025, 3, 1), at(2025, 5, 1), at(2025, 7, 1), at(2025, 9, 1), at(2025, 11, 1),
        at(2025, 12, 1) + HOUR,
    )  # fmt: skip

    invoices = invoices_of(client, subscription.id)
    assert [invoice.created for invoice in invoices] == FIRST_OF_MONTH
    assert [e.created for e in events_of(client, "invoice.created")] == FIRST_OF_MONTH
    assert [invoice.total for invoice in invoices] == [DISCOUNTED] * 3 + [PRICE] * 9
    assert [invoice.subtotal for invoice in invoices] == [PRICE] * 12
    assert [(invoice.status, invoice.amount_paid) for invoice in invoices] == [
        ("paid", invoice.total) for invoice in invoices
    ]
    assert [invoice.billing_reason for invoice in invoices] == ["subscription_create"] + [
        "subscription_cycle"
    ] * 11
    discounts = [[d.amount for d in invoice.total_discount_amounts] for invoice in invoices]
    assert discounts == [[500]] * 3 + [[]] * 9
    periods = [(line.period.start, line.period.end) for i in invoices for line in i.lines.data]
    assert periods == list(zip(FIRST_OF_MONTH, [*FIRST_OF_MONTH[1:], at(2026, 1, 1)], strict=True))


def test_each_renewal_is_finalized_and_paid_an_hour_after_its_period_start(
    client: stripe.StripeClient,
) -> None:
    clock, subscription = _discounted_subscription(client)

    advance_through(client, clock.id, at(2025, 3, 1), at(2025, 4, 1) + HOUR)

    renewals = {i.id for i in invoices_of(client, subscription.id)[1:]}
    paid = [e for e in events_of(client, "invoice.paid") if e.data.object.id in renewals]
    assert [(e.created, e.data.object.amount_paid) for e in paid] == [
        (at(2025, 2, 1) + HOUR, DISCOUNTED),
        (at(2025, 3, 1) + HOUR, DISCOUNTED),
        (at(2025, 4, 1) + HOUR, PRICE),
    ]


def test_the_discount_ends_three_months_after_it_was_applied(
    client: stripe.StripeClient,
) -> None:
    clock, subscription = _discounted_subscription(client)
    expanded: Any = client.v1.subscriptions.retrieve(
        subscription.id, params={"expand": ["discounts"]}
    )
    [discount] = expanded.discounts
    assert (discount.start, discount.end) == (at(2025, 1, 1), at(2025, 4, 1))

    advance(client, clock.id, at(2025, 3, 1))
    assert client.v1.subscriptions.retrieve(subscription.id).discounts == [discount.id]

    advance(client, clock.id, at(2025, 4, 1) + HOUR)
    assert client.v1.subscriptions.retrieve(subscription.id).discounts == []
    [ended] = events_of(client, "customer.discount.deleted")
    assert (ended.created, ended.data.object.id) == (at(2025, 4, 1), discount.id)
    assert ended.data.object.subscription == subscription.id
