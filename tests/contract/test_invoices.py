"""Invoices through the official SDK: drafts from pending items, finalization and numbering,
payment by card and out of band, declines, void, uncollectible, send, delete, lines, and the
customer's balance applied at finalization (reference section 5)."""

from __future__ import annotations

import pytest
import stripe

from tests.support.billing import customer_with_card, event_types, invoice_of, item
from tests.support.errors import assert_error, error_of


def test_a_draft_bills_the_pending_items_it_includes(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create(params={"email": "a@example.com"})
    invoice = invoice_of(client, customer.id, 1000, 250)
    assert (invoice.status, invoice.number, invoice.currency) == ("draft", None, "usd")
    assert sorted(line.amount for line in invoice.lines.data) == [250, 1000]
    assert (invoice.subtotal, invoice.total, invoice.amount_due) == (1250, 1250, 1250)
    assert invoice.ending_balance is None
    assert invoice.billing_reason == "manual"
    assert invoice.auto_advance is False
    pending = client.v1.invoice_items.list(params={"customer": customer.id, "pending": True})
    assert pending.data == []


def test_items_are_left_pending_unless_the_invoice_includes_them(
    client: stripe.StripeClient,
) -> None:
    customer = client.v1.customers.create(params={"email": "a@example.com"})
    item(client, customer.id, 700)
    invoice = client.v1.invoices.create(params={"customer": customer.id})
    assert (invoice.total, invoice.lines.data) == (0, [])
    pending = client.v1.invoice_items.list(params={"customer": customer.id, "pending": True})
    assert [i.amount for i in pending.data] == [700]


def test_finalizing_numbers_the_invoice_and_opens_its_payment(
    client: stripe.StripeClient,
) -> None:
    customer = customer_with_card(client, email="a@example.com")
    first = invoice_of(client, customer.id, 1000)
    finalized = client.v1.invoices.finalize_invoice(first.id, params={"expand": ["payments"]})
    assert finalized.status == "open"
    assert finalized.number == f"{customer.invoice_prefix}-0001"
    assert finalized.status_transitions.finalized_at is not None
    assert finalized.ending_balance == 0
    payment = finalized.payments.data[0]
    assert (payment.amount_requested, payment.status) == (1000, "open")
    intent = client.v1.payment_intents.retrieve(payment.payment.payment_intent)
    assert (intent.amount, intent.customer, intent.status) == (
        1000,
        customer.id,
        "requires_payment_method",
    )
    second = invoice_of(client, customer.id, 500)
    second = client.v1.invoices.finalize_invoice(second.id)
    assert second.number == f"{customer.invoice_prefix}-0002"


def test_paying_charges_the_customers_default_card(client: stripe.StripeClient) -> None:
    customer = customer_with_card(client, email="a@example.com")
    invoice = invoice_of(client, customer.id, 1500)
    client.v1.invoices.finalize_invoice(invoice.id)
    paid = client.v1.invoices.pay(
        invoice.id, params={"expand": ["payments.data.payment.payment_intent"]}
    )
    assert (paid.status, paid.amount_paid, paid.amount_remaining) == ("paid", 1500, 0)
    assert (paid.attempt_count, paid.attempted) == (1, True)
    assert paid.status_transitions.paid_at is not None
    intent = paid.payments.data[0].payment.payment_intent
    assert (intent.status, intent.amount_received) == ("succeeded", 1500)
    types = event_types(client)
    assert types.index("invoice.finalized") < types.index("invoice.paid")
    assert "invoice.payment_succeeded" in types
    [payment_paid] = client.v1.events.list(params={"type": "invoice_payment.paid"}).data
    shown = payment_paid.data.object
    assert (shown.object, shown.invoice, shown.status) == ("invoice_payment", invoice.id, "paid")
    assert shown.amount_paid == 1500


def test_a_declined_card_leaves_the_invoice_open(client: stripe.StripeClient) -> None:
    customer = customer_with_card(client, "pm_card_chargeCustomerFail", email="a@example.com")
    invoice = invoice_of(client, customer.id, 1500)
    client.v1.invoices.finalize_invoice(invoice.id)
    error = error_of(lambda: client.v1.invoices.pay(invoice.id))
    assert error.http_status == 402
    assert (error.json_body or {})["error"]["type"] == "card_error"
    after = client.v1.invoices.retrieve(invoice.id)
    assert (after.status, after.attempt_count, after.amount_paid) == ("open", 1, 0)
    assert "invoice.payment_failed" in event_types(client)
    # Another card pays it.
    paid = client.v1.invoices.pay(invoice.id, params={"payment_method": "pm_card_visa"})
    assert (paid.status, paid.attempt_count) == ("paid", 2)


def test_paid_out_of_band(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create(params={"email": "a@example.com"})
    invoice = invoice_of(client, customer.id, 900)
    client.v1.invoices.finalize_invoice(invoice.id)
    paid = client.v1.invoices.pay(invoice.id, params={"paid_out_of_band": True})
    assert (paid.status, paid.amount_paid, paid.amount_paid_off_stripe) == ("paid", 900, 900)
    error = error_of(lambda: client.v1.invoices.void_invoice(invoice.id))
    assert_error(error, code="status_transition_invalid", param=None)


def test_void_is_final(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create(params={"email": "a@example.com"})
    invoice = invoice_of(client, customer.id, 900)
    client.v1.invoices.finalize_invoice(invoice.id, params={"expand": ["payments"]})
    voided = client.v1.invoices.void_invoice(invoice.id, params={"expand": ["payments"]})
    assert voided.status == "void"
    assert voided.status_transitions.voided_at is not None
    assert voided.payments.data[0].status == "canceled"
    error = error_of(lambda: client.v1.invoices.pay(invoice.id, params={"paid_out_of_band": True}))
    assert_error(error, code="status_transition_invalid", param=None)
    assert "invoice.voided" in event_types(client)


def test_an_uncollectible_invoice_can_still_be_paid(client: stripe.StripeClient) -> None:
    customer = customer_with_card(client, email="a@example.com")
    invoice = invoice_of(client, customer.id, 900)
    client.v1.invoices.finalize_invoice(invoice.id)
    marked = client.v1.invoices.mark_uncollectible(invoice.id)
    assert marked.status == "uncollectible"
    paid = client.v1.invoices.pay(invoice.id)
    assert paid.status == "paid"


def test_a_draft_cannot_be_paid_or_voided(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create(params={"email": "a@example.com"})
    invoice = invoice_of(client, customer.id, 900)
    for call in (
        lambda: client.v1.invoices.pay(invoice.id, params={"paid_out_of_band": True}),
        lambda: client.v1.invoices.void_invoice(invoice.id),
        lambda: client.v1.invoices.mark_uncollectible(invoice.id),
    ):
        assert_error(error_of(call), code="status_transition_invalid", param=None)


def test_deleting_a_draft_returns_its_items_to_pending(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create(params={"email": "a@example.com"})
    invoice = invoice_of(client, customer.id, 300)
    deleted = client.v1.invoices.delete(invoice.id)
    assert deleted.deleted is True
    error = error_of(lambda: client.v1.invoices.retrieve(invoice.id))
    assert_error(error, status=404, code="resource_missing", param="id")
    pending = client.v1.invoice_items.list(params={"customer": customer.id, "pending": True})
    assert [i.amount for i in pending.data] == [300]
    assert "invoice.deleted" in event_types(client)


def test_an_open_invoice_cannot_be_deleted(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create(params={"email": "a@example.com"})
    invoice = invoice_of(client, customer.id, 300)
    client.v1.invoices.finalize_invoice(invoice.id)
    error = error_of(lambda: client.v1.invoices.delete(invoice.id))
    assert_error(error, code="status_transition_invalid", param=None)


def test_send_invoice_is_due_after_its_days_and_can_be_sent(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create(params={"email": "a@example.com"})
    invoice = invoice_of(
        client, customer.id, 5000, collection_method="send_invoice", days_until_due=14
    )
    assert invoice.due_date == invoice.created + 14 * 86400
    client.v1.invoices.finalize_invoice(invoice.id)
    sent = client.v1.invoices.send_invoice(invoice.id)
    assert sent.status == "open"
    assert "invoice.sent" in event_types(client)


def test_only_send_invoice_invoices_are_sent(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create(params={"email": "a@example.com"})
    invoice = invoice_of(client, customer.id, 5000)
    client.v1.invoices.finalize_invoice(invoice.id)
    error = error_of(lambda: client.v1.invoices.send_invoice(invoice.id))
    assert_error(error, code=None, param=None)


@pytest.mark.parametrize(
    ("balance", "total", "due", "ending", "status"),
    [
        (-300, 1000, 700, 0, "open"),  # G-5.1
        (-1500, 1000, 0, -500, "paid"),  # G-5.2
        (200, 1000, 1200, 0, "open"),  # G-5.3
        (0, 30, 0, 30, "paid"),  # G-5.4: below the minimum charge
    ],
)
def test_the_balance_applies_at_finalization(
    client: stripe.StripeClient, balance: int, total: int, due: int, ending: int, status: str
) -> None:
    customer = client.v1.customers.create(params={"email": "a@example.com"})
    if balance:
        client.v1.customers.balance_transactions.create(
            customer.id, params={"amount": balance, "currency": "usd"}
        )
    invoice = invoice_of(client, customer.id, total)
    assert (invoice.starting_balance, invoice.amount_due) == (0, total)
    final = client.v1.invoices.finalize_invoice(invoice.id)
    assert (final.starting_balance, final.amount_due, final.ending_balance, final.status) == (
        balance,
        due,
        ending,
        status,
    )
    assert client.v1.customers.retrieve(customer.id).balance == ending


def test_a_credit_used_by_a_voided_invoice_goes_back(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create(params={"email": "a@example.com"})
    client.v1.customers.balance_transactions.create(
        customer.id, params={"amount": -300, "currency": "usd"}
    )
    invoice = invoice_of(client, customer.id, 1000)
    client.v1.invoices.finalize_invoice(invoice.id)
    assert client.v1.customers.retrieve(customer.id).balance == 0
    client.v1.invoices.void_invoice(invoice.id)
    assert client.v1.customers.retrieve(customer.id).balance == -300
    kinds = [t.type for t in client.v1.customers.balance_transactions.list(customer.id).data]
    assert kinds[:2] == ["unapplied_from_invoice", "applied_to_invoice"]


def test_lines_are_listed_in_order_and_paged(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create(params={"email": "a@example.com"})
    invoice = invoice_of(client, customer.id, *range(100, 1300, 100))
    assert len(invoice.lines.data) == 10
    assert invoice.lines.has_more is True
    first = client.v1.invoices.line_items.list(invoice.id, params={"limit": 5})
    rest = client.v1.invoices.line_items.list(
        invoice.id, params={"limit": 10, "starting_after": first.data[-1].id}
    )
    everything = [line.id for line in first.data + rest.data]
    assert len(set(everything)) == 12
    assert (first.has_more, rest.has_more) == (True, False)


def test_lists_filter_by_customer_and_status(client: stripe.StripeClient) -> None:
    one = client.v1.customers.create(params={"email": "a@example.com"})
    two = client.v1.customers.create(params={"email": "b@example.com"})
    a = invoice_of(client, one.id, 100)
    b = invoice_of(client, two.id, 200)
    client.v1.invoices.finalize_invoice(b.id)
    mine = client.v1.invoices.list(params={"customer": one.id})
    assert [i.id for i in mine.data] == [a.id]
    open_ = client.v1.invoices.list(params={"status": "open"})
    assert [i.id for i in open_.data] == [b.id]


def test_tax_and_discount_on_an_invoice(client: stripe.StripeClient) -> None:
    """G-6.5: 20% off 10000, then 10% exclusive tax: 8000 + 800 = 8800."""
    customer = client.v1.customers.create(params={"email": "a@example.com"})
    rate = client.v1.tax_rates.create(
        params={"display_name": "Tax", "percentage": 10, "inclusive": False}
    )
    coupon = client.v1.coupons.create(params={"percent_off": 20})
    invoice = invoice_of(
        client,
        customer.id,
        10000,
        default_tax_rates=[rate.id],
        discounts=[{"coupon": coupon.id}],
    )
    assert (invoice.subtotal, invoice.total_excluding_tax, invoice.total) == (10000, 8000, 8800)
    assert invoice.total_discount_amounts[0].amount == 2000
    assert invoice.total_taxes[0].amount == 800
    assert invoice.total_taxes[0].taxable_amount == 8000
    line = invoice.lines.data[0]
    assert line.discount_amounts[0].amount == 2000
    assert line.taxes[0].tax_rate_details.tax_rate == rate.id
    assert client.v1.coupons.retrieve(coupon.id).times_redeemed == 1


def test_an_invoice_for_a_subscription_takes_only_its_items(client: stripe.StripeClient) -> None:
    customer = customer_with_card(client, email="a@example.com")
    product = client.v1.products.create(params={"name": "Gold"})
    price = client.v1.prices.create(
        params={"product": product.id, "currency": "usd", "unit_amount": 2000,
                "recurring": {"interval": "month"}}
    )  # fmt: skip
    subscription = client.v1.subscriptions.create(
        params={"customer": customer.id, "items": [{"price": price.id}]}
    )
    item(client, customer.id, 300, subscription=subscription.id)
    item(client, customer.id, 700)
    invoice = client.v1.invoices.create(
        params={
            "customer": customer.id,
            "subscription": subscription.id,
            "pending_invoice_items_behavior": "include",
        }
    )
    assert [line.amount for line in invoice.lines.data] == [300]
    assert invoice.parent.subscription_details.subscription == subscription.id
    other = client.v1.customers.create(params={"email": "b@example.com"})
    error = error_of(
        lambda: client.v1.invoices.create(
            params={"customer": other.id, "subscription": subscription.id}
        )
    )
    assert_error(error, code="resource_missing", param="subscription")
