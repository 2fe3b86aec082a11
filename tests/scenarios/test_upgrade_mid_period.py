"""An upgrade from 1,000 to 3,000 a month on January 11, 2025, with 21 of January's 31
days left (reference 2.1 and G-2.5), then the renewal: the unused time on the old price is
credited, round(-1000 x 21/31) = -677, the remaining time on the new one charged,
round(3000 x 21/31) = 2032, net 1,355. With `always_invoice` that is invoiced and paid at
once and February renews at 3,000; with `create_prorations` it waits for February's
renewal, which bills 1,355 + 3,000 = 4,355; March renews at 3,000 either way."""

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

START = at(2025, 1, 1)
UPGRADE = at(2025, 1, 11)
FEB_1 = at(2025, 2, 1)
MAR_1 = at(2025, 3, 1)
CREDIT = -677
DEBIT = 2032
EXPECTED_PRORATIONS = [
    (CREDIT, UPGRADE, FEB_1, "Unused time on Basic after 11 Jan 2025"),
    (DEBIT, UPGRADE, FEB_1, "Remaining time on Pro after 11 Jan 2025"),
]


def _upgraded(client: stripe.StripeClient, proration_behavior: str) -> tuple[Any, Any, Any]:
    """A 1,000 subscription from January 1, upgraded to 3,000 on January 11."""
    clock = clock_at(client, START)
    customer = customer_on(client, clock.id)
    subscription = subscribe(client, customer.id, price(client, 1000, name="Basic").id)
    advance(client, clock.id, UPGRADE)
    upgraded = client.v1.subscriptions.update(
        subscription.id,
        params={
            "items": [
                {
                    "id": subscription["items"].data[0].id,
                    "price": price(client, 3000, name="Pro").id,
                }
            ],
            "proration_behavior": proration_behavior,
        },
    )
    return clock, upgraded, customer


def _prorations(invoice: Any) -> list[tuple[int, int, int, str]]:
    return [
        (line.amount, line.period.start, line.period.end, line.description)
        for line in invoice.lines.data
        if line.parent.subscription_item_details.proration
    ]


def _full_periods(invoice: Any) -> list[tuple[int, int, int]]:
    return [
        (line.amount, line.period.start, line.period.end)
        for line in invoice.lines.data
        if not line.parent.subscription_item_details.proration
    ]


def test_always_invoice_bills_the_difference_at_once_then_renews_at_the_new_price(
    client: stripe.StripeClient,
) -> None:
    clock, upgraded, _ = _upgraded(client, "always_invoice")

    advance_through(client, clock.id, FEB_1 + HOUR, MAR_1 + HOUR)

    first, proration, february, march = invoices_of(client, upgraded.id)
    assert (first.total, first.created) == (1000, START)
    assert (proration.created, proration.billing_reason) == (UPGRADE, "subscription_update")
    assert sorted(_prorations(proration)) == EXPECTED_PRORATIONS
    assert (proration.total, proration.status, proration.amount_paid) == (1355, "paid", 1355)
    paid = [e.data.object.id for e in events_of(client, "invoice.paid") if e.created == UPGRADE]
    assert paid == [proration.id]
    for renewal, start, end in ((february, FEB_1, MAR_1), (march, MAR_1, at(2025, 4, 1))):
        assert (renewal.created, renewal.status, renewal.total) == (start, "paid", 3000)
        assert _full_periods(renewal) == [(3000, start, end)]
        assert _prorations(renewal) == []


def test_create_prorations_leaves_the_difference_to_the_renewal(
    client: stripe.StripeClient,
) -> None:
    clock, upgraded, customer = _upgraded(client, "create_prorations")
    pending = client.v1.invoice_items.list(params={"customer": customer.id, "pending": True})
    assert sorted(item.amount for item in pending.data) == [CREDIT, DEBIT]
    assert [i.created for i in invoices_of(client, upgraded.id)] == [START]

    advance_through(client, clock.id, FEB_1 + HOUR, MAR_1 + HOUR)

    _, february, march = invoices_of(client, upgraded.id)
    assert (february.created, february.status, february.billing_reason) == (
        FEB_1,
        "paid",
        "subscription_cycle",
    )
    assert sorted(_prorations(february)) == EXPECTED_PRORATIONS
    assert _full_periods(february) == [(3000, FEB_1, MAR_1)]
    assert (february.total, february.amount_paid) == (4355, 4355)
    assert (march.created, march.status, march.total) == (MAR_1, "paid", 3000)
    assert _prorations(march) == []
