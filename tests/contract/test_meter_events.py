"""Reporting usage through the v1 meter event API with the official SDK: what is counted,
deduplication by identifier, cancellation within 24 hours, Stripe's time window, and
Idempotency-Key replays. Usage is read back from the hourly rollups that invoices read."""

from __future__ import annotations

import threading
import time
from typing import Any

import httpx
import pytest
import stripe

from seikyu.db.models.meter_events import MeterEvent
from seikyu.db.uow import Database
from seikyu.metering import usage_repository
from seikyu.metering.domain.aggregation import Formula, Usage, hour_floor
from tests.conftest import TestAccount

HOUR = 3600
DAY = 86400


def meter(client: stripe.StripeClient, event_name: str, formula: str = "sum") -> Any:
    return client.v1.billing.meters.create(
        params={
            "display_name": event_name,
            "event_name": event_name,
            "default_aggregation": {"formula": formula},  # type: ignore[typeddict-item]
        }
    )


def report(
    client: stripe.StripeClient,
    event_name: str,
    customer: str,
    value: int | str,
    **fields: Any,
) -> Any:
    payload = {"stripe_customer_id": customer, "value": str(value)}
    return client.v1.billing.meter_events.create(
        params={"event_name": event_name, "payload": payload, **fields}
    )


def usage(db: Database, meter_id: str, customer: str, start: int, end: int) -> Usage:
    with db.unit(readonly=True) as uow:
        return usage_repository.period_usage(
            uow.session, meter_id, customer, start, end, Formula.LAST
        )


def whole_hours_ago(hours: int) -> int:
    """The start of an hour `hours` back: a span of whole hours reads only rollups."""
    return hour_floor(int(time.time())) - hours * HOUR


@pytest.fixture
def customer(client: stripe.StripeClient) -> str:
    return str(client.v1.customers.create(params={"email": "usage@example.com"}).id)


def error_of(call: Any) -> dict[str, Any]:
    with pytest.raises(stripe.InvalidRequestError) as caught:
        call()
    body = (caught.value.json_body or {}).get("error", {})
    assert caught.value.http_status == 400, body
    return dict(body)


# --- reporting and reading back ----------------------------------------------------------


def test_an_event_is_answered_as_stripe_shows_it(
    client: stripe.StripeClient, customer: str
) -> None:
    meter(client, "api_calls")
    at = whole_hours_ago(2) + 60
    event = report(client, "api_calls", customer, 7, identifier="call-1", timestamp=at)
    assert event.object == "billing.meter_event"
    assert (event.event_name, event.identifier, event.timestamp) == ("api_calls", "call-1", at)
    assert event.payload.to_dict() == {"stripe_customer_id": customer, "value": "7"}
    assert event.livemode is False
    assert abs(event.created - time.time()) < 60


def test_an_identifier_is_generated_when_none_is_given(
    client: stripe.StripeClient, customer: str
) -> None:
    meter(client, "gen_ids")
    first = report(client, "gen_ids", customer, 1)
    second = report(client, "gen_ids", customer, 1)
    assert first.identifier
    assert second.identifier
    assert first.identifier != second.identifier
    assert abs(first.timestamp - time.time()) < 60


def test_sum_count_and_last_come_from_the_hourly_rollups(
    client: stripe.StripeClient, customer: str, db: Database
) -> None:
    """G-9.2: three events over two hours aggregate to their sum, count and last value."""
    m = meter(client, "tokens")
    start = whole_hours_ago(3)
    report(client, "tokens", customer, 5, timestamp=start + 10)
    report(client, "tokens", customer, 20, timestamp=start + HOUR + 5)
    report(client, "tokens", customer, 3, timestamp=start + HOUR + 900)

    got = usage(db, m.id, customer, start, start + 2 * HOUR)
    assert (got.total, got.count, got.peak, got.last) == (28, 3, 20, 3)
    with db.unit(readonly=True) as uow:
        hours = usage_repository.hourly_usage(uow.session, m.id, customer, start, start + 7200)
    assert {bucket: u.total for bucket, u in hours.items()} == {start: 5, start + HOUR: 23}


