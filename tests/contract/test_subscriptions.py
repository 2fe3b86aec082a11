"""Subscriptions through the official SDK: creation with its first invoice paid, declines
and payment_behavior, trials, anchors, discounts, tax, cancellation and lists (reference
sections 2 to 4)."""

from __future__ import annotations

from typing import Any

import stripe

from tests.support.billing import customer_with_card, event_types
from tests.support.errors import assert_error, error_of

DAY = 86400


def monthly(client: stripe.StripeClient, amount: int = 2000, **extra: Any) -> stripe.Price:
    product = client.v1.products.create(params={"name": "Gold"})
    params = {
        "product": product.id,
        "currency": "usd",
        "unit_amount": amount,
        "recurring": {"interval": "month"},
        **extra,
    }
    return client.v1.prices.create(params=params)  # type: ignore[arg-type]


def subscribe(client: stripe.StripeClient, customer: str, *prices: str, **extra: Any) -> Any:
    params = {
        "customer": customer,
        "items": [{"price": price} for price in prices],
        "expand": ["latest_invoice.payments"],
        **extra,
    }
    return client.v1.subscriptions.create(params=params)  # type: ignore[arg-type]


def test_a_subscription_starts_active_with_its_first_invoice_paid(
    client: stripe.StripeClient,
) -> None:
    customer = customer_with_card(client, email="a@example.com")
    price = monthly(client, 2000)
    subscription = subscribe(client, customer.id, price.id)
    assert subscription.status == "active"
    invoice = subscription.latest_invoice
    assert (invoice.status, invoice.total, invoice.amount_paid) == ("paid", 2000, 2000)
    assert invoice.billing_reason == "subscription_create"
    assert invoice.parent.subscription_details.subscription == subscription.id
    assert invoice.number == f"{customer.invoice_prefix}-0001"
    item = subscription["items"].data[0]
    assert (item.price.id, item.quantity) == (price.id, 1)
    assert item.current_period_start == subscription.start_date
    assert item.current_period_end > item.current_period_start + 27 * DAY
    line = invoice.lines.data[0]
    assert line.parent.subscription_item_details.subscription_item == item.id
    assert (line.period.start, line.period.end) == (
        item.current_period_start,
        item.current_period_end,
    )
    assert "customer.subscription.created" in event_types(client)


def test_quantities_multiply_the_price(client: stripe.StripeClient) -> None:
    customer = customer_with_card(client, email="a@example.com")
    price = monthly(client, 1000)
    subscription = client.v1.subscriptions.create(
        params={"customer": customer.id, "items": [{"price": price.id, "quantity": 5}],
                "expand": ["latest_invoice"]}
    )  # fmt: skip
    assert subscription.latest_invoice.total == 5000


def test_a_declined_first_payment_leaves_it_incomplete(client: stripe.StripeClient) -> None:
    """G-4.1; paying the invoice afterwards makes the subscription active."""
    customer = customer_with_card(client, "pm_card_chargeCustomerFail", email="a@example.com")
    price = monthly(client, 2000)
    subscription = subscribe(client, customer.id, price.id)
    assert subscription.status == "incomplete"
    invoice = subscription.latest_invoice
    assert (invoice.status, invoice.amount_due, invoice.amount_paid) == ("open", 2000, 0)
    assert invoice.attempt_count == 1
    client.v1.invoices.pay(invoice.id, params={"payment_method": "pm_card_visa"})
    assert client.v1.subscriptions.retrieve(subscription.id).status == "active"


def test_error_if_incomplete_creates_nothing(client: stripe.StripeClient) -> None:
    """G-4.2"""
    customer = customer_with_card(client, "pm_card_chargeCustomerFail", email="a@example.com")
    price = monthly(client, 2000)
    error = error_of(
        lambda: subscribe(client, customer.id, price.id, payment_behavior="error_if_incomplete")
    )
    assert error.http_status == 402
    listed = client.v1.subscriptions.list(params={"customer": customer.id, "status": "all"})
    assert listed.data == []
    assert client.v1.invoices.list(params={"customer": customer.id}).data == []


