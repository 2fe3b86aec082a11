"""Bad input on every meter event route, v1 and v2: each is refused with a 400 (401 for
credentials) that names the parameter at fault, and nothing is counted."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
import stripe

from tests.support.server import ServerProcess

V1_EVENTS = "/v1/billing/meter_events"
V1_ADJUST = "/v1/billing/meter_event_adjustments"
V2_EVENTS = "/v2/billing/meter_events"
V2_ADJUST = "/v2/billing/meter_event_adjustments"
V2_STREAM = "/v2/billing/meter_event_stream"
V2_SESSION = "/v2/billing/meter_event_session"
DAY = 86400


@pytest.fixture
def customer(client: stripe.StripeClient) -> str:
    client.v1.billing.meters.create(
        params={
            "display_name": "Calls",
            "event_name": "calls",
            "default_aggregation": {"formula": "sum"},  # type: ignore[typeddict-item]
        }
    )
    return str(client.v1.customers.create().id)


@pytest.fixture
def stream(client: stripe.StripeClient, server: ServerProcess) -> httpx.Client:
    token = client.v2.billing.meter_event_session.create().authentication_token
    return httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"})


def refused(response: httpx.Response, param: str | None, status: int = 400) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error = dict(response.json()["error"])
    assert error.get("param") == param, error
    assert error["message"]
    return error


def v1(customer: str, **changes: str | None) -> dict[str, str]:
    form: dict[str, str | None] = {
        "event_name": "calls",
        "payload[stripe_customer_id]": customer,
        "payload[value]": "1",
        **changes,
    }
    return {k: v for k, v in form.items() if v is not None}


# --- v1 events ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "param"),
    [
        ({"event_name": None}, "event_name"),
        ({"event_name": ""}, "event_name"),
        ({"event_name": "x" * 101}, "event_name"),
        ({"event_name": "no_such_meter"}, "event_name"),
        ({"payload[stripe_customer_id]": None}, "payload[stripe_customer_id]"),
        ({"payload[stripe_customer_id]": "cus_nobody"}, "payload[stripe_customer_id]"),
        ({"payload[value]": None}, "payload[value]"),
        ({"payload[value]": "abc"}, "payload[value]"),
        ({"payload[value]": "2.5"}, "payload[value]"),
        ({"payload[value]": "1000000000001"}, "payload[value]"),
        ({"identifier": "i" * 101}, "identifier"),
        ({"timestamp": "soon"}, "timestamp"),
        ({"timestamp": str(int(time.time()) - 40 * DAY)}, "timestamp"),
        ({"timestamp": str(int(time.time()) + DAY)}, "timestamp"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_v1_event_bad_parameters(
    http: httpx.Client, customer: str, changes: dict[str, str | None], param: str
) -> None:
    refused(http.post(V1_EVENTS, data=v1(customer, **changes)), param)


def test_v1_event_without_a_payload(http: httpx.Client, customer: str) -> None:
    refused(http.post(V1_EVENTS, data={"event_name": "calls"}), "payload")


def test_v1_event_for_an_inactive_meter_says_so(
    http: httpx.Client, client: stripe.StripeClient, customer: str
) -> None:
    old = client.v1.billing.meters.create(
        params={
            "display_name": "Old",
            "event_name": "retired",
            "default_aggregation": {"formula": "sum"},  # type: ignore[typeddict-item]
        }
    )
    client.v1.billing.meters.deactivate(old.id)
    error = refused(http.post(V1_EVENTS, data=v1(customer, event_name="retired")), "event_name")
    assert "inactive" in error["message"]


def test_v1_event_with_a_value_of_10_to_the_12_is_accepted(
    http: httpx.Client, customer: str
) -> None:
    assert http.post(
        V1_EVENTS, data=v1(customer, **{"payload[value]": "-1000000000000"})
    ).is_success


def test_v1_event_without_credentials(server: ServerProcess, customer: str) -> None:
    refused(httpx.post(server.url + V1_EVENTS, data=v1(customer)), None, status=401)
    response = httpx.post(
        server.url + V1_EVENTS, data=v1(customer), headers={"Authorization": "Bearer sk_test_x"}
    )
    refused(response, None, status=401)


def test_v1_event_with_an_overlong_idempotency_key(http: httpx.Client, customer: str) -> None:
    response = http.post(V1_EVENTS, data=v1(customer), headers={"Idempotency-Key": "k" * 256})
    refused(response, "Idempotency-Key")


# --- v1 adjustments ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("form", "param"),
    [
        ({"type": "cancel", "cancel[identifier]": "x"}, "event_name"),
        ({"event_name": "calls", "cancel[identifier]": "x"}, "type"),
        ({"event_name": "calls", "type": "refund", "cancel[identifier]": "x"}, "type"),
        ({"event_name": "calls", "type": "cancel"}, "cancel"),
        ({"event_name": "calls", "type": "cancel", "cancel": "x"}, "cancel"),
        ({"event_name": "calls", "type": "cancel", "cancel[id]": "x"}, "cancel[id]"),
        ({"event_name": "calls", "type": "cancel", "cancel[identifier]": ""}, "cancel[identifier]"),
        (
            {"event_name": "calls", "type": "cancel", "cancel[identifier]": "x" * 101},
            "cancel[identifier]",
        ),
        (
            {"event_name": "calls", "type": "cancel", "cancel[identifier]": "gone"},
            "cancel[identifier]",
        ),
        (
            {"event_name": "calls", "type": "cancel", "cancel[identifier]": "x", "extra": "1"},
            "extra",
        ),
    ],
)
def test_v1_adjustment_bad_parameters(
    http: httpx.Client, customer: str, form: dict[str, str], param: str
) -> None:
    refused(http.post(V1_ADJUST, data=form), param)


# --- v2 single events and adjustments ---------------------------------------------------------


def v2(customer: str, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "event_name": "calls",
        "payload": {"stripe_customer_id": customer, "value": "1"},
        **changes,
    }
    return {k: v for k, v in body.items() if v is not None}


@pytest.mark.parametrize(
    ("changes", "param"),
    [
        ({"event_name": None}, "event_name"),
        ({"event_name": 7}, "event_name"),
        ({"payload": None}, "payload"),
        ({"payload": ["a"]}, "payload"),
        (
            {"payload": {"stripe_customer_id": "cus_nobody", "value": "1"}},
            "payload.stripe_customer_id",
        ),
        ({"payload": {"value": "1"}}, "payload.stripe_customer_id"),
        ({"payload": {"stripe_customer_id": "{customer}", "value": 3}}, "payload.value"),
        ({"payload": {"stripe_customer_id": "{customer}", "value": "1e3"}}, "payload.value"),
        ({"timestamp": "yesterday"}, "timestamp"),
        ({"timestamp": 1700000000}, "timestamp"),
        ({"timestamp": "2020-01-01T00:00:00Z"}, "timestamp"),
        ({"timestamp": "2025-01-01T00:00:00"}, "timestamp"),
        ({"identifier": ""}, "identifier"),
        ({"unknown": True}, "unknown"),
    ],
)
def test_v2_event_bad_parameters(
    http: httpx.Client, customer: str, changes: dict[str, Any], param: str
) -> None:
    body = v2(customer, **changes)
    if (
        isinstance(body.get("payload"), dict)
        and body["payload"].get("stripe_customer_id") == "{customer}"
    ):
        body["payload"]["stripe_customer_id"] = customer
    refused(http.post(V2_EVENTS, json=body), param)


def test_v2_event_with_a_body_that_is_not_json(http: httpx.Client) -> None:
    response = http.post(
        V2_EVENTS, content=b"event_name=calls", headers={"Content-Type": "application/json"}
    )
    refused(response, None)


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"type": "cancel", "cancel": {"identifier": "x"}}, "event_name"),
        ({"event_name": "calls", "cancel": {"identifier": "x"}}, "type"),
        ({"event_name": "calls", "type": "void", "cancel": {"identifier": "x"}}, "type"),
        ({"event_name": "calls", "type": "cancel"}, "cancel"),
        ({"event_name": "calls", "type": "cancel", "cancel": {}}, "cancel.identifier"),
        (
            {"event_name": "calls", "type": "cancel", "cancel": {"identifier": 5}},
            "cancel.identifier",
        ),
        (
            {"event_name": "calls", "type": "cancel", "cancel": {"identifier": "gone"}},
            "cancel.identifier",
        ),
    ],
)
def test_v2_adjustment_bad_parameters(
    http: httpx.Client, customer: str, body: dict[str, Any], param: str
) -> None:
    refused(http.post(V2_ADJUST, json=body), param)


def test_v2_session_takes_no_parameters(http: httpx.Client) -> None:
    refused(http.post(V2_SESSION, json={"ttl": 60}), "ttl")


def test_v2_session_needs_an_api_key(server: ServerProcess) -> None:
    refused(httpx.post(server.url + V2_SESSION, json={}), None, status=401)


# --- the v2 stream ------------------------------------------------------------------------------


def stream_event(customer: str, **changes: Any) -> dict[str, Any]:
    return v2(customer, **changes)


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({}, "events"),
        ({"events": "all"}, "events"),
        ({"events": []}, "events"),
        ({"events": [1]}, "events[0]"),
        ({"events": [{"payload": {"value": "1"}}]}, "events[0].event_name"),
        ({"extra": 1, "events": []}, "extra"),
    ],
)
def test_stream_bad_request_shapes(stream: httpx.Client, body: dict[str, Any], param: str) -> None:
    refused(stream.post(V2_STREAM, json=body), param)


def test_stream_with_more_than_100_events(stream: httpx.Client, customer: str) -> None:
    body = {"events": [stream_event(customer, identifier=f"e{i}") for i in range(101)]}
    refused(stream.post(V2_STREAM, json=body), "events")


@pytest.mark.parametrize(
    ("changes", "param"),
    [
        ({"event_name": "no_such_meter"}, "events[2].event_name"),
        ({"payload": {"value": "1"}}, "events[2].payload.stripe_customer_id"),
        (
            {"payload": {"stripe_customer_id": "cus_nobody", "value": "1"}},
            "events[2].payload.stripe_customer_id",
        ),
        ({"timestamp": "not a time"}, "events[2].timestamp"),
        ({"identifier": 12}, "events[2].identifier"),
        ({"identifier": "   "}, "events[2].identifier"),
        ({"event_name": " "}, "events[2].event_name"),
        ({"timestamp": "2025-01-01 00:00:00Z"}, "events[2].timestamp"),
        ({"color": "red"}, "events[2].color"),
    ],
)
def test_stream_names_the_bad_event(
    stream: httpx.Client, customer: str, changes: dict[str, Any], param: str
) -> None:
    batch = [stream_event(customer, identifier=f"ok{i}") for i in range(4)]
    batch[2] = {**batch[2], **changes}
    refused(stream.post(V2_STREAM, json={"events": batch}), param)


def test_stream_refuses_a_null_byte_where_it_is(
    stream: httpx.Client, http: httpx.Client, customer: str
) -> None:
    batch = [stream_event(customer, identifier=f"nul{i}") for i in range(3)]
    batch[1]["payload"]["note"] = "a\x00b"
    refused(stream.post(V2_STREAM, json={"events": batch}), "events[1].payload.note")
    refused(http.post(V2_EVENTS, json=v2(customer, identifier="x\x00")), "identifier")
