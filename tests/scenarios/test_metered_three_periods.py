"""Three monthly periods of a base fee plus metered API calls on a test clock: usage is
reported each month, and each renewal invoice bills the month ahead for the base fee and
exactly the month behind for the calls (G-9.2's 40 calls at 4 cents are 160)."""

from __future__ import annotations

from typing import Any

import stripe

from tests.support.clocks import HOUR, advance, at, clock_at, customer_on, invoices_of, price

BASE = 3000
PER_CALL = 4
JAN, FEB, MAR, APR = at(2025, 1, 1), at(2025, 2, 1), at(2025, 3, 1), at(2025, 4, 1)


def _meter(client: stripe.StripeClient) -> str:
    params: Any = {
        "display_name": "API calls",
        "event_name": "api_call",
        "default_aggregation": {"formula": "sum"},
    }
    return client.v1.billing.meters.create(params=params).id


def _report(client: stripe.StripeClient, customer: str, *values: tuple[int, int]) -> None:
    """Meter events with past timestamps, as of the customer's test clock time."""
    for value, timestamp in values:
        client.v1.billing.meter_events.create(
            params={
                "event_name": "api_call",
                "payload": {"stripe_customer_id": customer, "value": str(value)},
                "timestamp": timestamp,
            }
        )


def _metered_price(client: stripe.StripeClient, meter: str) -> Any:
    product = client.v1.products.create(params={"name": "API calls"})
    return client.v1.prices.create(
        params={
            "product": product.id,
            "currency": "usd",
            "unit_amount": PER_CALL,
            "recurring": {"interval": "month", "usage_type": "metered", "meter": meter},
        }
    )


def _lines(client: stripe.StripeClient, invoice: Any) -> list[tuple[Any, ...]]:
    lines: list[Any] = client.v1.invoices.line_items.list(invoice.id, params={"limit": 100}).data
    return [
        (
            line.pricing["price_details"]["price"],
            line.quantity,
            line.amount,
            line.period.start,
            line.period.end,
        )
        for line in lines
    ]


def test_each_renewal_bills_the_usage_of_the_month_that_ended(
    client: stripe.StripeClient,
) -> None:
    meter = _meter(client)
    clock = clock_at(client, JAN)
    customer = customer_on(client, clock.id)
    base, calls = price(client, BASE), _metered_price(client, meter)
    subscription = client.v1.subscriptions.create(
        params={"customer": customer.id, "items": [{"price": base.id}, {"price": calls.id}]}
    )
    [first] = invoices_of(client, subscription.id)
    assert first.total == BASE

    usage = {
        (JAN, FEB): [(25, at(2025, 1, 3)), (10, at(2025, 1, 17)), (5, FEB - 1)],
        (FEB, MAR): [(100, at(2025, 2, 14, 9))],
        (MAR, APR): [(7, at(2025, 3, 31, 23))],
    }
    expected_calls = {(JAN, FEB): 40, (FEB, MAR): 100, (MAR, APR): 7}
    for (start, end), values in usage.items():
        # Events are accepted up to 5 minutes ahead of the clock: report at the month's end.
        advance(client, clock.id, end - 60)
        _report(client, customer.id, *values)
        advance(client, clock.id, end + HOUR)

        renewal = invoices_of(client, subscription.id)[-1]
        assert (renewal.billing_reason, renewal.created) == ("subscription_cycle", end)
        calls_used = expected_calls[(start, end)]
        next_end = {FEB: MAR, MAR: APR, APR: at(2025, 5, 1)}[end]
        assert sorted(_lines(client, renewal)) == sorted(
            [
                (base.id, 1, BASE, end, next_end),
                (calls.id, calls_used, PER_CALL * calls_used, start, end),
            ]
        )
        assert (renewal.total, renewal.status) == (BASE + PER_CALL * calls_used, "paid")

    assert [i.total for i in invoices_of(client, subscription.id)] == [
        BASE,
        BASE + 160,
        BASE + 400,
        BASE + 28,
    ]
