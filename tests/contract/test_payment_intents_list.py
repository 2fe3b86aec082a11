"""GET /v1/payment_intents: filters, pagination, and its bad input."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import stripe

from tests.support.errors import assert_error, error_of


@dataclass(frozen=True)
class Intents:
    customer: stripe.Customer
    newest_first: list[str]  # all five intents
    customers: list[str]  # the customer's three, newest first


@pytest.fixture
def intents(client: stripe.StripeClient) -> Intents:
    customer = client.v1.customers.create()
    made = []
    for amount, owner in ((1000, customer.id), (1100, None), (1200, customer.id),
                          (1300, None), (1400, customer.id)):  # fmt: skip
        params: dict[str, Any] = {"amount": amount, "currency": "usd"}
        if owner:
            params["customer"] = owner
        made.append(client.v1.payment_intents.create(params=params))  # type: ignore[arg-type]
    newest_first = [i.id for i in reversed(made)]
    return Intents(customer, newest_first, [newest_first[0], newest_first[2], newest_first[4]])


def _ids(page: Any) -> list[str]:
    return [intent.id for intent in page.data]


def test_an_empty_list(client: stripe.StripeClient) -> None:
    page: Any = client.v1.payment_intents.list()

    assert (page.object, page.url, page.data, page.has_more) == (
        "list",
        "/v1/payment_intents",
        [],
        False,
    )


def test_newest_first_in_pages(client: stripe.StripeClient, intents: Intents) -> None:
    list_ = client.v1.payment_intents.list
    first = list_(params={"limit": 2})
    second = list_(params={"limit": 2, "starting_after": first.data[-1].id})
    third = list_(params={"limit": 2, "starting_after": second.data[-1].id})
    back = list_(params={"limit": 2, "ending_before": third.data[0].id})

    assert _ids(first) + _ids(second) + _ids(third) == intents.newest_first
    assert (first.has_more, second.has_more, third.has_more) == (True, True, False)
    assert _ids(back) == intents.newest_first[2:4]
    assert back.has_more is True
    assert _ids(list_()) == intents.newest_first  # the default limit of 10 holds all five
    walked = [i.id for i in list_(params={"limit": 2}).auto_paging_iter()]
    assert walked == intents.newest_first


def test_the_customer_filter(client: stripe.StripeClient, intents: Intents) -> None:
    mine = client.v1.payment_intents.list(params={"customer": intents.customer.id})
    first = client.v1.payment_intents.list(params={"customer": intents.customer.id, "limit": 2})
    rest = client.v1.payment_intents.list(
        params={"customer": intents.customer.id, "starting_after": first.data[-1].id}
    )

    assert _ids(mine) == intents.customers
    assert (_ids(first), first.has_more) == (intents.customers[:2], True)
    assert (_ids(rest), rest.has_more) == (intents.customers[2:], False)
    assert all(i.customer == intents.customer.id for i in mine.data)


def test_another_customer_has_none(client: stripe.StripeClient, intents: Intents) -> None:
    other = client.v1.customers.create()

    assert client.v1.payment_intents.list(params={"customer": other.id}).data == []


def test_the_created_filter(client: stripe.StripeClient, intents: Intents) -> None:
    newest = client.v1.payment_intents.retrieve(intents.newest_first[0]).created
    oldest = client.v1.payment_intents.retrieve(intents.newest_first[-1]).created
    list_ = client.v1.payment_intents.list

    assert _ids(list_(params={"created": {"gte": oldest}})) == intents.newest_first
    assert _ids(list_(params={"created": {"lte": newest}})) == intents.newest_first
    assert list_(params={"created": {"gt": newest}}).data == []
    assert list_(params={"created": {"lt": oldest}}).data == []
    exact = _ids(list_(params={"created": oldest}))
    assert intents.newest_first[-1] in exact
    assert set(exact) <= set(intents.newest_first)
    both = list_(params={"created": {"gte": oldest}, "customer": intents.customer.id})
    assert _ids(both) == intents.customers


def test_lists_expand_through_data(client: stripe.StripeClient, intents: Intents) -> None:
    page: Any = client.v1.payment_intents.list(
        params={"customer": intents.customer.id, "limit": 1, "expand": ["data.customer"]}
    )

    assert page.data[0].customer.id == intents.customer.id


def test_other_accounts_intents_are_not_listed(
    client: stripe.StripeClient, intents: Intents, server: Any
) -> None:
    from seikyu.accounts import service as accounts
    from seikyu.app import build_database

    database = build_database(server.database_url, pool_size=1)
    try:
        with database.unit() as uow:
            other = accounts.create_account(uow, name="other")
            uow.session.flush()
            key = accounts.create_key(uow, other.id)
    finally:
        database.dispose()
    stranger = stripe.StripeClient(
        key.secret, base_addresses={"api": server.url}, max_network_retries=0
    )

    assert stranger.v1.payment_intents.list().data == []
    error = error_of(
        lambda: stranger.v1.payment_intents.list(params={"customer": intents.customer.id})
    )
    assert_error(error, code="resource_missing", param="customer")


# --- bad input -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "code", "param"),
    [
        # unknown
        ({"colour": "red"}, "parameter_unknown", "colour"),
        ({"status": "succeeded"}, "parameter_unknown", "status"),
        ({"payment_method": "pm_1"}, "parameter_unknown", "payment_method"),
        ({"created[since]": "1"}, "parameter_unknown", "created[since]"),
        # wrongly typed
        ({"limit": "ten"}, "parameter_invalid_integer", "limit"),
        ({"limit": "2.0"}, "parameter_invalid_integer", "limit"),
        ({"created": "yesterday"}, "parameter_invalid_integer", "created"),
        ({"created[gt]": "soon"}, "parameter_invalid_integer", "created[gt]"),
        ({"customer[id]": "cus_1"}, "parameter_invalid_string", "customer"),
        ({"ending_before[]": "pi_1"}, "parameter_invalid_string", "ending_before"),
        ({"expand": "data.customer"}, "parameter_invalid_array", "expand"),
        # out of range
        ({"limit": "0"}, "parameter_invalid_integer", "limit"),
        ({"limit": "101"}, "parameter_invalid_integer", "limit"),
        ({"created[gte]": "1" * 30}, "parameter_invalid_integer", "created[gte]"),
        ({"created[lt]": "999999999999999"}, "parameter_invalid_integer", "created[lt]"),
        ({"customer": "c" * 5001}, "parameter_invalid_string_too_long", "customer"),
        ({"ending_before": "p" * 501}, "parameter_invalid_string_too_long", "ending_before"),
        # expand
        ({"expand[]": "customer"}, None, "expand"),  # a list expands through data.
    ],
)
def test_list_refuses_bad_input(
    http: httpx.Client, query: dict[str, str], code: str | None, param: str
) -> None:
    response = http.get("/v1/payment_intents", params=query)

    assert response.status_code == 400
    body = response.json()["error"]
    assert (body["type"], body.get("code"), body.get("param")) == (
        "invalid_request_error",
        code,
        param,
    )


def test_list_refuses_both_cursors(client: stripe.StripeClient) -> None:
    error = error_of(
        lambda: client.v1.payment_intents.list(
            params={"starting_after": "pi_a", "ending_before": "pi_b"}
        )
    )

    assert error.http_status == 400
    assert error.user_message == (
        "Received both starting_after and ending_before parameters. Please pass in only one."
    )


@pytest.mark.parametrize("cursor", ["starting_after", "ending_before"])
def test_list_takes_an_unknown_cursor_as_a_bound(
    client: stripe.StripeClient, intents: Intents, cursor: str
) -> None:
    # A documented difference (docs/api.md, "Cursors"): Stripe refuses an unknown cursor.
    params: Any = {cursor: "pi_nope", "limit": 100}
    listed = client.v1.payment_intents.list(params=params)

    assert all(intent.id.startswith("pi_") for intent in listed.data)


def test_list_refuses_an_unknown_customer(client: stripe.StripeClient) -> None:
    error = error_of(lambda: client.v1.payment_intents.list(params={"customer": "cus_nope"}))

    assert_error(error, code="resource_missing", param="customer")
