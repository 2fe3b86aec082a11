"""payment_behavior=pending_if_incomplete: an update that cuts an invoice stands only once
that invoice is paid (reference section 4.2)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import stripe

from seikyu.billing import subscription_pending_updates
from seikyu.db.uow import Actor, Database
from seikyu.payments.test_processor import TestProcessor
from tests.conftest import TestAccount
from tests.contract.test_subscription_update import price, subscribe, update
from tests.support.billing import customer_with_card, event_types
from tests.support.errors import assert_error, error_of

HOURS_23 = 23 * 3600


def declining(client: stripe.StripeClient, customer: str) -> None:
    """From now on the customer's invoices are charged to a card that declines."""
    card = client.v1.payment_methods.attach(
        "pm_card_chargeCustomerFail", params={"customer": customer}
    )
    client.v1.customers.update(
        customer, params={"invoice_settings": {"default_payment_method": card.id}}
    )


def seats(client: stripe.StripeClient, quantity: int = 1) -> tuple[Any, Any]:
    customer = customer_with_card(client, email="a@example.com")
    subscription = subscribe(
        client, customer.id, {"price": price(client, 1000).id, "quantity": quantity}
    )
    return customer, subscription


def held(client: stripe.StripeClient, subscription: Any, quantity: int, **extra: Any) -> Any:
    item = subscription["items"].data[0]
    return update(
        client,
        subscription.id,
        items=[{"id": item.id, "quantity": quantity}],
        proration_behavior="always_invoice",
        payment_behavior="pending_if_incomplete",
        expand=["latest_invoice"],
        **extra,
    )


def test_a_paid_update_applies_at_once(client: stripe.StripeClient) -> None:
    _, subscription = seats(client)
    updated = held(client, subscription, 3)
    assert updated.pending_update is None
    assert updated["items"].data[0].quantity == 3
    assert updated.latest_invoice.status == "paid"
    assert updated.status == "active"


def test_a_declined_update_waits_in_pending_update_until_paid(
    client: stripe.StripeClient,
) -> None:
    customer, subscription = seats(client)
    declining(client, customer.id)
    updated = held(client, subscription, 3, metadata={"plan": "three"})
    invoice = updated.latest_invoice
    assert (invoice.status, invoice.attempt_count) == ("open", 1)
    assert updated.status == "active"
    assert updated["items"].data[0].quantity == 1
    assert updated.metadata.to_dict() == {}
    waiting = updated.pending_update
    assert [i.quantity for i in waiting.subscription_items] == [3]
    assert waiting.subscription_items[0].id == subscription["items"].data[0].id
    assert waiting.expires_at == invoice.created + HOURS_23
    assert waiting.metadata.to_dict() == {"plan": "three"}
    assert (waiting.trial_end, waiting.billing_cycle_anchor) == (None, None)
    # The failed charge leaves the subscription as it was, not past_due.
    assert client.v1.subscriptions.retrieve(subscription.id).status == "active"

    client.v1.invoices.pay(invoice.id, params={"payment_method": "pm_card_visa"})
    after = client.v1.subscriptions.retrieve(subscription.id)
    assert after.pending_update is None
    assert after["items"].data[0].quantity == 3
    assert after.metadata.to_dict() == {"plan": "three"}
    assert after.status == "active"
    assert "customer.subscription.pending_update_applied" in event_types(client)


def test_an_added_item_exists_only_once_paid(client: stripe.StripeClient) -> None:
    customer, subscription = seats(client)
    declining(client, customer.id)
    extra = price(client, 500, name="Support")
    updated = update(
        client,
        subscription.id,
        items=[{"price": extra.id}],
        proration_behavior="always_invoice",
        payment_behavior="pending_if_incomplete",
    )
    assert len(updated["items"].data) == 1
    shown = updated.pending_update.subscription_items
    assert sorted(i.price.id for i in shown) == sorted(
        [subscription["items"].data[0].price.id, extra.id]
    )
    added = next(i for i in shown if i.price.id == extra.id)
    error = error_of(lambda: client.v1.subscription_items.retrieve(added.id))
    assert error.http_status == 404
    client.v1.invoices.pay(updated.latest_invoice, params={"payment_method": "pm_card_visa"})
    after = client.v1.subscriptions.retrieve(subscription.id)
    assert sorted(i.id for i in after["items"].data) == sorted(i.id for i in shown)
    assert client.v1.subscription_items.retrieve(added.id).price.id == extra.id


