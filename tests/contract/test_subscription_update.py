"""Subscription updates through the official SDK: item changes with their prorations (the
reference's G-2 scenarios, made exact with `proration_date` on 31-day periods), immediate
invoices, anchors, trials, cancellation settings and payment failures."""

from __future__ import annotations

import time
from typing import Any

import stripe

from tests.support.billing import customer_with_card, event_types
from tests.support.errors import assert_error, error_of

DAY = 86400
PERIOD = 31 * DAY  # 2678400 s, the period of the reference's examples


def price(
    client: stripe.StripeClient, amount: int, *, name: str = "Gold", days: int = 31, **extra: Any
) -> stripe.Price:
    product = client.v1.products.create(params={"name": name})
    params = {
        "product": product.id,
        "currency": "usd",
        "unit_amount": amount,
        "recurring": {"interval": "day", "interval_count": days},
        **extra,
    }
    return client.v1.prices.create(params=params)  # type: ignore[arg-type]


def subscribe(
    client: stripe.StripeClient, customer: str, *items: dict[str, Any], **extra: Any
) -> Any:
    params = {"customer": customer, "items": list(items), **extra}
    return client.v1.subscriptions.create(params=params)  # type: ignore[arg-type]


def update(client: stripe.StripeClient, subscription: str, **params: Any) -> Any:
    return client.v1.subscriptions.update(subscription, params=params)  # type: ignore[arg-type]


def pending(client: stripe.StripeClient, customer: str) -> list[Any]:
    items = client.v1.invoice_items.list(params={"customer": customer, "pending": True})
    return sorted(items.data, key=lambda i: i.amount)


def test_g_2_2_price_change_prorates_to_the_second(client: stripe.StripeClient) -> None:
    """G-2.2: 445540 s of 2678400 left; old 1000, new 3252 → -166 and +541, pending."""
    customer = customer_with_card(client, email="a@example.com")
    old, new = price(client, 1000), price(client, 3252, name="Platinum")
    subscription = subscribe(client, customer.id, {"price": old.id})
    item = subscription["items"].data[0]
    at = subscription.start_date + PERIOD - 445540
    updated = update(
        client, subscription.id, items=[{"id": item.id, "price": new.id}], proration_date=at
    )
    assert updated["items"].data[0].price.id == new.id
    assert updated["items"].data[0].id == item.id
    assert updated.latest_invoice == subscription.latest_invoice  # nothing invoiced now
    credit, debit = pending(client, customer.id)
    assert (credit.amount, debit.amount) == (-166, 541)
    assert credit.description.startswith("Unused time on Gold after ")
    assert debit.description.startswith("Remaining time on Platinum after ")
    for line in (credit, debit):
        assert (line.period.start, line.period.end) == (at, subscription.start_date + PERIOD)
        assert line.discountable is False
        assert line.parent.subscription_details.subscription == subscription.id
    assert debit.pricing.price_details.price == new.id
    assert "customer.subscription.updated" in event_types(client)


def test_g_2_1_half_period_upgrade_nets_500(client: stripe.StripeClient) -> None:
    customer = customer_with_card(client, email="a@example.com")
    old, new = price(client, 1000, days=30), price(client, 2000, days=30)
    subscription = subscribe(client, customer.id, {"price": old.id})
    item = subscription["items"].data[0]
    half = subscription.start_date + 15 * DAY
    update(client, subscription.id, items=[{"id": item.id, "price": new.id}], proration_date=half)
    assert [i.amount for i in pending(client, customer.id)] == [-500, 1000]


def test_g_2_5_seat_change_invoiced_at_once_with_always_invoice(
    client: stripe.StripeClient,
) -> None:
    """G-2.5: 2 → 5 seats with 16/31 of the period left: -1032 and +2581 on an invoice of
    1549, finalized and paid in the request."""
    customer = customer_with_card(client, email="a@example.com")
    seat = price(client, 1000)
    subscription = subscribe(client, customer.id, {"price": seat.id, "quantity": 2})
    item = subscription["items"].data[0]
    updated = update(
        client,
        subscription.id,
        items=[{"id": item.id, "quantity": 5}],
        proration_behavior="always_invoice",
        proration_date=subscription.start_date + 15 * DAY,
        expand=["latest_invoice"],
    )
    invoice = updated.latest_invoice
    assert invoice.id != subscription.latest_invoice
    assert (invoice.billing_reason, invoice.status) == ("subscription_update", "paid")
    assert sorted(line.amount for line in invoice.lines.data) == [-1032, 2581]
    assert (invoice.total, invoice.amount_paid) == (1549, 1549)
    assert updated["items"].data[0].quantity == 5
    assert pending(client, customer.id) == []
    assert updated.status == "active"