def test_last_is_the_latest_event_timestamp_not_the_latest_received(
    client: stripe.StripeClient, customer: str, db: Database
) -> None:
    m = meter(client, "seats", formula="last")
    start = whole_hours_ago(2)
    report(client, "seats", customer, 9, timestamp=start + 600)
    report(client, "seats", customer, 4, timestamp=start + 60)  # older, arrives later
    assert usage(db, m.id, customer, start, start + HOUR).last == 9


def test_negative_values_are_counted(
    client: stripe.StripeClient, customer: str, db: Database
) -> None:
    m = meter(client, "credits")
    start = whole_hours_ago(2)
    report(client, "credits", customer, 10, timestamp=start + 1)
    report(client, "credits", customer, -4, timestamp=start + 2)
    assert usage(db, m.id, customer, start, start + HOUR).total == 6


def test_a_meter_with_its_own_payload_keys(
    client: stripe.StripeClient, customer: str, db: Database
) -> None:
    m = client.v1.billing.meters.create(
        params={
            "display_name": "Bytes",
            "event_name": "bytes_out",
            "default_aggregation": {"formula": "sum"},  # type: ignore[typeddict-item]
            "customer_mapping": {"event_payload_key": "account", "type": "by_id"},
            "value_settings": {"event_payload_key": "bytes"},
        }
    )
    start = whole_hours_ago(2)
    client.v1.billing.meter_events.create(
        params={
            "event_name": "bytes_out",
            "payload": {"account": customer, "bytes": "1024"},
            "timestamp": start + 5,
        }
    )
    assert usage(db, m.id, customer, start, start + HOUR).total == 1024


# --- deduplication ------------------------------------------------------------------------


def test_a_repeated_identifier_is_rejected_and_counted_once(
    client: stripe.StripeClient, customer: str, db: Database
) -> None:
    """G-9.3: Stripe answers a duplicate identifier with a 400 and keeps the first."""
    m = meter(client, "dedup")
    start = whole_hours_ago(2)
    report(client, "dedup", customer, 5, identifier="once", timestamp=start + 1)
    error = error_of(
        lambda: report(client, "dedup", customer, 5, identifier="once", timestamp=start + 1)
    )
    assert (error["code"], error["param"]) == ("duplicate_meter_event", "identifier")
    got = usage(db, m.id, customer, start, start + HOUR)
    assert (got.total, got.count) == (5, 1)


def test_identifiers_are_scoped_to_the_account(
    client: stripe.StripeClient, customer: str, server: Any, db: Database
) -> None:
    from seikyu.accounts import service as accounts

    with db.unit() as uow:
        other_account = accounts.create_account(uow, name="other")
        uow.session.flush()
        secret = accounts.create_key(uow, other_account.id).secret
    other = stripe.StripeClient(secret, base_addresses={"api": server.url}, max_network_retries=0)
    meter(client, "scoped")
    meter(other, "scoped")
    theirs = str(other.v1.customers.create().id)
    report(client, "scoped", customer, 1, identifier="shared-id")
    assert report(other, "scoped", theirs, 1, identifier="shared-id").identifier == "shared-id"


def test_concurrent_identical_identifiers_count_exactly_once(
    client: stripe.StripeClient, customer: str, db: Database, server: Any, account: TestAccount
) -> None:
    """G-9.3 under load: eight clients race the same identifier; one wins, seven are told."""
    m = meter(client, "raced")
    start = whole_hours_ago(2)
    outcomes: list[str] = []
    barrier = threading.Barrier(8)

    def send() -> None:
        own = stripe.StripeClient(
            account.secret, base_addresses={"api": server.url}, max_network_retries=0
        )
        barrier.wait()
        try:
            report(own, "raced", customer, 3, identifier="race-1", timestamp=start + 1)
            outcomes.append("ok")
        except stripe.InvalidRequestError as error:
            outcomes.append(str(error.code))

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["duplicate_meter_event"] * 7 + ["ok"]
    got = usage(db, m.id, customer, start, start + HOUR)
    assert (got.total, got.count) == (3, 1)


