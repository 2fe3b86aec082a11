"""The v2 meter event APIs through the official SDK: sessions, the high-throughput stream
authenticated by a session's token, single events and adjustments."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import stripe
from sqlalchemy import update

from seikyu.db.models.meter_event_sessions import MeterEventSession
from seikyu.db.uow import Database
from seikyu.metering import usage_repository
from seikyu.metering.domain.aggregation import Formula, Usage, hour_floor
from tests.support.server import ServerProcess

HOUR = 3600


def rfc3339(ts: int) -> str:
    return datetime.fromtimestamp(ts, tz=UTC).isoformat().replace("+00:00", "Z")


def meter(client: stripe.StripeClient, event_name: str) -> Any:
    return client.v1.billing.meters.create(
        params={
            "display_name": event_name,
            "event_name": event_name,
            "default_aggregation": {"formula": "sum"},  # type: ignore[typeddict-item]
        }
    )


def usage(db: Database, meter_id: str, customer: str, start: int, end: int) -> Usage:
    with db.unit(readonly=True) as uow:
        return usage_repository.period_usage(
            uow.session, meter_id, customer, start, end, Formula.LAST
        )


def stream_client(server: ServerProcess, token: str) -> stripe.StripeClient:
    return stripe.StripeClient(
        token,
        base_addresses={"meter_events": server.url, "api": server.url},
        max_network_retries=0,
    )


@pytest.fixture
def customer(client: stripe.StripeClient) -> str:
    return str(client.v1.customers.create(params={"email": "stream@example.com"}).id)


@pytest.fixture
def start() -> int:
    return hour_floor(int(time.time())) - 2 * HOUR


def events(name: str, customer: str, at: int, count: int, *, prefix: str) -> list[Any]:
    return [
        {
            "event_name": name,
            "payload": {"stripe_customer_id": customer, "value": str(i + 1)},
            "identifier": f"{prefix}-{i}",
            "timestamp": rfc3339(at + i),
        }
        for i in range(count)
    ]


def test_a_session_gives_a_token_for_15_minutes(client: stripe.StripeClient) -> None:
    session = client.v2.billing.meter_event_session.create()
    assert session.object == "v2.billing.meter_event_session"
    assert session.authentication_token
    assert session.id
    created = datetime.fromisoformat(session.created)
    expires = datetime.fromisoformat(session.expires_at)
    assert (expires - created).total_seconds() == 15 * 60
    assert session.livemode is False


def test_the_stream_takes_100_events_a_request(
    client: stripe.StripeClient, server: ServerProcess, customer: str, db: Database, start: int
) -> None:
    m = meter(client, "streamed")
    token = client.v2.billing.meter_event_session.create().authentication_token
    stream = stream_client(server, token)
    for batch in range(3):
        stream.v2.billing.meter_event_stream.create(
            {"events": events("streamed", customer, start + batch * 100, 100, prefix=f"b{batch}")}
        )
    got = usage(db, m.id, customer, start, start + HOUR)
    assert (got.count, got.total) == (300, 3 * sum(range(1, 101)))


def test_duplicates_in_the_stream_are_dropped_silently(
    client: stripe.StripeClient, server: ServerProcess, customer: str, db: Database, start: int
) -> None:
    m = meter(client, "stream_dups")
    stream = stream_client(
        server, client.v2.billing.meter_event_session.create().authentication_token
    )
    batch = events("stream_dups", customer, start, 10, prefix="d")
    stream.v2.billing.meter_event_stream.create({"events": batch + batch[:3]})
    stream.v2.billing.meter_event_stream.create({"events": batch[5:]})
    got = usage(db, m.id, customer, start, start + HOUR)
    assert (got.count, got.total) == (10, sum(range(1, 11)))


def test_an_unknown_token_is_refused(server: ServerProcess) -> None:
    stream = stream_client(server, "ek_test_not_a_real_token")
    with pytest.raises(stripe.AuthenticationError) as caught:
        stream.v2.billing.meter_event_stream.create({"events": []})
    assert caught.value.http_status == 401


def test_an_expired_token_is_refused(
    client: stripe.StripeClient, server: ServerProcess, customer: str, db: Database
) -> None:
    meter(client, "expiring")
    session = client.v2.billing.meter_event_session.create()
    with db.unit() as uow:
        uow.session.execute(
            update(MeterEventSession)
            .where(MeterEventSession.id == session.id)
            .values(expires_at=datetime(2020, 1, 1, tzinfo=UTC))
        )
    stream = stream_client(server, session.authentication_token)
    with pytest.raises(stripe.AuthenticationError) as caught:
        stream.v2.billing.meter_event_stream.create(
            {"events": events("expiring", customer, int(time.time()), 1, prefix="x")}
        )
    assert caught.value.http_status == 401
    error = (caught.value.json_body or {})["error"]
    assert error["code"] == "billing_meter_event_session_expired"


def test_an_api_key_does_not_open_the_stream(
    server: ServerProcess, client: stripe.StripeClient, customer: str
) -> None:
    meter(client, "keyed")
    stream = stream_client(server, str(client._requestor._options.api_key))
    with pytest.raises(stripe.AuthenticationError):
        stream.v2.billing.meter_event_stream.create(
            {"events": events("keyed", customer, int(time.time()), 1, prefix="k")}
        )


def test_one_bad_event_fails_the_request_and_names_it(
    client: stripe.StripeClient, server: ServerProcess, customer: str, db: Database, start: int
) -> None:
    m = meter(client, "strict_stream")
    stream = stream_client(
        server, client.v2.billing.meter_event_session.create().authentication_token
    )
    batch = events("strict_stream", customer, start, 5, prefix="s")
    batch[3]["payload"]["value"] = "2.5"
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stream.v2.billing.meter_event_stream.create({"events": batch})
    assert caught.value.http_status == 400
    assert (caught.value.json_body or {})["error"]["param"] == "events[3].payload.value"
    batch[3]["payload"]["value"] = "4"
    batch[4]["payload"]["stripe_customer_id"] = "cus_nobody"
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stream.v2.billing.meter_event_stream.create({"events": batch})
    assert (caught.value.json_body or {})["error"]["param"] == (
        "events[4].payload.stripe_customer_id"
    )
    assert usage(db, m.id, customer, start, start + HOUR).count == 0


def test_a_single_v2_event(
    client: stripe.StripeClient, customer: str, db: Database, start: int
) -> None:
    m = meter(client, "single_v2")
    event = client.v2.billing.meter_events.create(
        {
            "event_name": "single_v2",
            "payload": {"stripe_customer_id": customer, "value": "12"},
            "identifier": "v2-one",
            "timestamp": rfc3339(start + 30),
        }
    )
    assert event.object == "v2.billing.meter_event"
    assert event.identifier == "v2-one"
    assert datetime.fromisoformat(event.timestamp).timestamp() == start + 30
    assert usage(db, m.id, customer, start, start + HOUR).total == 12
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v2.billing.meter_events.create(
            {
                "event_name": "single_v2",
                "payload": {"stripe_customer_id": customer, "value": "12"},
                "identifier": "v2-one",
            }
        )
    assert caught.value.code == "duplicate_meter_event"


def test_a_v2_adjustment_cancels_an_event(
    client: stripe.StripeClient, customer: str, db: Database, start: int
) -> None:
    m = meter(client, "adjusted_v2")
    client.v2.billing.meter_events.create(
        {
            "event_name": "adjusted_v2",
            "payload": {"stripe_customer_id": customer, "value": "9"},
            "identifier": "to-cancel",
            "timestamp": rfc3339(start + 1),
        }
    )
    adjustment = client.v2.billing.meter_event_adjustments.create(
        {"event_name": "adjusted_v2", "type": "cancel", "cancel": {"identifier": "to-cancel"}}
    )
    assert adjustment.object == "v2.billing.meter_event_adjustment"
    assert adjustment.id
    assert adjustment.status == "complete"
    assert adjustment.cancel.identifier == "to-cancel"
    assert usage(db, m.id, customer, start, start + HOUR).count == 0
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v2.billing.meter_event_adjustments.create(
            {"event_name": "adjusted_v2", "type": "cancel", "cancel": {"identifier": "to-cancel"}}
        )
    assert (caught.value.json_body or {})["error"]["param"] == "cancel.identifier"


def test_a_stream_request_is_logged_with_its_event_count(
    client: stripe.StripeClient, server: ServerProcess, customer: str, http: httpx.Client
) -> None:
    meter(client, "logged_stream")
    token = client.v2.billing.meter_event_session.create().authentication_token
    response = httpx.post(
        server.url + "/v2/billing/meter_event_stream",
        json={"events": events("logged_stream", customer, int(time.time()), 7, prefix="l")},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 202
    assert response.json() == {}
    line = http.get(f"/v1/request_logs/{response.headers['Request-Id']}").json()
    assert (line["status"], line["path"]) == (202, "/v2/billing/meter_event_stream")