def test_g_2_5_with_none_nothing_is_prorated(client: stripe.StripeClient) -> None:
    customer = customer_with_card(client, email="a@example.com")
    seat = price(client, 1000)
    subscription = subscribe(client, customer.id, {"price": seat.id, "quantity": 2})
    item = subscription["items"].data[0]
    updated = update(
        client, subscription.id, items=[{"id": item.id, "quantity": 5}], proration_behavior="none"
    )
    assert updated["items"].data[0].quantity == 5
    assert pending(client, customer.id) == []
    assert updated.latest_invoice == subscription.latest_invoice


def test_g_2_6_price_change_at_a_non_midnight_time(client: stripe.StripeClient) -> None:
    """G-2.6: 907200 s of 2678400 left, 1000 → 3252: -339 and +1101."""
    customer = customer_with_card(client, email="a@example.com")
    old, new = price(client, 1000), price(client, 3252)
    subscription = subscribe(client, customer.id, {"price": old.id})
    item = subscription["items"].data[0]
    at = subscription.start_date + PERIOD - 907200
    update(client, subscription.id, items=[{"id": item.id, "price": new.id}], proration_date=at)
    assert [i.amount for i in pending(client, customer.id)] == [-339, 1101]


def test_adding_and_deleting_items_prorate_one_side_each(client: stripe.StripeClient) -> None:
    customer = customer_with_card(client, email="a@example.com")
    base, extra = price(client, 1000, days=30), price(client, 600, name="Extra", days=30)
    subscription = subscribe(client, customer.id, {"price": base.id})
    half = subscription.start_date + 15 * DAY
    added = update(client, subscription.id, items=[{"price": extra.id, "quantity": 2}],
                   proration_date=half)  # fmt: skip
    assert [i.price.id for i in added["items"].data] == [base.id, extra.id]
    assert [i.amount for i in pending(client, customer.id)] == [600]
    extra_item = added["items"].data[1]
    removed = update(client, subscription.id, items=[{"id": extra_item.id, "deleted": True}],
                     proration_date=half)  # fmt: skip
    assert [i.price.id for i in removed["items"].data] == [base.id]
    assert [i.amount for i in pending(client, customer.id)] == [-600, 600]
    gone = error_of(lambda: client.v1.subscription_items.retrieve(extra_item.id))
    assert gone.http_status == 404


def test_g_2_4_classic_credit_counts_the_whole_coupon_per_item(
    client: stripe.StripeClient,
) -> None:
    """G-2.4 (classic): a 500 coupon over items of 1000 and 2000 (first invoice 2500);
    deleting the 1000 item half-way credits -0.5 × (1000 - 500) = -250."""
    customer = customer_with_card(client, email="a@example.com")
    small, large = price(client, 1000, days=30), price(client, 2000, name="Large", days=30)
    coupon = client.v1.coupons.create(
        params={"amount_off": 500, "currency": "usd", "duration": "forever"}
    )
    subscription = subscribe(
        client, customer.id, {"price": small.id}, {"price": large.id},
        discounts=[{"coupon": coupon.id}], expand=["latest_invoice"],
    )  # fmt: skip
    first = subscription.latest_invoice
    assert first.total == 2500
    assert [line.discount_amounts[0].amount for line in first.lines.data] == [166, 334]
    update(client, subscription.id,
           items=[{"id": subscription["items"].data[0].id, "deleted": True}],
           proration_date=subscription.start_date + 15 * DAY)  # fmt: skip
    assert [i.amount for i in pending(client, customer.id)] == [-250]


def test_billing_cycle_anchor_now_invoices_a_new_period_with_the_credit(
    client: stripe.StripeClient,
) -> None:
    """G-2.14: a whole new period from now, less the unused rest of the old one."""
    customer = customer_with_card(client, email="a@example.com")
    plan = price(client, 3100)
    subscription = subscribe(client, customer.id, {"price": plan.id})
    updated = update(client, subscription.id, billing_cycle_anchor="now",
                     expand=["latest_invoice"])  # fmt: skip
    invoice = updated.latest_invoice
    assert invoice.billing_reason == "subscription_update"
    assert updated.billing_cycle_anchor >= subscription.billing_cycle_anchor
    item = updated["items"].data[0]
    assert item.current_period_end - item.current_period_start == PERIOD
    amounts = sorted(line.amount for line in invoice.lines.data)
    # Updated within seconds of the start: nearly the whole old period comes back.
    assert -3100 <= amounts[0] <= -3095
    assert amounts[1] == 3100
    assert invoice.total == sum(amounts)
    assert invoice.status == "paid"


