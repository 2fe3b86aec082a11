"""Invoice previews through the official SDK (`invoices.create_preview`): a customer's pending
items, a subscription's next invoice with tiers, a coupon and two tax rates, the prorations
of a change, and that a preview keeps nothing: no invoice, no item, no event, no
redemption. Bad input is refused naming the parameter (reference section 5.6)."""

from __future__ import annotations

import time
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

import pytest
import stripe

from tests.support.billing import customer_with_card, item
from tests.support.errors import assert_error, error_of

DAY = 86400


def preview(client: stripe.StripeClient, **params: Any) -> stripe.Invoice:
    return client.v1.invoices.create_preview(params=params)  # type: ignore[arg-type]


def monthly(client: stripe.StripeClient, product: str, **terms: Any) -> stripe.Price:
    params = {"product": product, "currency": "usd", "recurring": {"interval": "month"}, **terms}
    return client.v1.prices.create(params=params)  # type: ignore[arg-type]


def rounded(value: Fraction) -> int:
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def last_event_id(client: stripe.StripeClient) -> str:
    return client.v1.events.list(params={"limit": 1}).data[0].id


@pytest.fixture
def shop(client: stripe.StripeClient) -> dict[str, Any]:
    """A subscription of two items, one priced in graduated tiers, with a 10% coupon and
    two exclusive tax rates, its first invoice paid."""
    customer = customer_with_card(client, email="buyer@example.com")
    product = client.v1.products.create(params={"name": "Seats"}).id
    tiered = monthly(
        client,
        product,
        billing_scheme="tiered",
        tiers_mode="graduated",
        tiers=[
            {"up_to": 5, "unit_amount": 1000},
            {"up_to": "inf", "unit_amount": 800, "flat_amount": 500},
        ],
    )
    flat = monthly(client, client.v1.products.create(params={"name": "Support"}).id,
                   unit_amount=2000)  # fmt: skip
    coupon = client.v1.coupons.create(params={"percent_off": 10, "duration": "forever"})
    rates = [
        client.v1.tax_rates.create(
            params={"display_name": name, "percentage": percentage, "inclusive": False}
        )
        for name, percentage in (("State", 8), ("City", Decimal("2.5")))
    ]
    subscription = client.v1.subscriptions.create(
        params={
            "customer": customer.id,
            "items": [{"price": tiered.id, "quantity": 8}, {"price": flat.id, "quantity": 2}],
            "discounts": [{"coupon": coupon.id}],
            "default_tax_rates": [rate.id for rate in rates],
        }
    )
    return {
        "customer": customer.id,
        "subscription": subscription,
        "coupon": coupon.id,
        "rates": [rate.id for rate in rates],
        "flat": flat.id,
        "product": product,
    }


# --- what a preview shows ----------------------------------------------------------------