def test_a_deleted_item_stays_until_paid(client: stripe.StripeClient) -> None:
    customer, subscription = seats(client)
    support = price(client, 500, name="Support")
    subscription = update(client, subscription.id, items=[{"price": support.id}])
    declining(client, customer.id)
    gone = next(i for i in subscription["items"].data if i.price.id == support.id)
    kept = next(i for i in subscription["items"].data if i.id != gone.id)
    updated = update(
        client,
        subscription.id,
        items=[{"id": gone.id, "deleted": True}, {"id": kept.id, "quantity": 3}],
        proration_behavior="always_invoice",
        payment_behavior="pending_if_incomplete",
    )
    assert updated.latest_invoice != subscription.latest_invoice
    assert len(updated["items"].data) == 2
    assert [(i.id, i.quantity) for i in updated.pending_update.subscription_items] == [(kept.id, 3)]
    client.v1.invoices.pay(updated.latest_invoice, params={"payment_method": "pm_card_visa"})
    after = client.v1.subscriptions.retrieve(subscription.id)
    assert [(i.id, i.quantity) for i in after["items"].data] == [(kept.id, 3)]


def test_ending_a_trial_now_waits_for_its_payment(client: stripe.StripeClient) -> None:
    customer = customer_with_card(client, email="a@example.com")
    subscription = subscribe(
        client, customer.id, {"price": price(client, 1000).id}, trial_period_days=10
    )
    declining(client, customer.id)
    updated = update(
        client,
        subscription.id,
        trial_end="now",
        payment_behavior="pending_if_incomplete",
        expand=["latest_invoice"],
    )
    assert updated.status == "trialing"
    assert updated.trial_end == subscription.trial_end
    period_end = updated["items"].data[0].current_period_end
    assert period_end == subscription["items"].data[0].current_period_end
    assert updated.pending_update.trial_end == updated.latest_invoice.created
    assert updated.latest_invoice.amount_due == 1000
    client.v1.invoices.pay(updated.latest_invoice.id, params={"payment_method": "pm_card_visa"})
    after = client.v1.subscriptions.retrieve(subscription.id)
    assert after.status == "active"
    assert after.trial_end == updated.latest_invoice.created
    assert after["items"].data[0].current_period_start == updated.latest_invoice.created


def test_voiding_the_invoice_drops_the_update(client: stripe.StripeClient) -> None:
    customer, subscription = seats(client)
    declining(client, customer.id)
    updated = held(client, subscription, 3)
    client.v1.invoices.void_invoice(updated.latest_invoice.id)
    after = client.v1.subscriptions.retrieve(subscription.id)
    assert after.pending_update is None
    assert after["items"].data[0].quantity == 1


def test_it_expires_after_23_hours(
    client: stripe.StripeClient, db: Database, account: TestAccount
) -> None:
    customer, subscription = seats(client)
    declining(client, customer.id)
    updated = held(client, subscription, 3)
    expires_at = updated.pending_update.expires_at
    with db.unit(Actor(account.id), now=datetime.fromtimestamp(expires_at - 60, UTC)) as uow:
        assert subscription_pending_updates.expire(uow, TestProcessor(), subscription.id) is None
    with db.unit(Actor(account.id), now=datetime.fromtimestamp(expires_at + 1, UTC)) as uow:
        assert subscription_pending_updates.expire(uow, TestProcessor(), subscription.id)
    after = client.v1.subscriptions.retrieve(subscription.id)
    assert after.pending_update is None
    assert after["items"].data[0].quantity == 1
    assert client.v1.invoices.retrieve(updated.latest_invoice.id).status == "void"
    assert "customer.subscription.pending_update_expired" in event_types(client)


def test_canceling_drops_the_update(client: stripe.StripeClient) -> None:
    customer, subscription = seats(client)
    declining(client, customer.id)
    updated = held(client, subscription, 3)
    canceled = client.v1.subscriptions.cancel(subscription.id)
    assert canceled.pending_update is None
    assert client.v1.invoices.retrieve(updated.latest_invoice.id).status == "void"


def test_a_new_update_of_the_items_replaces_it(client: stripe.StripeClient) -> None:
    customer, subscription = seats(client)
    declining(client, customer.id)
    first = held(client, subscription, 3)
    second = held(client, subscription, 5)
    assert client.v1.invoices.retrieve(first.latest_invoice.id).status == "void"
    assert [i.quantity for i in second.pending_update.subscription_items] == [5]
    # A metadata change leaves it waiting.
    kept = update(client, subscription.id, metadata={"note": "x"})
    assert kept.pending_update is not None


