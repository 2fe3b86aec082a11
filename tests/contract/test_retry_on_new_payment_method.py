"""A customer who gives a new default payment method has the invoice waiting for a retry
charged at the worker's next pass, not on the retry schedule: on a test clock, through the
official SDK."""

from __future__ import annotations

import stripe

from tests.contract.test_test_clocks import FEB_1_2020, HOUR, JAN_1_2020
from tests.support.clocks import advance, clock_at, customer_on, price, subscribe


def _failing_renewal(client: stripe.StripeClient) -> tuple[str, str, str]:
    """A subscription whose February renewal was declined: (clock, customer, subscription)."""
    clock = clock_at(client, JAN_1_2020)
    customer = customer_on(client, clock.id)
    subscription = subscribe(client, customer.id, price(client, 1000).id)
    declining = client.v1.payment_methods.attach(
        "pm_card_chargeCustomerFail", params={"customer": customer.id}
    )
    client.v1.customers.update(
        customer.id, params={"invoice_settings": {"default_payment_method": declining.id}}
    )
    advance(client, clock.id, FEB_1_2020 + HOUR)
    return clock.id, customer.id, subscription.id


def _renewal(client: stripe.StripeClient, subscription_id: str) -> stripe.Invoice:
    invoices = client.v1.invoices.list(params={"subscription": subscription_id}).data
    [renewal] = [i for i in invoices if i.billing_reason == "subscription_cycle"]
    return renewal


def test_a_new_default_card_on_the_customer_is_tried_at_once(
    client: stripe.StripeClient,
) -> None:
    clock_id, customer_id, subscription_id = _failing_renewal(client)
    declined = _renewal(client, subscription_id)
    assert (declined.status, declined.attempt_count) == ("open", 1)
    assert declined.next_payment_attempt is not None
    assert declined.next_payment_attempt > FEB_1_2020 + 24 * HOUR
    assert client.v1.subscriptions.retrieve(subscription_id).status == "past_due"

    good = client.v1.payment_methods.attach("pm_card_visa", params={"customer": customer_id})
    client.v1.customers.update(
        customer_id, params={"invoice_settings": {"default_payment_method": good.id}}
    )
    brought_forward = _renewal(client, subscription_id)
    assert brought_forward.next_payment_attempt == FEB_1_2020 + HOUR
    advance(client, clock_id, FEB_1_2020 + HOUR + 60)
    paid = _renewal(client, subscription_id)
    assert (paid.status, paid.attempt_count) == ("paid", 2)
    assert client.v1.subscriptions.retrieve(subscription_id).status == "active"


def test_a_new_default_card_on_the_subscription_is_tried_at_once(
    client: stripe.StripeClient,
) -> None:
    clock_id, customer_id, subscription_id = _failing_renewal(client)
    good = client.v1.payment_methods.attach("pm_card_visa", params={"customer": customer_id})
    client.v1.subscriptions.update(subscription_id, params={"default_payment_method": good.id})
    advance(client, clock_id, FEB_1_2020 + HOUR + 60)
    assert _renewal(client, subscription_id).status == "paid"


def test_clearing_the_default_card_does_not_retry(client: stripe.StripeClient) -> None:
    _, customer_id, subscription_id = _failing_renewal(client)
    scheduled = _renewal(client, subscription_id).next_payment_attempt
    client.v1.customers.update(
        customer_id, params={"invoice_settings": {"default_payment_method": ""}}
    )
    assert _renewal(client, subscription_id).next_payment_attempt == scheduled