def test_default_incomplete_waits_for_the_client_to_confirm(
    client: stripe.StripeClient,
) -> None:
    """G-4.3"""
    customer = customer_with_card(client, email="a@example.com")
    price = monthly(client, 2000)
    subscription = client.v1.subscriptions.create(
        params={
            "customer": customer.id,
            "items": [{"price": price.id}],
            "payment_behavior": "default_incomplete",
            "expand": ["latest_invoice.confirmation_secret", "latest_invoice.payments"],
        }
    )
    assert subscription.status == "incomplete"
    invoice = subscription.latest_invoice
    assert invoice.status == "open"
    assert invoice.confirmation_secret.client_secret.startswith("pi_")
    intent_id = invoice.payments.data[0].payment.payment_intent
    client.v1.payment_intents.confirm(intent_id, params={"payment_method": "pm_card_visa"})
    assert client.v1.invoices.retrieve(invoice.id).status == "paid"
    assert client.v1.subscriptions.retrieve(subscription.id).status == "active"


def test_a_card_needing_3d_secure_completes_after_authentication(
    client: stripe.StripeClient, http: Any
) -> None:
    customer = customer_with_card(client, "pm_card_authenticationRequired", email="a@example.com")
    price = monthly(client, 2000)
    subscription = subscribe(client, customer.id, price.id)
    assert subscription.status == "incomplete"
    intent_id = subscription.latest_invoice.payments.data[0].payment.payment_intent
    intent = client.v1.payment_intents.retrieve(intent_id)
    assert intent.status == "requires_action"
    response = http.post(
        f"/v1/test_helpers/payment_intents/{intent_id}/authenticate",
        data={"outcome": "complete"},
    )
    assert response.status_code == 200, response.text
    assert client.v1.subscriptions.retrieve(subscription.id).status == "active"


def test_a_trial_bills_nothing_at_first(client: stripe.StripeClient) -> None:
    """G-3.1: a 14-day trial starts trialing with a paid invoice of 0."""
    customer = client.v1.customers.create(params={"email": "a@example.com"})
    price = monthly(client, 3000)
    subscription = subscribe(client, customer.id, price.id, trial_period_days=14)
    assert subscription.status == "trialing"
    assert subscription.trial_end == subscription.trial_start + 14 * DAY
    assert subscription.billing_cycle_anchor == subscription.trial_end
    invoice = subscription.latest_invoice
    assert (invoice.total, invoice.amount_due, invoice.status) == (0, 0, "paid")
    assert invoice.lines.data[0].description == "Trial period for Gold"


def test_without_prorations_a_later_anchor_bills_nothing_until_then(
    client: stripe.StripeClient,
) -> None:
    customer = customer_with_card(client, email="a@example.com")
    price = monthly(client, 3000)
    now = client.v1.customers.retrieve(customer.id).created
    anchor = now + 10 * DAY
    subscription = subscribe(
        client, customer.id, price.id, billing_cycle_anchor=anchor, proration_behavior="none"
    )
    assert subscription.status == "active"
    assert subscription.latest_invoice is None
    assert subscription.billing_cycle_anchor == anchor
    assert subscription["items"].data[0].current_period_end == anchor


def test_a_later_anchor_bills_a_prorated_stub(client: stripe.StripeClient) -> None:
    """G-2.11: the stub is prorated against the cycle period that ends at the anchor."""
    customer = customer_with_card(client, email="a@example.com")
    price = monthly(client, 3000)
    now = client.v1.customers.retrieve(customer.id).created
    anchor = now + 10 * DAY
    subscription = subscribe(client, customer.id, price.id, billing_cycle_anchor=anchor)
    line = subscription.latest_invoice.lines.data[0]
    stub = anchor - subscription.start_date
    assert (line.period.start, line.period.end) == (subscription.start_date, anchor)
    assert 0 < line.amount < 3000
    # Between 10/31 and 10/28 of a month of 3000, rounded once.
    assert round(3000 * stub / (31 * DAY)) <= line.amount <= round(3000 * stub / (28 * DAY))


