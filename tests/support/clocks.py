"""Builders for time-travel scenarios: a test clock, its customer and subscription, an
advance that waits for the server's worker, and readers of what happened on the way."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import pytest
import stripe

from seikyu.accounts import settings
from seikyu.accounts.settings import BillingSettings
from seikyu.db.uow import Database
from tests.conftest import TestAccount

HOUR = 3600
DAY = 86400
# Generous: an advance over many periods runs each due step in its own transaction.
ADVANCE_TIMEOUT = 60.0


def at(year: int, month: int, day: int, hour: int = 0) -> int:
    """A Unix timestamp, UTC, as the API shows times."""
    return int(datetime(year, month, day, hour, tzinfo=UTC).timestamp())


def clock_at(client: stripe.StripeClient, frozen_time: int, **fields: Any) -> Any:
    params = {"frozen_time": frozen_time, **fields}
    return client.v1.test_helpers.test_clocks.create(params=params)  # type: ignore[arg-type]


def advance(client: stripe.StripeClient, clock_id: str, frozen_time: int) -> Any:
    """Advance the clock and wait until the server's worker has run it to `frozen_time`."""
    client.v1.test_helpers.test_clocks.advance(clock_id, params={"frozen_time": frozen_time})
    deadline = time.monotonic() + ADVANCE_TIMEOUT
    while time.monotonic() < deadline:
        clock = client.v1.test_helpers.test_clocks.retrieve(clock_id)
        if clock.status != "advancing":
            assert (clock.status, clock.frozen_time) == ("ready", frozen_time)
            return clock
        time.sleep(0.05)
    pytest.fail(f"test clock {clock_id} still advancing after {ADVANCE_TIMEOUT} s")


def advance_through(client: stripe.StripeClient, clock_id: str, *targets: int) -> None:
    """Advance in steps, since one advance may not pass two intervals of a subscription."""
    for target in targets:
        advance(client, clock_id, target)


def price(
    client: stripe.StripeClient, amount: int, *, interval: str = "month", name: str = "Plan"
) -> Any:
    product = client.v1.products.create(params={"name": name})
    return client.v1.prices.create(
        params={
            "product": product.id,
            "currency": "usd",
            "unit_amount": amount,
            "recurring": {"interval": interval},
        }
    )


def customer_on(
    client: stripe.StripeClient, clock_id: str, card: str | None = "pm_card_visa"
) -> Any:
    """A customer living on the clock, charged to `card` by default (None: no card)."""
    customer = client.v1.customers.create(params={"test_clock": clock_id, "email": "c@x.test"})
    if card is None:
        return customer
    return pay_with(client, customer.id, card)


def pay_with(client: stripe.StripeClient, customer_id: str, card: str) -> Any:
    """From now on the customer's invoices are charged to `card`."""
    method = client.v1.payment_methods.attach(card, params={"customer": customer_id})
    return client.v1.customers.update(
        customer_id, params={"invoice_settings": {"default_payment_method": method.id}}
    )


def subscribe(client: stripe.StripeClient, customer_id: str, price_id: str, **fields: Any) -> Any:
    params = {"customer": customer_id, "items": [{"price": price_id}], **fields}
    return client.v1.subscriptions.create(params=params)  # type: ignore[arg-type]


def invoices_of(client: stripe.StripeClient, subscription_id: str) -> list[Any]:
    """The subscription's invoices, oldest first."""
    found = client.v1.invoices.list(params={"subscription": subscription_id, "limit": 100})
    return sorted(found.data, key=lambda invoice: (invoice.created, invoice.id))


def events_of(client: stripe.StripeClient, event_type: str) -> list[Any]:
    """The account's events of one type, oldest first."""
    found = client.v1.events.list(params={"type": event_type, "limit": 100}).data
    return list(reversed(found))


def configure_billing(db: Database, account: TestAccount, **changes: Any) -> None:
    """Set the account's billing settings (retry policy, what follows the last retry)."""
    with db.unit() as uow:
        settings.set_billing_settings(uow, account.id, BillingSettings(**changes))
