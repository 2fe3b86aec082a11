"""Webhooks end to end through the real server: endpoints made with the official SDK get
the events they subscribe to, signed so that `stripe.Webhook.construct_event` accepts them;
`POST /v1/events/{id}/retry` (what `stripe events resend` calls) sends one again; and
`GET /v1/webhook_attempts` (Seikyu's extension) shows each request and its answer. Bad input
is refused by name and changes nothing."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import stripe

from tests.support.errors import assert_error
from tests.support.receivers import Received, Receiver

WAIT = 20.0  # seconds for the server's delivery worker (it looks every half second)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


def endpoint_for(
    client: stripe.StripeClient, receiver: Receiver, path: str, *events: str
) -> stripe.WebhookEndpoint:
    return client.v1.webhook_endpoints.create(
        params={"url": receiver.url(path), "enabled_events": list(events) or ["*"]}
    )


def construct(received: Received, secret: str | None) -> stripe.Event:
    assert secret is not None
    return stripe.Webhook.construct_event(
        received.body.decode(), received.headers["Stripe-Signature"], secret
    )


def attempts(http: httpx.Client, **params: Any) -> list[dict[str, Any]]:
    response = http.get("/v1/webhook_attempts", params=params)
    assert response.status_code == 200, response.text
    data: list[dict[str, Any]] = response.json()["data"]
    return data


def eventually(check: Any, timeout: float = WAIT) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def retry(http: httpx.Client, event_id: str, **params: Any) -> httpx.Response:
    return http.post(f"/v1/events/{event_id}/retry", data=params)


def error_of(response: httpx.Response) -> dict[str, Any]:
    error: dict[str, Any] = response.json()["error"]
    return error


# --- delivery ---------------------------------------------------------------------------


def test_each_endpoint_gets_the_events_it_subscribes_to_signed_as_the_api_shows_them(
    client: stripe.StripeClient, http: httpx.Client, receiver: Receiver
) -> None:
    # Given one endpoint for customer.created only and one for everything
    only_created = endpoint_for(client, receiver, "/created", "customer.created")
    everything = endpoint_for(client, receiver, "/all")

    # When a customer is created and updated, and a product created
    customer = client.v1.customers.create(params={"email": "ada@example.com"})
    client.v1.customers.update(customer.id, params={"name": "Ada"})
    client.v1.products.create(params={"name": "Seat"})

    # Then the catch-all endpoint gets all three, the other only the creation
    assert receiver.wait_for(3, "/all", timeout=WAIT)
    assert receiver.wait_for(1, "/created", timeout=WAIT)
    time.sleep(1.0)  # anything wrongly owed would have been sent by now
    to_all = {construct(r, everything.secret).type for r in receiver.to("/all")}
    assert to_all == {"customer.created", "customer.updated", "product.created"}
    [created] = receiver.to("/created")
    event = construct(created, only_created.secret)
    assert event.type == "customer.created"
    assert event.data.object["id"] == customer.id
    with pytest.raises(stripe.SignatureVerificationError):
        construct(created, everything.secret)
    # And each body is the event as the API shows it (but for its count of deliveries
    # still pending, which has gone down since)
    shown = http.get(f"/v1/events/{event.id}").json()
    sent = event.to_dict()
    assert sent["pending_webhooks"] >= 1
    sent.pop("pending_webhooks")
    assert shown.pop("pending_webhooks") == 0
    assert sent == shown
    assert created.headers["Content-Type"] == "application/json; charset=utf-8"
    assert created.headers["User-Agent"].startswith("Seikyu/")


def test_an_event_is_retried_until_the_receiver_accepts_it(
    client: stripe.StripeClient, http: httpx.Client, receiver: Receiver
) -> None:
    receiver.answer("/flaky", 500)
    endpoint = endpoint_for(client, receiver, "/flaky", "customer.created")
    customer = client.v1.customers.create(params={"email": "bo@example.com"})
    assert receiver.wait_for(1, "/flaky", timeout=WAIT)
    [failed] = eventually(lambda: attempts(http, webhook_endpoint=endpoint.id))
    assert (failed["succeeded"], failed["status_code"]) == (False, 500)
    event = construct(receiver.to("/flaky")[0], endpoint.secret)
    assert event.data.object["id"] == customer.id
    assert http.get(f"/v1/events/{event.id}").json()["pending_webhooks"] == 1


# --- resend -----------------------------------------------------------------------------


def test_retry_sends_a_delivered_event_again(
    client: stripe.StripeClient, http: httpx.Client, receiver: Receiver
) -> None:
    endpoint = endpoint_for(client, receiver, "/again", "customer.created")
    client.v1.customers.create(params={"email": "cy@example.com"})
    assert receiver.wait_for(1, "/again", timeout=WAIT)
    event = construct(receiver.to("/again")[0], endpoint.secret)
    eventually(lambda: http.get(f"/v1/events/{event.id}").json()["pending_webhooks"] == 0)

    response = retry(http, event.id, webhook_endpoint=endpoint.id)

    assert response.status_code == 200, response.text
    shown = response.json()
    assert (shown["object"], shown["id"], shown["pending_webhooks"]) == ("event", event.id, 1)
    assert receiver.wait_for(2, "/again", timeout=WAIT)
    assert construct(receiver.to("/again")[1], endpoint.secret).id == event.id
    sent = eventually(lambda: len(attempts(http, event=event.id, succeeded="true")) == 2)
    assert sent


def test_retry_sends_an_event_to_an_endpoint_that_was_not_owed_it(
    client: stripe.StripeClient, http: httpx.Client, receiver: Receiver
) -> None:
    # Given an event recorded before the endpoint existed
    customer = client.v1.customers.create(params={"email": "di@example.com"})
    [event] = client.v1.events.list(params={"type": "customer.created"}).data
    assert event.pending_webhooks == 0
    endpoint = endpoint_for(client, receiver, "/late", "invoice.paid")

    # When it is resent to that endpoint
    response = retry(http, event.id, webhook_endpoint=endpoint.id)

    # Then the endpoint gets it
    assert response.json()["pending_webhooks"] == 1
    assert receiver.wait_for(1, "/late", timeout=WAIT)
    got = construct(receiver.to("/late")[0], endpoint.secret)
    assert (got.id, got.data.object["id"]) == (event.id, customer.id)


@pytest.mark.parametrize(
    ("params", "code", "param"),
    [
        ({}, "parameter_missing", "webhook_endpoint"),
        ({"webhook_endpoint": ""}, "parameter_invalid_empty", "webhook_endpoint"),
        (
            {"webhook_endpoint": "we_" + "x" * 500},
            "parameter_invalid_string_too_long",
            "webhook_endpoint",
        ),
        ({"webhook_endpoint[id]": "we_1"}, "parameter_invalid_string", "webhook_endpoint"),
        ({"webhook_endpoint": "we_missing"}, "resource_missing", "webhook_endpoint"),
        ({"webhook_endpoint": "WE", "color": "red"}, "parameter_unknown", "color"),
    ],
)
def test_retry_refuses_bad_input_by_name_and_changes_nothing(
    client: stripe.StripeClient,
    http: httpx.Client,
    receiver: Receiver,
    params: dict[str, str],
    code: str,
    param: str,
) -> None:
    endpoint = endpoint_for(client, receiver, "/bad", "invoice.paid")
    client.v1.customers.create(params={"email": "ed@example.com"})
    [event] = client.v1.events.list(params={"type": "customer.created"}).data
    params = {k: (endpoint.id if v == "WE" else v) for k, v in params.items()}

    response = retry(http, event.id, **params)

    assert response.status_code == 400, response.text
    error = error_of(response)
    assert error["type"] == "invalid_request_error"
    assert (error.get("code"), error.get("param")) == (code, param)
    assert http.get(f"/v1/events/{event.id}").json()["pending_webhooks"] == 0
    time.sleep(0.7)
    assert receiver.received == []


def test_retry_of_an_unknown_event_is_404(
    client: stripe.StripeClient, http: httpx.Client, receiver: Receiver
) -> None:
    endpoint = endpoint_for(client, receiver, "/nothing")
    response = retry(http, "evt_missing", webhook_endpoint=endpoint.id)
    assert response.status_code == 404
    error = error_of(response)
    assert (error["code"], error["param"]) == ("resource_missing", "id")
    assert error["message"] == "No such event: 'evt_missing'"


def test_retry_to_a_disabled_or_deleted_endpoint_is_refused(
    client: stripe.StripeClient, http: httpx.Client, receiver: Receiver
) -> None:
    disabled = endpoint_for(client, receiver, "/off", "invoice.paid")
    client.v1.webhook_endpoints.update(disabled.id, params={"disabled": True})
    deleted = endpoint_for(client, receiver, "/gone", "invoice.paid")
    client.v1.webhook_endpoints.delete(deleted.id)
    client.v1.customers.create(params={"email": "fa@example.com"})
    [event] = client.v1.events.list(params={"type": "customer.created"}).data

    refused = error_of(retry(http, event.id, webhook_endpoint=disabled.id))
    assert (refused["code"], refused["param"]) == ("webhook_endpoint_disabled", "webhook_endpoint")
    missing = error_of(retry(http, event.id, webhook_endpoint=deleted.id))
    assert (missing["code"], missing["param"]) == ("resource_missing", "webhook_endpoint")


def test_retry_is_available_to_the_sdk_as_a_raw_request(
    client: stripe.StripeClient, receiver: Receiver
) -> None:
    endpoint = endpoint_for(client, receiver, "/raw", "invoice.paid")
    client.v1.customers.create(params={"email": "gu@example.com"})
    [event] = client.v1.events.list(params={"type": "customer.created"}).data
    answer = client.raw_request(
        "post", f"/v1/events/{event.id}/retry", webhook_endpoint=endpoint.id
    )
    resent = client.deserialize(answer, api_mode="V1")
    assert (resent.object, resent.id) == ("event", event.id)
    assert receiver.wait_for(1, "/raw", timeout=WAIT)


# --- the attempts log ---------------------------------------------------------------------


@pytest.fixture
def logged(client: stripe.StripeClient, http: httpx.Client, receiver: Receiver) -> dict[str, Any]:
    """Two endpoints, one failing, each sent two customer.created events."""
    receiver.answer("/fails", 500)
    good = endpoint_for(client, receiver, "/good", "customer.created")
    bad = endpoint_for(client, receiver, "/fails", "customer.created")
    for email in ("a@example.com", "b@example.com"):
        client.v1.customers.create(params={"email": email})
    assert eventually(lambda: len(attempts(http, limit=100)) == 4)
    events = [e.id for e in client.v1.events.list(params={"type": "customer.created"}).data]
    return {"good": good.id, "bad": bad.id, "events": events}


def test_attempts_list_newest_first_with_what_each_got(
    http: httpx.Client, logged: dict[str, Any]
) -> None:
    every = attempts(http)
    assert len(every) == 4
    assert [a["id"] for a in every] == sorted((a["id"] for a in every), reverse=True)
    first = every[0]
    assert first["object"] == "webhook_attempt"
    assert first["id"].startswith("whatt_")
    assert set(first) == {
        "id", "object", "created", "duration_ms", "error", "event", "livemode",
        "response_body", "status_code", "succeeded", "webhook_endpoint",
    }  # fmt: skip
    good = attempts(http, webhook_endpoint=logged["good"])
    assert {(a["succeeded"], a["status_code"]) for a in good} == {(True, 200)}
    assert {a["response_body"] for a in good} == {'{"received": true}'}
    bad = attempts(http, webhook_endpoint=logged["bad"])
    assert {(a["succeeded"], a["status_code"]) for a in bad} == {(False, 500)}


def test_attempts_filter_by_event_and_outcome(http: httpx.Client, logged: dict[str, Any]) -> None:
    event_id = logged["events"][0]
    of_event = attempts(http, event=event_id)
    assert {a["webhook_endpoint"] for a in of_event} == {logged["good"], logged["bad"]}
    assert {a["event"] for a in of_event} == {event_id}
    assert [a["webhook_endpoint"] for a in attempts(http, event=event_id, succeeded="true")] == [
        logged["good"]
    ]
    assert {a["webhook_endpoint"] for a in attempts(http, succeeded="false")} == {logged["bad"]}


def test_attempts_page_and_expand_and_retrieve(http: httpx.Client, logged: dict[str, Any]) -> None:
    every = [a["id"] for a in attempts(http)]
    first = http.get("/v1/webhook_attempts", params={"limit": 3}).json()
    assert first["has_more"] is True
    assert first["url"] == "/v1/webhook_attempts"
    rest = attempts(http, limit=3, starting_after=first["data"][-1]["id"])
    assert [a["id"] for a in first["data"] + rest] == every
    before = attempts(http, ending_before=every[-1])
    assert [a["id"] for a in before] == every[:-1]
    expanded = attempts(http, **{"expand[]": ["data.event", "data.webhook_endpoint"]})
    assert expanded[0]["event"]["object"] == "event"
    assert expanded[0]["webhook_endpoint"]["object"] == "webhook_endpoint"
    one = http.get(f"/v1/webhook_attempts/{every[0]}").json()
    assert one == attempts(http, limit=1)[0]


@pytest.mark.parametrize(
    ("params", "code", "param"),
    [
        ({"limit": "0"}, "parameter_invalid_integer", "limit"),
        ({"limit": "101"}, "parameter_invalid_integer", "limit"),
        ({"limit": "ten"}, "parameter_invalid_integer", "limit"),
        ({"succeeded": "maybe"}, "parameter_invalid_boolean", "succeeded"),
        ({"webhook_endpoint": "we_missing"}, "resource_missing", "webhook_endpoint"),
        ({"event": "evt_missing"}, "resource_missing", "event"),
        ({"event": "evt_" + "x" * 500}, "parameter_invalid_string_too_long", "event"),
        ({"webhook_endpoint[x]": "we_1"}, "parameter_invalid_string", "webhook_endpoint"),
        ({"endpoint": "we_1"}, "parameter_unknown", "endpoint"),
        ({"starting_after": "whatt_a", "ending_before": "whatt_b"}, None, None),
    ],
)
def test_attempts_refuse_bad_input_by_name(
    http: httpx.Client, params: dict[str, str], code: str | None, param: str | None
) -> None:
    response = http.get("/v1/webhook_attempts", params=params)
    assert response.status_code == 400, response.text
    error = error_of(response)
    assert error["type"] == "invalid_request_error"
    assert (error.get("code"), error.get("param")) == (code, param)


def test_an_unknown_attempt_is_404(client: stripe.StripeClient) -> None:
    with pytest.raises(stripe.InvalidRequestError) as info:
        client.raw_request("get", "/v1/webhook_attempts/whatt_missing")
    assert_error(info.value, status=404, code="resource_missing", param="id")