def test_a_coupon_and_tax_rates_shape_the_first_invoice(client: stripe.StripeClient) -> None:
    customer = customer_with_card(client, email="a@example.com")
    price = monthly(client, 10000)
    rate = client.v1.tax_rates.create(
        params={"display_name": "VAT", "percentage": 10, "inclusive": False}
    )
    coupon = client.v1.coupons.create(params={"percent_off": 20, "duration": "forever"})
    subscription = subscribe(
        client,
        customer.id,
        price.id,
        discounts=[{"coupon": coupon.id}],
        default_tax_rates=[rate.id],
    )
    invoice = subscription.latest_invoice
    assert (invoice.subtotal, invoice.total_excluding_tax, invoice.total) == (10000, 8000, 8800)
    assert invoice.amount_paid == 8800
    assert invoice.discounts == subscription.discounts
    assert len(subscription.discounts) == 1
    assert client.v1.coupons.retrieve(coupon.id).times_redeemed == 1
    # Tax rates are shown whole, on the subscription and on its invoice.
    assert [(r.object, r.id, r.percentage) for r in subscription.default_tax_rates] == [
        ("tax_rate", rate.id, 10.0)
    ]
    assert [r.id for r in invoice.default_tax_rates] == [rate.id]


def test_an_item_s_tax_rates_are_shown_whole(client: stripe.StripeClient) -> None:
    customer = customer_with_card(client, email="a@example.com")
    rate = client.v1.tax_rates.create(
        params={"display_name": "GST", "percentage": 8, "inclusive": True}
    )
    subscription = client.v1.subscriptions.create(
        params={
            "customer": customer.id,
            "items": [{"price": monthly(client, 1000).id, "tax_rates": [rate.id]}],
        }
    )
    shown = subscription["items"].data[0].tax_rates
    assert [(r.object, r.id, r.inclusive) for r in shown] == [("tax_rate", rate.id, True)]
    item = client.v1.subscription_items.retrieve(subscription["items"].data[0].id)
    assert [r.display_name for r in item.tax_rates] == ["GST"]
    listed = client.v1.subscriptions.list(params={"customer": customer.id})
    assert [r.id for r in listed.data[0]["items"].data[0].tax_rates] == [rate.id]