# --- cancellation ---------------------------------------------------------------------------


def cancel(client: stripe.StripeClient, event_name: str, identifier: str) -> Any:
    return client.v1.billing.meter_event_adjustments.create(
        params={"event_name": event_name, "type": "cancel", "cancel": {"identifier": identifier}}
    )


def test_a_canceled_event_stops_counting(
    client: stripe.StripeClient, customer: str, db: Database
) -> None:
    """G-9.4: within 24 hours of receipt an event can be canceled, sum, count, max and last
    included."""
    m = meter(client, "cancelable")
    start = whole_hours_ago(2)
    report(client, "cancelable", customer, 4, identifier="keep", timestamp=start + 10)
    report(client, "cancelable", customer, 50, identifier="drop", timestamp=start + 20)

    adjustment = cancel(client, "cancelable", "drop")
    assert adjustment.object == "billing.meter_event_adjustment"
    assert (adjustment.status, adjustment.type) == ("complete", "cancel")
    assert adjustment.cancel.identifier == "drop"
    assert adjustment.event_name == "cancelable"

    got = usage(db, m.id, customer, start, start + HOUR)
    assert (got.total, got.count, got.peak, got.last) == (4, 1, 4, 4)
    error = error_of(lambda: cancel(client, "cancelable", "drop"))
    assert error["param"] == "cancel[identifier]"
    assert "already canceled" in error["message"]


def test_canceling_every_event_of_an_hour_leaves_it_empty(
    client: stripe.StripeClient, customer: str, db: Database
) -> None:
    m = meter(client, "emptied")
    start = whole_hours_ago(2)
    report(client, "emptied", customer, 8, identifier="only", timestamp=start + 10)
    cancel(client, "emptied", "only")
    got = usage(db, m.id, customer, start, start + HOUR)
    assert (got.total, got.count, got.peak, got.last) == (0, 0, None, None)
    report(client, "emptied", customer, 2, identifier="later", timestamp=start + 30)
    got = usage(db, m.id, customer, start, start + HOUR)
    assert (got.total, got.count, got.peak, got.last) == (2, 1, 2, 2)


def test_an_event_received_over_24_hours_ago_cannot_be_canceled(
    client: stripe.StripeClient, customer: str, db: Database, account: TestAccount
) -> None:
    """G-9.4: the window runs from when the event was received (real time), not its
    timestamp; the old receipt is written as the server would have written it then."""
    m = meter(client, "too_late")
    now = int(time.time())
    with db.unit() as uow:
        uow.session.add(
            MeterEvent(
                account_id=account.id,
                livemode=False,
                meter_id=m.id,
                customer_id=customer,
                identifier="yesterday",
                timestamp=now - 2 * DAY,
                value=1,
                received=now - DAY - 60,
                canceled=False,
            )
        )
    error = error_of(lambda: cancel(client, "too_late", "yesterday"))
    assert error["param"] == "cancel[identifier]"
    assert "24 hours" in error["message"]


def test_canceling_an_unknown_identifier_is_refused(client: stripe.StripeClient) -> None:
    meter(client, "nothing_here")
    error = error_of(lambda: cancel(client, "nothing_here", "never-sent"))
    assert error["param"] == "cancel[identifier]"


def test_canceling_under_another_event_name_is_refused(
    client: stripe.StripeClient, customer: str
) -> None:
    meter(client, "name_a")
    meter(client, "name_b")
    report(client, "name_a", customer, 1, identifier="named")
    assert error_of(lambda: cancel(client, "name_b", "named"))["param"] == "event_name"


# --- the time window ------------------------------------------------------------------------


