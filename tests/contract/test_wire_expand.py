"""`expand[]` over HTTP: accepted on retrieve, list, create and update; refused with Stripe's
error for paths that are too deep or not expandable, before anything is written.

Nested expansion through real objects is covered in tests/unit/test_expand.py; customers
and events, the resources used here, hold no ids that expand today.
"""

from __future__ import annotations

import httpx
import pytest
import stripe


def test_retrieve_with_an_expandable_null_field(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create(params={"name": "Ann"})
    fetched = client.v1.customers.retrieve(
        customer.id, params={"expand": ["test_clock", "invoice_settings.default_payment_method"]}
    )
    assert fetched.test_clock is None
    assert fetched.invoice_settings.default_payment_method is None


def test_create_and_update_accept_expand(client: stripe.StripeClient) -> None:
    created = client.v1.customers.create(params={"name": "Ann", "expand": ["test_clock"]})
    updated = client.v1.customers.update(
        created.id, params={"name": "Bo", "expand": ["test_clock"]}
    )
    assert (created.name, updated.name) == ("Ann", "Bo")


def test_lists_expand_through_data(client: stripe.StripeClient) -> None:
    client.v1.customers.create(params={"name": "Ann"})
    page = client.v1.customers.list(params={"expand": ["data.test_clock"]})
    assert [c.test_clock for c in page.data] == [None]


def test_a_list_path_without_data_is_refused(client: stripe.StripeClient) -> None:
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.customers.list(params={"expand": ["test_clock"]})
    assert caught.value.user_message == "This property cannot be expanded (test_clock)."
    assert caught.value.param == "expand"


@pytest.mark.parametrize(
    ("path", "named"),
    [
        ("email", "email"),
        ("metadata", "metadata"),
        ("invoice_settings", "invoice_settings"),
        ("invoice_settings.footer", "invoice_settings.footer"),
        ("address.city", "address"),  # the first segment that leads to no expandable field
    ],
)
def test_fields_that_hold_no_id_cannot_be_expanded(
    client: stripe.StripeClient, path: str, named: str
) -> None:
    customer = client.v1.customers.create(params={"name": "Ann"})
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.customers.retrieve(customer.id, params={"expand": [path]})
    assert caught.value.http_status == 400
    assert caught.value.user_message == f"This property cannot be expanded ({named})."


def test_list_item_errors_name_the_whole_path(http: httpx.Client) -> None:
    http.post("/v1/customers", data={"name": "Ann"})
    response = http.get("/v1/customers", params={"expand[]": "data.email"})
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "This property cannot be expanded (data.email)."


def test_more_than_four_levels_are_refused(http: httpx.Client) -> None:
    response = http.get(
        "/v1/customers", params=[("expand[]", "data.test_clock"), ("expand[]", "data.a.b.c.d")]
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["param"] == "expand[1]"
    assert "more than 4 levels" in error["message"]


def test_four_levels_are_not_refused_for_depth(http: httpx.Client) -> None:
    # Refused because customers hold no such field, not because of the depth.
    http.post("/v1/customers", data={"name": "Ann"})
    response = http.get("/v1/customers", params={"expand[]": "data.a.b.c"})
    assert response.json()["error"]["message"] == "This property cannot be expanded (data.a)."


def test_an_expand_that_is_not_an_array_is_refused(http: httpx.Client) -> None:
    response = http.get("/v1/customers", params={"expand": "data.test_clock"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parameter_invalid_array"


def test_an_empty_expand_path_is_refused(http: httpx.Client) -> None:
    response = http.get("/v1/customers", params={"expand[]": "data..test_clock"})
    assert response.status_code == 400
    assert response.json()["error"]["param"] == "expand[0]"


def test_an_empty_expand_means_no_expansion(http: httpx.Client) -> None:
    response = http.get("/v1/customers", params={"expand": ""})
    assert response.status_code == 200


def test_an_events_object_is_not_expandable(client: stripe.StripeClient) -> None:
    client.v1.customers.create(params={"name": "Ann"})
    event = client.v1.events.list().data[0]
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.events.retrieve(event.id, params={"expand": ["data.object"]})
    assert caught.value.user_message == "This property cannot be expanded (data)."