def test_a_customers_pending_items_are_previewed(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create(params={"email": "a@example.com"})
    first = item(client, customer.id, 1000, description="Setup")
    second = item(client, customer.id, 250)

    shown = preview(client, customer=customer.id)

    assert shown.id.startswith("upcoming_in_")
    assert (shown.object, shown.status, shown.billing_reason) == ("invoice", "draft", "upcoming")
    assert (shown.customer, shown.currency, shown.number) == (customer.id, "usd", None)
    assert (shown.subtotal, shown.total, shown.amount_due) == (1250, 1250, 1250)
    lines = shown.lines.data
    assert [line.amount for line in lines] == [1000, 250]
    assert [line.parent.invoice_item_details.invoice_item for line in lines] == [
        first.id,
        second.id,
    ]
    assert all(line.id.startswith("il_tmp_") for line in lines)
    assert {line.invoice for line in lines} == {shown.id}
    assert (shown.lines.has_more, shown.lines.total_count) == (False, 2)
    pending = client.v1.invoice_items.list(params={"customer": customer.id, "pending": True})
    assert sorted(i.amount for i in pending.data) == [250, 1000]
    assert client.v1.invoices.list(params={"customer": customer.id}).data == []


def test_a_subscriptions_next_invoice_has_exact_amounts(
    client: stripe.StripeClient, shop: dict[str, Any]
) -> None:
    """Tiers: 5 × 1000 + 3 × 800 + 500 = 7900; 2 × 2000 = 4000. 10% off 11900 is 1190.
    Tax on 10710: 8% = 856.8 -> 857, 2.5% = 267.75 -> 268."""
    subscription = shop["subscription"]
    period_end = subscription["items"].data[0].current_period_end

    shown = preview(client, subscription=subscription.id)

    assert shown.billing_reason == "upcoming"
    assert shown.parent.subscription_details.subscription == subscription.id
    assert [line.amount for line in shown.lines.data] == [7900, 4000]
    assert {(line.period.start, line.period.end) for line in shown.lines.data} == {
        (period_end, shown.lines.data[0].period.end)
    }
    assert shown.lines.data[0].period.end - period_end >= 28 * DAY
    assert shown.created == period_end
    assert (shown.subtotal, shown.total_excluding_tax) == (11900, 10710)
    assert [d.amount for d in shown.total_discount_amounts] == [1190]
    assert shown.discounts == subscription.discounts
    assert sorted(tax.amount for tax in shown.total_taxes) == [268, 857]
    assert (shown.total, shown.amount_due) == (11835, 11835)
    assert [rate.id for rate in shown.default_tax_rates] == shop["rates"]
    assert all(rate.object == "tax_rate" for rate in shown.default_tax_rates)


def test_a_preview_expands_what_it_names(client: stripe.StripeClient, shop: dict[str, Any]) -> None:
    once = client.v1.coupons.create(params={"percent_off": 50})

    shown = preview(
        client,
        subscription=shop["subscription"].id,
        discounts=[{"coupon": once.id}],
        expand=["customer", "discounts"],
    )

    assert shown.customer.id == shop["customer"]
    assert [d.source.coupon for d in shown.discounts] == [once.id]
    assert [rate.id for rate in shown.default_tax_rates] == shop["rates"]
    assert shown.total_excluding_tax == 5950


def test_a_customer_with_a_subscription_previews_its_next_invoice(
    client: stripe.StripeClient, shop: dict[str, Any]
) -> None:
    item(client, shop["customer"], 300)

    shown = preview(client, customer=shop["customer"])

    assert shown.parent.subscription_details.subscription == shop["subscription"].id
    assert [line.amount for line in shown.lines.data] == [7900, 4000, 300]
    assert shown.subtotal == 12200


def test_preview_mode_recurring_leaves_out_pending_items(
    client: stripe.StripeClient, shop: dict[str, Any]
) -> None:
    item(client, shop["customer"], 300)

    shown = preview(client, subscription=shop["subscription"].id, preview_mode="recurring")

    assert [line.amount for line in shown.lines.data] == [7900, 4000]


def test_a_new_subscription_previews_its_first_invoice(
    client: stripe.StripeClient, shop: dict[str, Any]
) -> None:
    buyer = client.v1.customers.create(params={"email": "new@example.com"})
    before = last_event_id(client)

    shown = preview(
        client,
        customer=buyer.id,
        discounts=[{"coupon": shop["coupon"]}],
        subscription_details={
            "items": [{"price": shop["flat"], "quantity": 3}],
            "default_tax_rates": shop["rates"],
        },
    )

    # 3 x 2000 = 6000, 10% off = 5400; 8% = 432, 2.5% = 135.
    assert (shown.collection_method, shown.due_date) == ("charge_automatically", None)
    assert [line.amount for line in shown.lines.data] == [6000]
    line = shown.lines.data[0]
    assert line.period.end - line.period.start >= 28 * DAY
    assert (shown.total_excluding_tax, shown.total) == (5400, 5967)
    assert client.v1.subscriptions.list(params={"customer": buyer.id, "status": "all"}).data == []
    assert client.v1.invoices.list(params={"customer": buyer.id}).data == []
    assert client.v1.coupons.retrieve(shop["coupon"]).times_redeemed == 1
    assert last_event_id(client) == before


def test_a_new_subscription_with_a_trial_previews_an_invoice_of_nothing(
    client: stripe.StripeClient, shop: dict[str, Any]
) -> None:
    buyer = client.v1.customers.create(params={"email": "new@example.com"})
    trial_end = int(time.time()) + 14 * DAY

    shown = preview(
        client,
        customer=buyer.id,
        subscription_details={"items": [{"price": shop["flat"]}], "trial_end": trial_end},
    )

    assert [(line.amount, line.period.end) for line in shown.lines.data] == [(0, trial_end)]
    assert shown.total == 0


def test_a_preview_keeps_nothing(client: stripe.StripeClient, shop: dict[str, Any]) -> None:
    subscription = shop["subscription"]
    other = client.v1.coupons.create(params={"amount_off": 1000, "currency": "usd"})
    before = last_event_id(client)

    shown = preview(
        client,
        subscription=subscription.id,
        discounts=[{"coupon": other.id}],
        invoice_items=[{"amount": 500, "currency": "usd", "description": "Extra"}],
        subscription_details={"items": [{"id": subscription["items"].data[1].id, "quantity": 3}],
                              "proration_behavior": "none"},
    )  # fmt: skip

    # 7900 + 3 × 2000 + 500 = 14400, then 1000 off the invoice.
    assert [line.amount for line in shown.lines.data] == [7900, 6000, 500]
    assert (shown.subtotal, shown.total_excluding_tax) == (14400, 13400)
    assert len(shown.discounts) == 1
    assert shown.discounts != subscription.discounts
    assert client.v1.coupons.retrieve(other.id).times_redeemed == 0
    assert client.v1.coupons.retrieve(shop["coupon"]).times_redeemed == 1
    assert last_event_id(client) == before
    listed = client.v1.invoices.list(params={"customer": shop["customer"]})
    assert [invoice.id for invoice in listed.data] == [subscription.latest_invoice]
    pending = client.v1.invoice_items.list(params={"customer": shop["customer"], "pending": True})
    assert pending.data == []
    again = client.v1.subscriptions.retrieve(subscription.id)
    assert [i.quantity for i in again["items"].data] == [8, 2]
    assert again.discounts == subscription.discounts
    error = error_of(lambda: client.v1.invoices.retrieve(shown.id))
    assert_error(error, status=404, code="resource_missing", param="id")


@pytest.fixture
def plain(client: stripe.StripeClient) -> dict[str, Any]:
    """A subscription to one 1000/month price, without discounts or tax, paid."""
    customer = customer_with_card(client, email="plain@example.com")
    product = client.v1.products.create(params={"name": "Basic"}).id
    price = monthly(client, product, unit_amount=1000)
    subscription = client.v1.subscriptions.create(
        params={"customer": customer.id, "items": [{"price": price.id}]}
    )
    return {"subscription": subscription, "product": product, "price": price.id}


def test_a_price_change_previews_its_prorations_on_the_next_invoice(
    client: stripe.StripeClient, plain: dict[str, Any]
) -> None:
    """G-2.2: credit for the unused time on the old price, debit for the new one, each
    rounded on its own, then the new price's whole next period."""
    subscription = plain["subscription"]
    basic = subscription["items"].data[0]
    start, end = basic.current_period_start, basic.current_period_end
    at = start + 10 * DAY + 3601
    dearer = monthly(client, plain["product"], unit_amount=3252)
    fraction = Fraction(end - at, end - start)

    shown = preview(
        client,
        subscription=subscription.id,
        subscription_details={
            "items": [{"id": basic.id, "price": dearer.id}],
            "proration_date": at,
        },
    )

    credit, debit = rounded(-1000 * fraction), rounded(3252 * fraction)
    lines = shown.lines.data
    assert [line.parent.subscription_item_details.proration for line in lines] == [
        False, True, True
    ]  # fmt: skip
    assert [line.amount for line in lines] == [3252, credit, debit]
    assert [line.discountable for line in lines] == [True, False, False]
    assert {(line.period.start, line.period.end) for line in lines[1:]} == {(at, end)}
    assert lines[0].period.start == end
    assert shown.parent.subscription_details.subscription_proration_date == at
    assert shown.total == 3252 + credit + debit
    unchanged = client.v1.subscriptions.retrieve(subscription.id)
    assert unchanged["items"].data[0].price.id == plain["price"]
    pending = client.v1.invoice_items.list(params={"customer": subscription.customer})
    assert pending.data == []


def test_always_invoice_previews_the_invoice_cut_now(
    client: stripe.StripeClient, plain: dict[str, Any]
) -> None:
    """G-2.5 with always_invoice: only the prorations, invoiced at once."""
    subscription = plain["subscription"]
    basic = subscription["items"].data[0]
    start, end = basic.current_period_start, basic.current_period_end
    at = start + 5 * DAY

    shown = preview(
        client,
        subscription=subscription.id,
        subscription_details={
            "items": [{"id": basic.id, "quantity": 3}],
            "proration_behavior": "always_invoice",
            "proration_date": at,
        },
    )

    fraction = Fraction(end - at, end - start)
    credit, debit = rounded(-1000 * fraction), rounded(3000 * fraction)
    assert [line.amount for line in shown.lines.data] == [credit, debit]
    assert (shown.subtotal, shown.total) == (credit + debit, credit + debit)


def test_cancel_now_previews_the_credit_for_unused_time(
    client: stripe.StripeClient, plain: dict[str, Any]
) -> None:
    subscription = plain["subscription"]

    shown = preview(client, subscription=subscription.id, subscription_details={"cancel_now": True})

    # Canceled seconds after it started: nearly the whole period comes back.
    assert [line.parent.subscription_item_details.proration for line in shown.lines.data] == [True]
    assert -1000 <= shown.total <= -999
    assert client.v1.subscriptions.retrieve(subscription.id).status == "active"


def test_the_route_is_not_taken_for_an_invoice_id(client: stripe.StripeClient, http: Any) -> None:
    customer = client.v1.customers.create(params={"email": "a@example.com"})
    item(client, customer.id, 100)

    response = http.post("/v1/invoices/create_preview", data={"customer": customer.id})

    assert response.status_code == 200, response.text
    assert response.json()["total"] == 100
    assert http.get("/v1/invoices/create_preview").status_code == 404


# --- bad input ---------------------------------------------------------------------------

SUB = "{subscription}"
CUS = "{customer}"
ITEM = "{item}"


def fill(value: Any, names: dict[str, str]) -> Any:
    if isinstance(value, str):
        return names.get(value, value)
    if isinstance(value, list):
        return [fill(v, names) for v in value]
    if isinstance(value, dict):
        return {k: fill(v, names) for k, v in value.items()}
    return value


BAD: list[tuple[dict[str, Any], int, str | None, str | None]] = [
    # missing
    ({}, 400, "parameter_missing", "customer"),
    ({"subscription_details": {"items": [{"price": "price_x"}]}}, 400, "parameter_missing",
     "customer"),
    # unknown
    ({"customer": CUS, "colour": "red"}, 400, "parameter_unknown", "colour"),
    ({"subscription": SUB, "subscription_details": {"pause_at": 1}}, 400, "parameter_unknown",
     "subscription_details[pause_at]"),
    ({"customer": "cus_nope"}, 400, "resource_missing", "customer"),
    ({"subscription": "sub_nope"}, 400, "resource_missing", "subscription"),
    ({"subscription": SUB, "invoice_items": [{"price": "price_nope"}]}, 400, "resource_missing",
     "invoice_items[0][price]"),
    ({"subscription": SUB, "invoice_items": [{"invoiceitem": "ii_nope", "amount": 5}]}, 400,
     "resource_missing", "invoice_items[0][invoiceitem]"),
    ({"subscription": SUB, "subscription_details": {"items": [{"price": "price_nope"}]}}, 400,
     "resource_missing", "subscription_details[items][0][price]"),
    ({"customer": CUS, "subscription_details": {"items": [{"price": "price_nope"}]}}, 400,
     "resource_missing", "subscription_details[items][0][price]"),
    ({"customer": CUS, "subscription_details": {"items": [{"id": ITEM}]}}, 400, None,
     "subscription_details[items][0][id]"),
    ({"customer": CUS, "subscription_details": {"items": [{"price": "{price}"}],
      "start_date": 4102444800}}, 400, None, "subscription_details[start_date]"),
    ({"subscription": SUB, "discounts": [{"coupon": "nope"}]}, 400, "resource_missing",
     "discounts[0][coupon]"),
    # wrong type
    ({"customer": CUS, "preview_mode": "weekly"}, 400, "parameter_invalid_enum", "preview_mode"),
    ({"customer": CUS, "invoice_items": [{"amount": "lots"}]}, 400, "parameter_invalid_integer",
     "invoice_items[0][amount]"),
    ({"subscription": SUB, "subscription_details": {"cancel_now": "maybe"}}, 400,
     "parameter_invalid_boolean", "subscription_details[cancel_now]"),
    ({"subscription": SUB, "subscription_details": {"proration_behavior": "sometimes"}}, 400,
     "parameter_invalid_enum", "subscription_details[proration_behavior]"),
    ({"customer": CUS, "automatic_tax": "yes"}, 400, "parameter_invalid_hash", "automatic_tax"),
    # out of range or not allowed
    ({"subscription": SUB, "subscription_details": {"items": [{"quantity": 1}] * 21}}, 400,
     "parameter_invalid_array", "subscription_details[items]"),
    ({"customer": CUS, "invoice_items": [{"quantity": -1}]}, 400, "parameter_invalid_integer",
     "invoice_items[0][quantity]"),
    ({"subscription": SUB, "subscription_details": {"proration_date": 1, "items": [
        {"id": ITEM, "quantity": 3}]}}, 400, None, "subscription_details[proration_date]"),
    ({"subscription": SUB, "subscription_details": {"proration_behavior": "none",
      "proration_date": 2, "items": [{"id": ITEM, "quantity": 3}]}}, 400, None,
     "subscription_details[proration_behavior]"),
    ({"subscription": SUB, "subscription_details": {"proration_date": 2}}, 400, None,
     "subscription_details[proration_date]"),
    ({"subscription": SUB, "subscription_details": {"start_date": 2}}, 400, None,
     "subscription_details[start_date]"),
    ({"subscription": SUB, "subscription_details": {"billing_cycle_anchor": {
        "type": "timestamp", "timestamp": 2}}}, 400, None,
     "subscription_details[billing_cycle_anchor][type]"),
    ({"subscription": SUB, "subscription_details": {"trial_end": 1}}, 400, None,
     "subscription_details[trial_end]"),
    ({"subscription": SUB, "automatic_tax": {"enabled": True}}, 400, None,
     "automatic_tax[enabled]"),
    ({"subscription": SUB, "currency": "eur"}, 400, None, "currency"),
    ({"subscription": SUB, "currency": "zzz"}, 400, None, "currency"),
    ({"customer": "{stranger}", "subscription": SUB}, 400, None, "subscription"),
    # nothing to preview
    ({"customer": "{stranger}"}, 404, "invoice_upcoming_none", None),
]  # fmt: skip


@pytest.mark.parametrize(("params", "status", "code", "param"), BAD)
def test_bad_input_names_the_parameter(
    client: stripe.StripeClient,
    shop: dict[str, Any],
    params: dict[str, Any],
    status: int,
    code: str | None,
    param: str | None,
) -> None:
    subscription = shop["subscription"]
    stranger = client.v1.customers.create(params={"email": "b@example.com"}).id
    names = {
        SUB: subscription.id,
        CUS: shop["customer"],
        ITEM: subscription["items"].data[0].id,
        "{stranger}": stranger,
        "{price}": shop["flat"],
    }
    before = last_event_id(client)

    error = error_of(lambda: preview(client, **fill(params, names)))

    assert_error(error, status=status, code=code, param=param)
    assert last_event_id(client) == before
