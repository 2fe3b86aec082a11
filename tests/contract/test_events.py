"""Events: written with every state change in the same transaction, served by /v1/events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import stripe

from seikyu.core.api_version import API_VERSION
from seikyu.customers import service as customers
from seikyu.db.uow import Actor, Database
from tests.conftest import TestAccount as Account


def events(http: httpx.Client, **params: Any) -> list[dict[str, Any]]:
    response = http.get("/v1/events", params=params)
    assert response.status_code == 200, response.text
    data: list[dict[str, Any]] = response.json()["data"]
    return data


def types(http: httpx.Client, **params: Any) -> list[str]:
    return [event["type"] for event in events(http, **params)]


# --- what a state change writes ----------------------------------------------------------------


def test_a_create_writes_customer_created_with_the_object(http: httpx.Client) -> None:
    response = http.post(
        "/v1/customers", data={"email": "ann@example.com"}, headers={"Idempotency-Key": "ev-1"}
    )
    customer = response.json()
    (event,) = events(http)
    assert event["object"] == "event"
    assert event["id"].startswith("evt_")
    assert event["type"] == "customer.created"
    assert event["data"] == {"object": customer}
    assert event["api_version"] == API_VERSION
    assert event["livemode"] is False
    assert event["pending_webhooks"] == 0
    assert event["request"] == {"id": response.headers["Request-Id"], "idempotency_key": "ev-1"}
    assert event["created"] == customer["created"]


def test_an_update_carries_the_old_values_of_what_changed(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create(
        params={"email": "old@example.com", "name": "Ann", "metadata": {"a": "1", "b": "2"}}
    )
    client.v1.customers.update(
        customer.id,
        params={"email": "new@example.com", "name": "Ann", "metadata": {"a": "", "c": "3"}},
    )
    event = client.v1.events.list(params={"type": "customer.updated"}).data[0]
    assert event.data.object["email"] == "new@example.com"
    assert event.data.object["metadata"].to_dict() == {"b": "2", "c": "3"}
    previous = event.data.previous_attributes
    assert previous is not None
    assert previous.to_dict() == {"email": "old@example.com", "metadata": {"a": "1", "c": None}}


def test_an_update_that_changes_nothing_writes_no_event(http: httpx.Client) -> None:
    customer = http.post("/v1/customers", data={"name": "Ann"}).json()
    http.post(f"/v1/customers/{customer['id']}", data={"name": "Ann"})
    assert types(http) == ["customer.created"]


def test_a_delete_carries_the_object_as_it_was(http: httpx.Client) -> None:
    customer = http.post("/v1/customers", data={"email": "gone@example.com"}).json()
    deleted = http.delete(f"/v1/customers/{customer['id']}").json()
    assert deleted == {"id": customer["id"], "object": "customer", "deleted": True}
    event = events(http, type="customer.deleted")[0]
    assert event["data"]["object"]["email"] == "gone@example.com"
    assert "previous_attributes" not in event["data"]


def test_a_failed_request_writes_no_event(http: httpx.Client) -> None:
    http.post("/v1/customers", data={"name": "Ann", "colour": "red"})
    http.post("/v1/customers", data={"name": "Ann", "expand[]": "email"})
    assert events(http) == []


def test_events_written_outside_a_request_have_a_null_request_id(
    db: Database, account: Account, http: httpx.Client
) -> None:
    with db.unit(Actor(account.id)) as uow:
        customers.create(uow, {"name": "Batch"})
    assert events(http)[0]["request"] == {"id": None, "idempotency_key": None}


def test_the_sdk_reads_events_as_event_objects(client: stripe.StripeClient) -> None:
    created = client.v1.customers.create(params={"name": "Ann"})
    listed = client.v1.events.list()
    assert isinstance(listed.data[0], stripe.Event)
    fetched = client.v1.events.retrieve(listed.data[0].id)
    assert isinstance(fetched, stripe.Event)
    assert fetched.data.object["id"] == created.id
    assert fetched.request is not None
    assert fetched.request.idempotency_key


# --- listing -----------------------------------------------------------------------------------


@pytest.fixture
def history(http: httpx.Client) -> list[str]:
    """created, updated, created, deleted: four events, oldest first."""
    first = http.post("/v1/customers", data={"name": "A"}).json()
    http.post(f"/v1/customers/{first['id']}", data={"name": "B"})
    second = http.post("/v1/customers", data={"name": "C"}).json()
    http.delete(f"/v1/customers/{second['id']}")
    return [event["id"] for event in reversed(events(http))]


def test_newest_first(history: list[str], http: httpx.Client) -> None:
    assert types(http) == [
        "customer.deleted",
        "customer.created",
        "customer.updated",
        "customer.created",
    ]
    assert [event["id"] for event in events(http)] == list(reversed(history))


def test_filter_by_one_type(history: list[str], http: httpx.Client) -> None:
    assert types(http, type="customer.created") == ["customer.created"] * 2


def test_filter_by_a_wildcard(history: list[str], http: httpx.Client) -> None:
    assert len(types(http, type="customer.*")) == 4
    assert types(http, type="*.deleted") == ["customer.deleted"]
    assert types(http, type="invoice.*") == []


def test_a_wildcard_does_not_treat_sql_patterns_as_patterns(
    history: list[str], http: httpx.Client
) -> None:
    assert types(http, type="customer._reated") == []
    assert types(http, type="customer.%") == []


def test_filter_by_several_types(history: list[str], http: httpx.Client) -> None:
    response = http.get(
        "/v1/events", params=[("types[]", "customer.updated"), ("types[]", "customer.deleted")]
    )
    assert [event["type"] for event in response.json()["data"]] == [
        "customer.deleted",
        "customer.updated",
    ]


def test_type_and_types_together_are_refused(client: stripe.StripeClient) -> None:
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.events.list(params={"type": "customer.created", "types": ["customer.updated"]})
    assert caught.value.code == "parameters_exclusive"


def test_more_than_20_types_are_refused(http: httpx.Client) -> None:
    response = http.get("/v1/events", params=[("types[]", f"t.{i}") for i in range(21)])
    assert response.status_code == 400
    assert response.json()["error"]["param"] == "types"


def test_an_empty_type_is_no_filter(history: list[str], http: httpx.Client) -> None:
    assert len(types(http, type="")) == 4


def test_delivery_success(history: list[str], http: httpx.Client) -> None:
    # No webhook endpoint exists, so nothing is pending and nothing has failed.
    assert len(events(http, delivery_success="true")) == 4
    assert events(http, delivery_success="false") == []
    refused = http.get("/v1/events", params={"delivery_success": "yes"})
    assert refused.json()["error"]["code"] == "parameter_invalid_boolean"


def test_pages_of_events(history: list[str], http: httpx.Client) -> None:
    first = http.get("/v1/events", params={"limit": "3"}).json()
    assert first["has_more"] is True
    assert first["url"] == "/v1/events"
    rest = events(http, starting_after=first["data"][-1]["id"])
    assert [e["id"] for e in first["data"] + rest] == list(reversed(history))


def test_created_filters_on_events(db: Database, account: Account, http: httpx.Client) -> None:
    at = datetime(2026, 5, 1, tzinfo=UTC)
    for day in range(3):
        with db.unit(Actor(account.id), now=at + timedelta(days=day)) as uow:
            customers.create(uow, {"name": f"day {day}"})
    second = int((at + timedelta(days=1)).timestamp())
    assert [e["data"]["object"]["name"] for e in events(http, created=second)] == ["day 1"]
    after = events(http, **{"created[gt]": second})
    assert [e["data"]["object"]["name"] for e in after] == ["day 2"]
    assert len(events(http, **{"created[lte]": second})) == 2


# --- retrieve ----------------------------------------------------------------------------------


def test_retrieve_an_event(history: list[str], http: httpx.Client) -> None:
    event = http.get(f"/v1/events/{history[1]}").json()
    assert (event["id"], event["type"]) == (history[1], "customer.updated")


def test_retrieve_an_unknown_event(client: stripe.StripeClient) -> None:
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.events.retrieve("evt_nothere")
    assert caught.value.http_status == 404
    assert (caught.value.code, caught.value.param) == ("resource_missing", "id")
    assert caught.value.user_message == "No such event: 'evt_nothere'"


def test_retrieve_refuses_unknown_parameters(history: list[str], http: httpx.Client) -> None:
    response = http.get(f"/v1/events/{history[0]}", params={"type": "x"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parameter_unknown"


def test_list_refuses_bad_parameters(http: httpx.Client) -> None:
    for params, code, param in [
        ({"limit": "0"}, "parameter_invalid_integer", "limit"),
        ({"types": "customer.created"}, "parameter_invalid_array", "types"),
        ({"object": "customer"}, "parameter_unknown", "object"),
        ({"type": "x" * 101}, "parameter_invalid_string_too_long", "type"),
    ]:
        response = http.get("/v1/events", params=params)
        assert response.status_code == 400, params
        error = response.json()["error"]
        assert (error["code"], error["param"]) == (code, param), params
