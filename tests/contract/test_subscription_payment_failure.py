"""A failed charge of a subscription's latest invoice makes it past_due; paying that
invoice later makes it active again (reference section 4.1)."""

from __future__ import annotations

from datetime import UTC, datetime

import stripe

from seikyu.billing import subscription_cycle
from seikyu.db.uow import Actor, Database
from tests.conftest import TestAccount
from tests.contract.test_subscription_update import price, subscribe
from tests.support.billing import customer_with_card
from tests.support.errors import error_of


def test_a_declined_renewal_makes_it_past_due_until_paid(
    client: stripe.StripeClient, db: Database, account: TestAccount
) -> None:
    customer = customer_with_card(client, email="a@example.com")
    subscription = subscribe(client, customer.id, {"price": price(client, 2000).id})
    declining = client.v1.payment_methods.attach(
        "pm_card_chargeCustomerFail", params={"customer": customer.id}
    )
    client.v1.customers.update(
        customer.id, params={"invoice_settings": {"default_payment_method": declining.id}}
    )
    period_end = subscription["items"].data[0].current_period_end
    with db.unit(Actor(account.id), now=datetime.fromtimestamp(period_end + 1, UTC)) as uow:
        renewal = subscription_cycle.renew(uow, subscription.id)
        assert renewal is not None
        renewal_id = renewal.id
    client.v1.invoices.finalize_invoice(renewal_id)
    error = error_of(lambda: client.v1.invoices.pay(renewal_id))
    assert error.http_status == 402
    assert client.v1.subscriptions.retrieve(subscription.id).status == "past_due"
    client.v1.invoices.pay(renewal_id, params={"payment_method": "pm_card_visa"})
    assert client.v1.subscriptions.retrieve(subscription.id).status == "active"


def test_a_declined_first_invoice_leaves_it_incomplete(client: stripe.StripeClient) -> None:
    customer = customer_with_card(client, "pm_card_chargeCustomerFail", email="a@example.com")
    subscription = subscribe(client, customer.id, {"price": price(client, 2000).id})
    error = error_of(lambda: client.v1.invoices.pay(subscription.latest_invoice))
    assert error.http_status == 402
    assert client.v1.subscriptions.retrieve(subscription.id).status == "incomplete"
