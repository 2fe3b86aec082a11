"""Trials reaching their end (reference section 3). The trial end is a function a scheduler
calls; the tests call it at the trial's end on the server's database and read the result
through the SDK."""

from __future__ import annotations

from datetime import UTC, datetime

import stripe

from seikyu.billing import subscription_trials
from seikyu.db.uow import Actor, Database
from tests.conftest import TestAccount
from tests.contract.test_subscription_update import DAY, price, subscribe
from tests.support.billing import customer_with_card, event_types


def end_trial_at(db: Database, account: TestAccount, subscription_id: str, at: int) -> str | None:
    """Run the trial end at `at`, a timestamp as the API shows it: whole seconds, while the
    trial ends within the second after (its exact instant keeps the request's fraction)."""
    with db.unit(Actor(account.id), now=datetime.fromtimestamp(at + 1, UTC)) as uow:
        invoice = subscription_trials.end_trial(uow, subscription_id)
        return None if invoice is None else invoice.id


def test_g_3_1_the_first_paid_period_starts_at_the_trial_end(
    client: stripe.StripeClient, db: Database, account: TestAccount
) -> None:
    customer = customer_with_card(client, email="a@example.com")
    subscription = subscribe(
        client, customer.id, {"price": price(client, 3000).id}, trial_period_days=14,
        expand=["latest_invoice"],
    )  # fmt: skip
    assert (subscription.status, subscription.latest_invoice.total) == ("trialing", 0)
    trial_end = subscription.trial_end
    assert trial_end == subscription.start_date + 14 * DAY
    assert end_trial_at(db, account, subscription.id, trial_end - 2) is None
    invoice_id = end_trial_at(db, account, subscription.id, trial_end)
    assert invoice_id is not None
    ended = client.v1.subscriptions.retrieve(subscription.id, params={"expand": ["latest_invoice"]})
    assert ended.status == "active"
    item = ended["items"].data[0]
    assert (item.current_period_start, item.current_period_end) == (trial_end, trial_end + 31 * DAY)
    invoice = ended.latest_invoice
    assert invoice.id == invoice_id
    assert (invoice.status, invoice.billing_reason, invoice.total) == (
        "draft",
        "subscription_cycle",
        3000,
    )
    line = invoice.lines.data[0]
    assert (line.period.start, line.period.end) == (trial_end, trial_end + 31 * DAY)
    assert end_trial_at(db, account, subscription.id, trial_end + 10) is None


def test_g_2_12_a_trial_before_a_later_anchor_bills_a_prorated_stub(
    client: stripe.StripeClient, db: Database, account: TestAccount
) -> None:
    """Trial 7 days, anchor 16 days out on a 30-day cycle: the stub from the trial end to
    the anchor is 9 of 30 days, 0.3 of 3000 = 900."""
    customer = customer_with_card(client, email="a@example.com")
    now = client.v1.customers.retrieve(customer.id).created + 60
    subscription = subscribe(
        client, customer.id, {"price": price(client, 3000, days=30).id},
        trial_end=now + 7 * DAY, billing_cycle_anchor=now + 16 * DAY,
    )  # fmt: skip
    invoice_id = end_trial_at(db, account, subscription.id, now + 7 * DAY)
    assert invoice_id is not None
    invoice = client.v1.invoices.retrieve(invoice_id)
    assert invoice.total == 900
    line = invoice.lines.data[0]
    assert (line.period.start, line.period.end) == (now + 7 * DAY, now + 16 * DAY)


def test_g_3_3_no_payment_method_with_cancel_ends_it(
    client: stripe.StripeClient, db: Database, account: TestAccount
) -> None:
    customer = client.v1.customers.create(params={"email": "a@example.com"})
    subscription = subscribe(
        client, customer.id, {"price": price(client, 3000).id}, trial_period_days=7,
        trial_settings={"end_behavior": {"missing_payment_method": "cancel"}},
    )  # fmt: skip
    invoices_before = client.v1.invoices.list(params={"customer": customer.id}).data
    assert end_trial_at(db, account, subscription.id, subscription.trial_end) is None
    ended = client.v1.subscriptions.retrieve(subscription.id)
    assert (ended.status, ended.ended_at) == ("canceled", subscription.trial_end)
    assert "customer.subscription.deleted" in event_types(client)
    assert len(client.v1.invoices.list(params={"customer": customer.id}).data) == len(
        invoices_before
    )


def test_g_3_4_no_payment_method_with_pause_pauses_until_resumed(
    client: stripe.StripeClient, db: Database, account: TestAccount
) -> None:
    customer = client.v1.customers.create(params={"email": "a@example.com"})
    subscription = subscribe(
        client, customer.id, {"price": price(client, 3000).id}, trial_period_days=7,
        trial_settings={"end_behavior": {"missing_payment_method": "pause"}},
    )  # fmt: skip
    assert end_trial_at(db, account, subscription.id, subscription.trial_end) is None
    paused = client.v1.subscriptions.retrieve(subscription.id)
    assert paused.status == "paused"
    assert "customer.subscription.paused" in event_types(client)
    method = client.v1.payment_methods.attach("pm_card_visa", params={"customer": customer.id})
    client.v1.customers.update(
        customer.id, params={"invoice_settings": {"default_payment_method": method.id}}
    )
    resumed = client.v1.subscriptions.resume(subscription.id, params={"expand": ["latest_invoice"]})
    assert resumed.status == "active"
    assert (resumed.latest_invoice.total, resumed.latest_invoice.status) == (3000, "paid")
    assert "customer.subscription.resumed" in event_types(client)


def test_g_3_5_no_payment_method_with_create_invoice_still_invoices(
    client: stripe.StripeClient, db: Database, account: TestAccount
) -> None:
    customer = client.v1.customers.create(params={"email": "a@example.com"})
    subscription = subscribe(
        client, customer.id, {"price": price(client, 3000).id}, trial_period_days=7
    )
    assert end_trial_at(db, account, subscription.id, subscription.trial_end) is not None
    ended = client.v1.subscriptions.retrieve(subscription.id, params={"expand": ["latest_invoice"]})
    assert ended.latest_invoice.total == 3000
    assert ended.latest_invoice.status == "draft"