def test_an_interval_change_resets_the_anchor_and_invoices_now(
    client: stripe.StripeClient,
) -> None:
    """G-2.15: monthly → yearly starts the yearly period now, even with create_prorations."""
    customer = customer_with_card(client, email="a@example.com")
    short, long = price(client, 1000, days=30), price(client, 10000, days=365)
    subscription = subscribe(client, customer.id, {"price": short.id})
    item = subscription["items"].data[0]
    updated = update(client, subscription.id, items=[{"id": item.id, "price": long.id}],
                     proration_behavior="none", expand=["latest_invoice"])  # fmt: skip
    invoice = updated.latest_invoice
    assert [line.amount for line in invoice.lines.data] == [10000]
    new_item = updated["items"].data[0]
    assert new_item.current_period_end - new_item.current_period_start == 365 * DAY
    assert updated.billing_cycle_anchor == new_item.current_period_start


def test_trial_end_now_ends_the_trial_and_bills_a_period(client: stripe.StripeClient) -> None:
    """G-3.6: the trial ends now; a new cycle and its invoice start now."""
    customer = customer_with_card(client, email="a@example.com")
    plan = price(client, 2000)
    subscription = subscribe(client, customer.id, {"price": plan.id}, trial_period_days=14)
    assert subscription.status == "trialing"
    updated = update(client, subscription.id, trial_end="now", expand=["latest_invoice"])
    assert updated.status == "active"
    item = updated["items"].data[0]
    assert updated.trial_end == item.current_period_start
    assert item.current_period_end - item.current_period_start == PERIOD
    invoice = updated.latest_invoice
    assert (invoice.total, invoice.status) == (2000, "paid")


def test_a_future_trial_end_on_an_active_subscription_starts_a_trial(
    client: stripe.StripeClient,
) -> None:
    """G-2.13 with proration_behavior=none: an invoice of 0 now, and the anchor moves to
    the trial's end."""
    customer = customer_with_card(client, email="a@example.com")
    plan = price(client, 2000)
    subscription = subscribe(client, customer.id, {"price": plan.id})
    trial_end = subscription.start_date + 40 * DAY
    updated = update(client, subscription.id, trial_end=trial_end, proration_behavior="none",
                     expand=["latest_invoice"])  # fmt: skip
    assert updated.status == "trialing"
    assert (updated.trial_end, updated.billing_cycle_anchor) == (trial_end, trial_end)
    assert updated["items"].data[0].current_period_end == trial_end
    assert (updated.latest_invoice.total, updated.latest_invoice.status) == (0, "paid")
    moved = update(client, subscription.id, trial_end=trial_end + DAY)
    assert moved.trial_end == trial_end + DAY
    assert moved.latest_invoice == updated.latest_invoice.id


def test_cancel_at_period_end_and_back(client: stripe.StripeClient) -> None:
    """G-4.4: the status stays active, canceled_at is the request time; no proration."""
    customer = customer_with_card(client, email="a@example.com")
    subscription = subscribe(client, customer.id, {"price": price(client, 2000).id})
    canceling = update(client, subscription.id, cancel_at_period_end=True)
    assert (canceling.status, canceling.cancel_at_period_end) == ("active", True)
    assert canceling.canceled_at is not None
    assert canceling.cancellation_details.reason == "cancellation_requested"
    assert pending(client, customer.id) == []
    kept = update(client, subscription.id, cancel_at_period_end=False)
    assert (kept.cancel_at_period_end, kept.canceled_at) == (False, None)
    assert kept.cancellation_details.reason is None


def test_cancel_at_within_the_period_credits_the_rest(client: stripe.StripeClient) -> None:
    customer = customer_with_card(client, email="a@example.com")
    subscription = subscribe(client, customer.id, {"price": price(client, 3100).id})
    cancel_at = subscription.start_date + 21 * DAY
    updated = update(client, subscription.id, cancel_at=cancel_at)
    assert updated.cancel_at == cancel_at
    assert [i.amount for i in pending(client, customer.id)] == [-1000]
    # The period ends at cancel_at, where the anchor moves (reference 2.2).
    assert updated["items"].data[0].current_period_end == cancel_at
    assert updated.billing_cycle_anchor == cancel_at
    cleared = update(client, subscription.id, cancel_at="")
    assert (cleared.cancel_at, cleared.canceled_at) == (None, None)