def test_timestamps_35_days_back_are_accepted_36_are_not(
    client: stripe.StripeClient, customer: str
) -> None:
    """G-9.5; the margins absorb the time the request takes to reach the server."""
    meter(client, "windowed")
    now = int(time.time())
    report(client, "windowed", customer, 1, timestamp=now - 35 * DAY + 30)
    error = error_of(lambda: report(client, "windowed", customer, 1, timestamp=now - 36 * DAY))
    assert error["param"] == "timestamp"
    assert "35 days" in error["message"]


def test_timestamps_5_minutes_ahead_are_accepted_6_are_not(
    client: stripe.StripeClient, customer: str
) -> None:
    meter(client, "ahead")
    now = int(time.time())
    report(client, "ahead", customer, 1, timestamp=now + 300 - 30)
    error = error_of(lambda: report(client, "ahead", customer, 1, timestamp=now + 360))
    assert error["param"] == "timestamp"
    assert "5 minutes" in error["message"]


def test_a_fractional_value_is_rejected(client: stripe.StripeClient, customer: str) -> None:
    meter(client, "whole")
    error = error_of(lambda: report(client, "whole", customer, "2.5"))
    assert error["param"] == "payload[value]"


def test_a_test_clock_customer_reports_at_the_clock_time(
    client: stripe.StripeClient, db: Database
) -> None:
    """For a customer on a test clock, "now" is the clock's frozen time: the default
    timestamp and both edges of the window."""
    frozen = 1_735_689_600  # 2025-01-01T00:00:00Z
    clock = client.v1.test_helpers.test_clocks.create(params={"frozen_time": frozen})
    on_clock = str(client.v1.customers.create(params={"test_clock": clock.id}).id)
    m = meter(client, "clocked")
    event = report(client, "clocked", on_clock, 6)
    assert event.timestamp == frozen
    report(client, "clocked", on_clock, 1, timestamp=frozen - 35 * DAY)
    assert error_of(lambda: report(client, "clocked", on_clock, 1, timestamp=frozen + 400))
    assert error_of(lambda: report(client, "clocked", on_clock, 1, timestamp=int(time.time())))
    assert usage(db, m.id, on_clock, frozen, frozen + HOUR).total == 6


# --- idempotency ----------------------------------------------------------------------------


def test_a_retry_with_the_same_idempotency_key_replays_and_counts_once(
    http: httpx.Client, client: stripe.StripeClient, customer: str, db: Database
) -> None:
    m = meter(client, "retried")
    start = whole_hours_ago(2)
    body = {
        "event_name": "retried",
        "payload[stripe_customer_id]": customer,
        "payload[value]": "5",
        "timestamp": str(start + 1),
    }
    first = http.post("/v1/billing/meter_events", data=body, headers={"Idempotency-Key": "k1"})
    again = http.post("/v1/billing/meter_events", data=body, headers={"Idempotency-Key": "k1"})
    assert first.status_code == again.status_code == 200
    assert again.content == first.content
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.headers["Original-Request"] == first.headers["Request-Id"]
    assert usage(db, m.id, customer, start, start + HOUR).count == 1

    changed = http.post(
        "/v1/billing/meter_events",
        data={**body, "payload[value]": "6"},
        headers={"Idempotency-Key": "k1"},
    )
    assert changed.status_code == 400
    assert changed.json()["error"]["type"] == "idempotency_error"


def test_every_request_has_one_log_line(
    client: stripe.StripeClient, customer: str, http: httpx.Client
) -> None:
    meter(client, "logged")
    ok = http.post(
        "/v1/billing/meter_events",
        data={
            "event_name": "logged",
            "payload[stripe_customer_id]": customer,
            "payload[value]": "1",
        },
    )
    bad = http.post("/v1/billing/meter_events", data={"event_name": "logged"})
    for response, status in ((ok, 200), (bad, 400)):
        line = http.get(f"/v1/request_logs/{response.headers['Request-Id']}").json()
        assert (line["status"], line["method"]) == (status, "POST")
        assert line["path"] == "/v1/billing/meter_events"