def test_an_update_that_invoices_nothing_applies_at_once(client: stripe.StripeClient) -> None:
    customer, subscription = seats(client)
    declining(client, customer.id)
    item = subscription["items"].data[0]
    updated = update(
        client,
        subscription.id,
        items=[{"id": item.id, "quantity": 2}],
        payment_behavior="pending_if_incomplete",
    )
    assert updated.pending_update is None
    assert updated["items"].data[0].quantity == 2
    assert updated.latest_invoice == subscription.latest_invoice


def test_the_item_endpoints_hold_their_change_too(client: stripe.StripeClient) -> None:
    customer, subscription = seats(client)
    declining(client, customer.id)
    item = subscription["items"].data[0]
    shown = client.v1.subscription_items.update(
        item.id,
        params={
            "quantity": 4,
            "proration_behavior": "always_invoice",
            "payment_behavior": "pending_if_incomplete",
        },
    )
    assert shown.quantity == 4
    assert client.v1.subscription_items.retrieve(item.id).quantity == 1
    extra = price(client, 500, name="Support")
    created = client.v1.subscription_items.create(
        params={
            "subscription": subscription.id,
            "price": extra.id,
            "proration_behavior": "always_invoice",
            "payment_behavior": "pending_if_incomplete",
        }
    )
    assert created.price.id == extra.id
    waiting = client.v1.subscriptions.retrieve(subscription.id).pending_update
    assert created.id in [i.id for i in waiting.subscription_items]


def test_what_a_pending_update_cannot_carry(client: stripe.StripeClient) -> None:
    customer, subscription = seats(client)
    item = subscription["items"].data[0]
    for params, param in [
        ({"description": "x"}, "description"),
        ({"cancel_at_period_end": True}, "cancel_at_period_end"),
        ({"items": [{"id": item.id, "metadata": {"a": "b"}}]}, "items[0][metadata]"),
        ({"items": [{"id": item.id, "tax_rates": ["txr_1"]}]}, "items[0][tax_rates]"),
    ]:
        error = error_of(
            lambda p=params: update(  # type: ignore[misc]
                client, subscription.id, payment_behavior="pending_if_incomplete", **p
            )
        )
        assert_error(error, code=None, param=param)
    error = error_of(
        lambda: client.v1.subscription_items.update(
            item.id, params={"metadata": {"a": "b"}, "payment_behavior": "pending_if_incomplete"}
        )
    )
    assert error.param == "metadata"
    invoiced = subscribe(
        client,
        customer.id,
        {"price": price(client, 700).id},
        collection_method="send_invoice",
        days_until_due=30,
    )
    error = error_of(
        lambda: update(
            client,
            invoiced.id,
            items=[{"id": invoiced["items"].data[0].id, "quantity": 2}],
            payment_behavior="pending_if_incomplete",
        )
    )
    assert_error(error, code=None, param="payment_behavior")
    unchanged = client.v1.subscriptions.retrieve(subscription.id)
    assert (unchanged.description, unchanged.cancel_at_period_end) == (None, False)


def test_one_needing_3d_secure_applies_once_authenticated(
    client: stripe.StripeClient, http: Any
) -> None:
    customer = customer_with_card(client, email="a@example.com")
    subscription = subscribe(client, customer.id, {"price": price(client, 1000).id})
    card = client.v1.payment_methods.attach(
        "pm_card_authenticationRequired", params={"customer": customer.id}
    )
    client.v1.customers.update(
        customer.id, params={"invoice_settings": {"default_payment_method": card.id}}
    )
    updated = held(client, subscription, 2)
    assert updated.pending_update is not None
    invoice = client.v1.invoices.retrieve(
        updated.latest_invoice.id, params={"expand": ["payments"]}
    )
    intent_id = invoice.payments.data[0].payment.payment_intent
    assert client.v1.payment_intents.retrieve(intent_id).status == "requires_action"
    response = http.post(
        f"/v1/test_helpers/payment_intents/{intent_id}/authenticate",
        data={"outcome": "complete"},
    )
    assert response.status_code == 200, response.text
    after = client.v1.subscriptions.retrieve(subscription.id)
    assert (after.pending_update, after["items"].data[0].quantity) == (None, 2)
