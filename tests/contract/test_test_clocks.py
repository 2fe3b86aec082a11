"""Test clocks through the official SDK (reference section 10): create, retrieve, list,
delete, advance with Stripe's limits, customers on a clock living at its time, and the
server's worker running their subscriptions at each simulated moment."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import stripe

from seikyu.db.uow import Database
from seikyu.payments.payment_intents import Redirect
from seikyu.payments.test_processor import TestProcessor
from seikyu.worker.billing import BillingWorker
from seikyu.worker.maintenance import delete_expired_test_clocks
from tests.conftest import TestAccount
from tests.support.clocks import advance, clock_at, customer_on, events_of, price, subscribe

DAY = 86400

JAN_1_2020 = 1577836800
FEB_1_2020 = 1580515200
MAR_1_2020 = 1583020800
APR_1_2020 = 1585699200
HOUR = 3600


def _error(
    error: stripe.StripeError,
    *,
    param: str | None = None,
    code: str | None = None,
    message: str | None = None,
) -> None:
    body = (error.json_body or {}).get("error", {})
    assert body.get("type") == "invalid_request_error", body
    if param is not None:
        assert body.get("param") == param, body
    if code is not None:
        assert body.get("code") == code, body
    if message is not None:
        assert message in body.get("message", ""), body


def renewals_of(client: stripe.StripeClient, subscription_id: str) -> list[tuple[int, str, int]]:
    invoices = client.v1.invoices.list(params={"subscription": subscription_id}).data
    return sorted(
        (i.created, i.status, i.total) for i in invoices if i.billing_reason == "subscription_cycle"
    )


# --- the clock itself ------------------------------------------------------------------


def test_g_10_1_create_returns_a_ready_clock_at_its_frozen_time(
    client: stripe.StripeClient,
) -> None:
    clock = clock_at(client, JAN_1_2020, name="January")
    assert clock.id.startswith("clock_")
    assert clock.object == "test_helpers.test_clock"
    assert (clock.status, clock.frozen_time, clock.name) == ("ready", JAN_1_2020, "January")
    assert clock.livemode is False
    assert clock.status_details.to_dict() == {}
    assert clock.deletes_after == clock.created + 7 * DAY
    assert client.v1.test_helpers.test_clocks.retrieve(clock.id).to_dict() == clock.to_dict()
    [event] = events_of(client, "test_helpers.test_clock.created")
    assert event.data.object.id == clock.id


def test_list_pages_newest_first(client: stripe.StripeClient) -> None:
    ids = [clock_at(client, JAN_1_2020 + n).id for n in range(3)]
    page = client.v1.test_helpers.test_clocks.list(params={"limit": 2})
    assert [clock.id for clock in page.data] == [ids[2], ids[1]]
    assert page.has_more is True
    rest = client.v1.test_helpers.test_clocks.list(params={"starting_after": ids[1]})
    assert [clock.id for clock in rest.data] == [ids[0]]


def test_delete_removes_the_clock_its_customers_and_their_subscriptions(
    client: stripe.StripeClient,
) -> None:
    clock = clock_at(client, JAN_1_2020)
    customer = customer_on(client, clock.id)
    subscription = subscribe(client, customer.id, price(client, 1000).id)
    deleted = client.v1.test_helpers.test_clocks.delete(clock.id)
    assert deleted.to_dict() == {
        "id": clock.id,
        "object": "test_helpers.test_clock",
        "deleted": True,
    }
    with pytest.raises(stripe.InvalidRequestError) as missing:
        client.v1.test_helpers.test_clocks.retrieve(clock.id)
    assert missing.value.http_status == 404
    assert client.v1.customers.retrieve(customer.id).deleted is True
    assert client.v1.subscriptions.retrieve(subscription.id).status == "canceled"
    assert [e.data.object.id for e in events_of(client, "test_helpers.test_clock.deleted")] == [
        clock.id
    ]


def test_a_clock_past_its_deletes_after_is_deleted_by_maintenance(
    client: stripe.StripeClient, db: Database
) -> None:
    clock = clock_at(client, JAN_1_2020)
    customer = customer_on(client, clock.id)
    before = datetime.fromtimestamp(clock.deletes_after - 1, UTC)
    delete_expired_test_clocks(db, now=before)
    assert client.v1.test_helpers.test_clocks.retrieve(clock.id).status == "ready"
    # Other tests' clocks share the database and expire at the same time.
    assert delete_expired_test_clocks(db, now=before + timedelta(seconds=2)) >= 1
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.test_helpers.test_clocks.retrieve(clock.id)
    assert client.v1.customers.retrieve(customer.id).deleted is True


# --- customers on a clock ----------------------------------------------------------------


def test_a_customer_on_a_clock_lives_at_its_time_and_is_listed_only_with_it(
    client: stripe.StripeClient,
) -> None:
    clock = clock_at(client, JAN_1_2020)
    customer = customer_on(client, clock.id)
    client.v1.customers.create(params={"email": "real@x.test"})
    assert customer.test_clock == clock.id
    assert customer.created == JAN_1_2020
    listed = client.v1.customers.list(params={"test_clock": clock.id})
    assert [found.id for found in listed.data] == [customer.id]
    assert customer.id not in [found.id for found in client.v1.customers.list().data]
    expanded = client.v1.customers.retrieve(customer.id, params={"expand": ["test_clock"]})
    assert expanded.test_clock.frozen_time == JAN_1_2020


def test_g_10_4_a_fourth_customer_is_refused(client: stripe.StripeClient) -> None:
    clock = clock_at(client, JAN_1_2020)
    for _ in range(3):
        client.v1.customers.create(params={"test_clock": clock.id})
    with pytest.raises(stripe.InvalidRequestError) as refused:
        client.v1.customers.create(params={"test_clock": clock.id})
    _error(refused.value, param="test_clock", message="maximum of 3 customers")
    assert len(client.v1.customers.list(params={"test_clock": clock.id}).data) == 3


def test_an_unknown_clock_is_refused_by_name(client: stripe.StripeClient) -> None:
    with pytest.raises(stripe.InvalidRequestError) as refused:
        client.v1.customers.create(params={"test_clock": "clock_nope"})
    _error(refused.value, param="test_clock", code="resource_missing")


def test_create_can_attach_an_existing_customer(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create(params={"email": "a@x.test"})
    clock = clock_at(client, JAN_1_2020, customer=customer.id)
    assert client.v1.customers.retrieve(customer.id).test_clock == clock.id
    with pytest.raises(stripe.InvalidRequestError) as twice:
        clock_at(client, JAN_1_2020, customer=customer.id)
    _error(twice.value, param="customer", message="already attached")


# --- advancing -------------------------------------------------------------------------


def test_g_10_2_two_months_of_monthly_renewals_at_their_simulated_moments(
    client: stripe.StripeClient,
) -> None:
    clock = clock_at(client, JAN_1_2020)
    customer = customer_on(client, clock.id)
    subscription = subscribe(client, customer.id, price(client, 1000).id)
    assert subscription.start_date == JAN_1_2020
    assert subscription.test_clock == clock.id
    assert subscription.items.data[0].current_period_end == FEB_1_2020
    with pytest.raises(stripe.InvalidRequestError) as too_far:
        client.v1.test_helpers.test_clocks.advance(clock.id, params={"frozen_time": APR_1_2020})
    _error(too_far.value, param="frozen_time", message="two intervals")
    ready = advance(client, clock.id, MAR_1_2020)
    assert events_of(client, "test_helpers.test_clock.advancing")[0].data.object.to_dict()[
        "status_details"
    ] == {"advancing": {"target_frozen_time": MAR_1_2020}}
    assert (ready.status, ready.frozen_time) == ("ready", MAR_1_2020)
    assert ready.status_details.to_dict() == {}
    assert renewals_of(client, subscription.id) == [
        (FEB_1_2020, "paid", 1000),
        (MAR_1_2020, "draft", 1000),
    ]
    advance(client, clock.id, MAR_1_2020 + HOUR)
    invoices = client.v1.invoices.list(params={"subscription": subscription.id}).data
    renewals = [i for i in invoices if i.billing_reason == "subscription_cycle"]
    assert renewals_of(client, subscription.id) == [
        (FEB_1_2020, "paid", 1000),
        (MAR_1_2020, "paid", 1000),
    ]
    assert all(i.test_clock == clock.id for i in renewals)
    # The finalization waits the account's hour in simulated time, as the events show.
    finalized = [e for e in events_of(client, "invoice.finalized") if e.data.object.id in
                 {i.id for i in renewals}]  # fmt: skip
    assert [e.created for e in finalized] == [FEB_1_2020 + HOUR, MAR_1_2020 + HOUR]
    types = [e.type for e in events_of(client, "test_helpers.test_clock.advancing")]
    types += [e.type for e in events_of(client, "test_helpers.test_clock.ready")]
    assert (
        types == ["test_helpers.test_clock.advancing"] * 2 + ["test_helpers.test_clock.ready"] * 2
    )
    current = client.v1.subscriptions.retrieve(subscription.id)
    assert current.items.data[0].current_period_end == APR_1_2020


def test_g_10_3_an_advance_must_move_forward(client: stripe.StripeClient) -> None:
    clock = clock_at(client, JAN_1_2020)
    for target in (JAN_1_2020, JAN_1_2020 - 1):
        with pytest.raises(stripe.InvalidRequestError) as refused:
            client.v1.test_helpers.test_clocks.advance(clock.id, params={"frozen_time": target})
        _error(refused.value, param="frozen_time", message="after the test clock")


def test_without_subscriptions_a_clock_goes_two_years_at_most(
    client: stripe.StripeClient,
) -> None:
    clock = clock_at(client, JAN_1_2020)
    two_years = 1640995200  # 2022-01-01
    with pytest.raises(stripe.InvalidRequestError) as refused:
        client.v1.test_helpers.test_clocks.advance(clock.id, params={"frozen_time": two_years + 1})
    _error(refused.value, param="frozen_time")
    assert advance(client, clock.id, two_years).frozen_time == two_years


def test_an_advancing_clock_cannot_be_advanced_again(
    client: stripe.StripeClient, db: Database, account: TestAccount
) -> None:
    clock = clock_at(client, JAN_1_2020)
    customer = customer_on(client, clock.id)
    subscribe(client, customer.id, price(client, 1000).id)
    client.v1.test_helpers.test_clocks.advance(clock.id, params={"frozen_time": FEB_1_2020})
    try:
        client.v1.test_helpers.test_clocks.advance(clock.id, params={"frozen_time": MAR_1_2020})
    except stripe.InvalidRequestError as refused:
        _error(refused, code="test_clock_advancing")
    else:  # the worker finished the first advance before the second request
        pass
    deadline = time.monotonic() + 60
    while client.v1.test_helpers.test_clocks.retrieve(clock.id).status == "advancing":
        assert time.monotonic() < deadline
        time.sleep(0.1)


def test_requests_about_a_clock_customer_run_at_the_clock_time(
    client: stripe.StripeClient,
) -> None:
    """An upgrade half-way through January 2020 prorates from the clock's time, not from
    today's date."""
    clock = clock_at(client, JAN_1_2020)
    customer = customer_on(client, clock.id)
    subscription = subscribe(client, customer.id, price(client, 3100).id)
    mid = JAN_1_2020 + 16 * DAY
    advance(client, clock.id, mid)
    item = subscription.items.data[0]
    updated = client.v1.subscriptions.update(
        subscription.id,
        params={
            "items": [{"id": item.id, "price": price(client, 6200).id}],
            "proration_behavior": "always_invoice",
            "expand": ["latest_invoice"],
        },
    )
    invoice = updated.latest_invoice
    assert invoice.created == mid
    # 15 of 31 days left: +6200*15/31 - 3100*15/31 = 3000 - 1500.
    assert invoice.total == 1500
    assert invoice.status == "paid"