def test_created_with_cancel_at_inside_the_period_bills_up_to_it(
    client: stripe.StripeClient,
) -> None:
    customer = customer_with_card(client, email="a@example.com")
    cancel_at = int(time.time()) + 21 * DAY
    subscription = subscribe(client, customer.id, {"price": price(client, 3100).id},
                             cancel_at=cancel_at, expand=["latest_invoice"])  # fmt: skip
    line = subscription.latest_invoice.lines.data[0]
    assert (line.amount, line.period.end) == (2100, cancel_at)
    assert subscription["items"].data[0].current_period_end == cancel_at
    assert subscription.billing_cycle_anchor == cancel_at


def test_collection_fields_and_metadata(client: stripe.StripeClient) -> None:
    customer = customer_with_card(client, email="a@example.com")
    subscription = subscribe(client, customer.id, {"price": price(client, 2000).id},
                             metadata={"a": "1", "b": "2"})  # fmt: skip
    rate = client.v1.tax_rates.create(
        params={"display_name": "VAT", "percentage": 10, "inclusive": False}
    )
    resumes = subscription.start_date + 10 * DAY
    updated = update(
        client,
        subscription.id,
        pause_collection={"behavior": "void", "resumes_at": resumes},
        collection_method="send_invoice",
        days_until_due=7,
        default_tax_rates=[rate.id],
        description="Team plan",
        metadata={"a": "", "c": "3"},
    )
    assert updated.pause_collection.behavior == "void"
    assert updated.pause_collection.resumes_at == resumes
    assert (updated.collection_method, updated.days_until_due) == ("send_invoice", 7)
    assert [shown.id for shown in updated.default_tax_rates] == [rate.id]
    assert updated.default_tax_rates[0].percentage == rate.percentage
    assert updated.description == "Team plan"
    assert updated.metadata.to_dict() == {"b": "2", "c": "3"}
    assert updated.status == "active"
    cleared = update(client, subscription.id, pause_collection="", default_tax_rates="",
                     description="", collection_method="charge_automatically")  # fmt: skip
    assert cleared.pause_collection is None
    assert (cleared.collection_method, cleared.days_until_due) == ("charge_automatically", None)
    assert (cleared.default_tax_rates, cleared.description) == ([], None)


def test_default_payment_method_must_be_attached(client: stripe.StripeClient) -> None:
    customer = customer_with_card(client, email="a@example.com")
    subscription = subscribe(client, customer.id, {"price": price(client, 2000).id})
    other = client.v1.payment_methods.attach("pm_card_mastercard", params={"customer": customer.id})
    updated = update(client, subscription.id, default_payment_method=other.id)
    assert updated.default_payment_method == other.id
    loose = client.v1.payment_methods.create(params={"type": "card", "card": {"token": "tok_visa"}})
    error = error_of(lambda: update(client, subscription.id, default_payment_method=loose.id))
    assert error.http_status == 400
    assert (error.json_body or {})["error"]["param"] == "default_payment_method"


def test_discounts_are_replaced_and_cleared(client: stripe.StripeClient) -> None:
    customer = customer_with_card(client, email="a@example.com")
    subscription = subscribe(client, customer.id, {"price": price(client, 2000).id})
    coupon = client.v1.coupons.create(params={"percent_off": 25, "duration": "forever"})
    updated = update(client, subscription.id, discounts=[{"coupon": coupon.id}],
                     expand=["discounts"])  # fmt: skip
    assert [d.source.coupon for d in updated.discounts] == [coupon.id]
    assert client.v1.coupons.retrieve(coupon.id).times_redeemed == 1
    assert update(client, subscription.id, discounts="").discounts == []


def test_a_declined_update_payment_leaves_it_past_due_until_paid(
    client: stripe.StripeClient,
) -> None:
    customer = customer_with_card(client, email="a@example.com")
    seat = price(client, 1000)
    subscription = subscribe(client, customer.id, {"price": seat.id})
    declining = client.v1.payment_methods.attach(
        "pm_card_chargeCustomerFail", params={"customer": customer.id}
    )
    item = subscription["items"].data[0]
    updated = update(
        client,
        subscription.id,
        default_payment_method=declining.id,
        items=[{"id": item.id, "quantity": 3}],
        proration_behavior="always_invoice",
        expand=["latest_invoice"],
    )
    assert updated.status == "past_due"
    invoice = updated.latest_invoice
    assert (invoice.status, invoice.attempt_count) == ("open", 1)
    client.v1.invoices.pay(invoice.id, params={"payment_method": "pm_card_visa"})
    assert client.v1.subscriptions.retrieve(subscription.id).status == "active"


