"""Plans anchored on the last day of January (reference 2.2, G-2.7 and G-2.9): a yearly
plan started 2025-01-31 renews on 2026-01-31 and 2027-01-31 at the same price; a monthly
one renews on the last day of shorter months and goes back to the 31st when it can
(Feb 28, Mar 31, Apr 30); a yearly plan started on Feb 29 renews on Feb 28 until the
next leap year."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import stripe

from tests.support.clocks import (
    HOUR,
    advance_through,
    at,
    clock_at,
    customer_on,
    invoices_of,
    price,
    subscribe,
)


def _subscribed(client: stripe.StripeClient, start: int, amount: int, interval: str) -> Any:
    clock = clock_at(client, start)
    customer = customer_on(client, clock.id)
    subscription = subscribe(client, customer.id, price(client, amount, interval=interval).id)
    assert subscription.billing_cycle_anchor == start
    return clock, subscription


def _billed(client: stripe.StripeClient, subscription_id: str) -> list[tuple[int, int, int, str]]:
    """(created, period start, period end, status) of each invoice, oldest first."""
    return [
        (invoice.created, line.period.start, line.period.end, invoice.status)
        for invoice in invoices_of(client, subscription_id)
        for line in invoice.lines.data
    ]


def _current_period(client: stripe.StripeClient, subscription_id: str) -> tuple[int, int]:
    item = client.v1.subscriptions.retrieve(subscription_id)["items"].data[0]
    return item.current_period_start, item.current_period_end


def test_a_yearly_plan_from_january_31_renews_on_january_31(
    client: stripe.StripeClient,
) -> None:
    jan_31 = [at(year, 1, 31) for year in (2025, 2026, 2027, 2028)]
    clock, subscription = _subscribed(client, jan_31[0], 12000, "year")

    # Two years is the furthest one advance may go on a yearly plan.
    advance_through(client, clock.id, jan_31[2], jan_31[2] + HOUR)

    assert _billed(client, subscription.id) == [
        (jan_31[0], jan_31[0], jan_31[1], "paid"),
        (jan_31[1], jan_31[1], jan_31[2], "paid"),
        (jan_31[2], jan_31[2], jan_31[3], "paid"),
    ]
    assert [i.total for i in invoices_of(client, subscription.id)] == [12000] * 3
    assert _current_period(client, subscription.id) == (jan_31[2], jan_31[3])


def test_a_monthly_plan_from_january_31_clamps_to_short_months_and_returns(
    client: stripe.StripeClient,
) -> None:
    ends = [at(2025, 1, 31), at(2025, 2, 28), at(2025, 3, 31), at(2025, 4, 30), at(2025, 5, 31)]
    clock, subscription = _subscribed(client, ends[0], 1000, "month")

    advance_through(client, clock.id, ends[2], ends[3] + HOUR)

    assert _billed(client, subscription.id) == [
        (start, start, end, "paid") for start, end in pairwise(ends)
    ]
    assert [i.total for i in invoices_of(client, subscription.id)] == [1000] * 4
    assert _current_period(client, subscription.id) == (ends[3], ends[4])


def test_a_yearly_plan_from_february_29_renews_on_february_28_until_a_leap_year(
    client: stripe.StripeClient,
) -> None:
    ends = [at(2024, 2, 29), at(2025, 2, 28), at(2026, 2, 28), at(2027, 2, 28), at(2028, 2, 29)]
    clock, subscription = _subscribed(client, ends[0], 12000, "year")

    # Two years from 2026-02-28 end on 2028-02-28, a day short of the leap-year renewal.
    advance_through(client, clock.id, ends[2], at(2028, 2, 28), ends[4] + HOUR)

    assert _billed(client, subscription.id) == [
        (start, start, end, "paid")
        for start, end in zip(ends, [*ends[1:], at(2029, 2, 28)], strict=True)
    ]