def test_the_real_time_worker_leaves_clock_objects_alone(
    client: stripe.StripeClient, db: Database, account: TestAccount
) -> None:
    clock = clock_at(client, JAN_1_2020)
    customer = customer_on(client, clock.id)
    subscription = subscribe(client, customer.id, price(client, 1000).id)
    real_time = BillingWorker(
        db, TestProcessor(), Redirect("http://localhost"), account_id=account.id,
        test_clocks=False,
    )  # fmt: skip
    real_time.run_until_idle(now=datetime(2030, 1, 1, tzinfo=UTC))
    current = client.v1.subscriptions.retrieve(subscription.id)
    assert current.items.data[0].current_period_end == FEB_1_2020


# --- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "param"),
    [
        ({}, "frozen_time"),
        ({"frozen_time": "soon"}, "frozen_time"),
        ({"frozen_time": -1}, "frozen_time"),
        ({"frozen_time": JAN_1_2020, "name": "x" * 301}, "name"),
        ({"frozen_time": JAN_1_2020, "colour": "red"}, "colour"),
        ({"frozen_time": JAN_1_2020, "customer": "cus_nope"}, "customer"),
    ],
)
def test_create_refuses_bad_input_by_name(
    client: stripe.StripeClient, params: dict[str, Any], param: str
) -> None:
    with pytest.raises(stripe.InvalidRequestError) as refused:
        client.v1.test_helpers.test_clocks.create(params=params)  # type: ignore[arg-type]
    _error(refused.value, param=param)
    assert client.v1.test_helpers.test_clocks.list().data == []


@pytest.mark.parametrize(
    ("params", "param"),
    [({}, "frozen_time"), ({"frozen_time": "later"}, "frozen_time"), ({"x": 1}, "x")],
)
def test_advance_refuses_bad_input_by_name(
    client: stripe.StripeClient, params: dict[str, Any], param: str
) -> None:
    clock = clock_at(client, JAN_1_2020)
    with pytest.raises(stripe.InvalidRequestError) as refused:
        client.v1.test_helpers.test_clocks.advance(clock.id, params=params)  # type: ignore[arg-type]
    _error(refused.value, param=param)
    assert client.v1.test_helpers.test_clocks.retrieve(clock.id).status == "ready"


def test_unknown_clocks_are_404(client: stripe.StripeClient) -> None:
    for call in (
        lambda: client.v1.test_helpers.test_clocks.retrieve("clock_nope"),
        lambda: client.v1.test_helpers.test_clocks.delete("clock_nope"),
        lambda: client.v1.test_helpers.test_clocks.advance(
            "clock_nope", params={"frozen_time": FEB_1_2020}
        ),
    ):
        with pytest.raises(stripe.InvalidRequestError) as missing:
            call()
        assert missing.value.http_status == 404
        _error(missing.value, code="resource_missing")