def test_send_invoice_subscriptions_are_active_at_once(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create(params={"email": "a@example.com"})
    price = monthly(client, 2000)
    subscription = subscribe(
        client, customer.id, price.id, collection_method="send_invoice", days_until_due=7
    )
    assert (subscription.status, subscription.days_until_due) == ("active", 7)
    invoice = subscription.latest_invoice
    assert (invoice.status, invoice.total, invoice.collection_method) == (
        "draft",
        2000,
        "send_invoice",
    )


def test_cancel_with_prorate_and_invoice_now_credits_the_unused_time(
    client: stripe.StripeClient,
) -> None:
    """G-4.5: the final invoice is a credit, which goes to the customer's balance."""
    customer = customer_with_card(client, email="a@example.com")
    price = monthly(client, 3000)
    subscription = subscribe(client, customer.id, price.id)
    canceled = client.v1.subscriptions.cancel(
        subscription.id,
        params={
            "prorate": True,
            "invoice_now": True,
            "cancellation_details": {"feedback": "too_expensive"},
            "expand": ["latest_invoice"],
        },
    )
    assert canceled.status == "canceled"
    assert canceled.ended_at is not None
    assert canceled.cancellation_details.feedback == "too_expensive"
    assert canceled.cancellation_details.reason == "cancellation_requested"
    final = canceled.latest_invoice
    assert final.id != subscription.latest_invoice.id
    # Canceled within seconds of the start: almost the whole period comes back.
    assert -3000 <= final.total <= -2990
    assert final.amount_due == 0
    assert client.v1.customers.retrieve(customer.id).balance == final.total
    assert "customer.subscription.deleted" in event_types(client)
    error = error_of(lambda: client.v1.subscriptions.cancel(subscription.id))
    assert_error(error, code="status_transition_invalid", param=None)


def test_lists_filter_by_status_customer_and_price(client: stripe.StripeClient) -> None:
    customer = customer_with_card(client, email="a@example.com")
    gold = monthly(client, 2000)
    silver = monthly(client, 1000)
    first = subscribe(client, customer.id, gold.id)
    second = subscribe(client, customer.id, silver.id)
    client.v1.subscriptions.cancel(first.id)
    listed = client.v1.subscriptions.list(params={"customer": customer.id})
    assert [s.id for s in listed.data] == [second.id]
    everything = client.v1.subscriptions.list(params={"customer": customer.id, "status": "all"})
    assert {s.id for s in everything.data} == {first.id, second.id}
    canceled = client.v1.subscriptions.list(params={"status": "canceled"})
    assert [s.id for s in canceled.data] == [first.id]
    by_price = client.v1.subscriptions.list(params={"price": silver.id})
    assert [s.id for s in by_price.data] == [second.id]


def test_bad_input_names_the_parameter(client: stripe.StripeClient) -> None:
    customer = customer_with_card(client, email="a@example.com")
    price = monthly(client, 2000)
    yearly = monthly(client, 2000, recurring={"interval": "year"})
    product = client.v1.products.create(params={"name": "Setup"})
    one_time = client.v1.prices.create(
        params={"product": product.id, "currency": "usd", "unit_amount": 500}
    )
    cases: list[tuple[dict[str, Any], str | None, str | None]] = [
        ({"items": [{"price": price.id}]}, "parameter_missing", "customer"),
        ({"customer": customer.id}, "parameter_missing", "items"),
        ({"customer": "cus_nope", "items": [{"price": price.id}]}, "resource_missing", "customer"),
        ({"customer": customer.id, "items": [{"price": "price_nope"}]}, "resource_missing",
         "items[0][price]"),
        ({"customer": customer.id, "items": [{"price": one_time.id}]}, None, "items[0][price]"),
        ({"customer": customer.id, "items": [{"price": price.id}, {"price": yearly.id}]}, None,
         "items[1][price]"),
        ({"customer": customer.id, "items": [{"price": price.id, "quantity": -1}]},
         None, "items[0][quantity]"),
        ({"customer": customer.id, "items": [{"price": price.id}], "trial_period_days": 731},
         None, "trial_period_days"),
        ({"customer": customer.id, "items": [{"price": price.id}],
          "payment_behavior": "pending_if_incomplete"}, None, "payment_behavior"),
        ({"customer": customer.id, "items": [{"price": price.id}], "days_until_due": 3},
         None, "days_until_due"),
        ({"customer": customer.id, "items": [{"price": price.id}], "billing_cycle_anchor": 1},
         None, "billing_cycle_anchor"),
        ({"customer": customer.id, "items": [{"price": price.id}], "colour": "red"},
         "parameter_unknown", "colour"),
        ({"customer": customer.id, "items": [{"price": price.id}], "cancel_at_period_end": "x"},
         None, "cancel_at_period_end"),
    ]  # fmt: skip
    for params, code, param in cases:
        error = error_of(lambda p=params: client.v1.subscriptions.create(params=p))  # type: ignore[misc]
        body = (error.json_body or {}).get("error", {})
        assert error.http_status in (400, 404), (params, body)
        assert body.get("param") == param, (params, body)
        if code is not None:
            assert body.get("code") == code, (params, body)
    listed = client.v1.subscriptions.list(params={"status": "all"})
    assert listed.data == []