def test_error_if_incomplete_refuses_the_whole_update(client: stripe.StripeClient) -> None:
    customer = customer_with_card(client, email="a@example.com")
    seat = price(client, 1000)
    subscription = subscribe(client, customer.id, {"price": seat.id})
    declining = client.v1.payment_methods.attach(
        "pm_card_chargeCustomerFail", params={"customer": customer.id}
    )
    item = subscription["items"].data[0]
    error = error_of(
        lambda: update(
            client,
            subscription.id,
            default_payment_method=declining.id,
            items=[{"id": item.id, "quantity": 3}],
            proration_behavior="always_invoice",
            payment_behavior="error_if_incomplete",
        )
    )
    assert error.http_status == 402
    after = client.v1.subscriptions.retrieve(subscription.id)
    assert after["items"].data[0].quantity == 1
    assert after.default_payment_method is None
    assert after.latest_invoice == subscription.latest_invoice
    assert pending(client, customer.id) == []


def test_what_an_incomplete_or_canceled_subscription_may_change(
    client: stripe.StripeClient,
) -> None:
    customer = customer_with_card(client, "pm_card_chargeCustomerFail", email="a@example.com")
    subscription = subscribe(client, customer.id, {"price": price(client, 2000).id})
    assert subscription.status == "incomplete"
    error = error_of(lambda: update(client, subscription.id, description="x"))
    assert_error(error, code=None, param="description")
    assert update(client, subscription.id, metadata={"k": "v"}).metadata["k"] == "v"
    client.v1.subscriptions.cancel(subscription.id)
    error = error_of(lambda: update(client, subscription.id, cancel_at_period_end=True))
    assert_error(error, code=None, param="cancel_at_period_end")
    done = update(client, subscription.id, cancellation_details={"comment": "moved"})
    assert done.cancellation_details.comment == "moved"


def g_2_3(client: stripe.StripeClient, mode: str) -> Any:
    """1000 a 30-day period; switched to 2000 without proration, then back to 1000 with
    always_invoice when 10 of 30 days are left."""
    customer = customer_with_card(client, email="a@example.com")
    cheap, dear = price(client, 1000, days=30), price(client, 2000, name="Dear", days=30)
    subscription = subscribe(
        client, customer.id, {"price": cheap.id}, billing_mode={"type": mode},
        expand=["latest_invoice"],
    )  # fmt: skip
    assert subscription.latest_invoice.total == 1000
    assert subscription.billing_mode.type == mode
    item = subscription["items"].data[0].id
    update(client, subscription.id, items=[{"id": item, "price": dear.id}],
           proration_behavior="none")  # fmt: skip
    back = update(
        client, subscription.id, items=[{"id": item, "price": cheap.id}],
        proration_behavior="always_invoice",
        proration_date=subscription.start_date + 20 * DAY, expand=["latest_invoice"],
    )  # fmt: skip
    return back.latest_invoice


def test_g_2_3_classic_credits_the_current_price(client: stripe.StripeClient) -> None:
    invoice = g_2_3(client, "classic")
    assert sorted(line.amount for line in invoice.lines.data) == [-667, 333]
    assert invoice.total == -334


def test_g_2_3_flexible_credits_the_last_billed_price(client: stripe.StripeClient) -> None:
    invoice = g_2_3(client, "flexible")
    assert sorted(line.amount for line in invoice.lines.data) == [-333, 333]
    assert invoice.total == 0


def test_g_2_4_flexible_credit_uses_the_item_discount_amount(
    client: stripe.StripeClient,
) -> None:
    """G-2.4 (flexible): -0.5 x (1000 - 166) = -417."""
    customer = customer_with_card(client, email="a@example.com")
    small, large = price(client, 1000, days=30), price(client, 2000, name="Large", days=30)
    coupon = client.v1.coupons.create(
        params={"amount_off": 500, "currency": "usd", "duration": "forever"}
    )
    subscription = subscribe(
        client, customer.id, {"price": small.id}, {"price": large.id},
        discounts=[{"coupon": coupon.id}], billing_mode={"type": "flexible"},
    )  # fmt: skip
    update(client, subscription.id,
           items=[{"id": subscription["items"].data[0].id, "deleted": True}],
           proration_date=subscription.start_date + 15 * DAY)  # fmt: skip
    assert [i.amount for i in pending(client, customer.id)] == [-417]
