"""Every value list and value list item route refuses bad input with Stripe's error naming
the parameter: missing, unknown, of the wrong type, or out of range; and writes nothing."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import stripe

from seikyu.db.uow import Database
from tests.contract.test_radar_value_lists import (
    add,
    custom_lists,
    item_values,
    new_list,
    second_client,
)
from tests.support.errors import assert_error, error_of
from tests.support.server import ServerProcess

VALID: dict[str, Any] = {"alias": "suspects", "name": "Suspects"}
MANY_KEYS = {f"k{n}": "v" for n in range(51)}


def without(params: dict[str, Any], name: str) -> dict[str, Any]:
    return {key: value for key, value in params.items() if key != name}


def error_body(error: stripe.StripeError) -> dict[str, Any]:
    body: dict[str, Any] = (error.json_body or {}).get("error", {})
    return body


# --- POST /v1/radar/value_lists -------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "code", "param"),
    [
        # missing
        (without(VALID, "alias"), "parameter_missing", "alias"),
        (without(VALID, "name"), "parameter_missing", "name"),
        ({**VALID, "alias": ""}, "parameter_invalid_empty", "alias"),
        ({**VALID, "name": ""}, "parameter_invalid_empty", "name"),
        ({**VALID, "item_type": ""}, "parameter_invalid_empty", "item_type"),
        # unknown
        ({**VALID, "colour": "red"}, "parameter_unknown", "colour"),
        ({**VALID, "list_items": ["x"]}, "parameter_unknown", "list_items"),
        ({**VALID, "created_by": "me"}, "parameter_unknown", "created_by"),
        # wrong type
        ({**VALID, "alias": {"a": "b"}}, "parameter_invalid_string", "alias"),
        ({**VALID, "name": ["a"]}, "parameter_invalid_string", "name"),
        ({**VALID, "item_type": {"a": "b"}}, "parameter_invalid_enum", "item_type"),
        ({**VALID, "metadata": "x"}, "parameter_invalid_hash", "metadata"),
        ({**VALID, "metadata": {"a": {"b": "c"}}}, "parameter_invalid_string", "metadata[a]"),
        ({**VALID, "expand": "x"}, "parameter_invalid_array", "expand"),
        # out of range
        ({**VALID, "item_type": "phone_number"}, "parameter_invalid_enum", "item_type"),
        ({**VALID, "alias": "a" * 101}, "parameter_invalid_string_too_long", "alias"),
        ({**VALID, "name": "n" * 101}, "parameter_invalid_string_too_long", "name"),
        ({**VALID, "alias": "has space"}, None, "alias"),
        ({**VALID, "alias": "dash-ed"}, None, "alias"),
        ({**VALID, "name": "   "}, None, "name"),
        ({**VALID, "metadata": MANY_KEYS}, None, "metadata"),
        ({**VALID, "metadata": {"k" * 41: "v"}}, None, "metadata"),
        ({**VALID, "metadata": {"k": "v" * 501}}, None, "metadata"),
        ({**VALID, "expand": ["alias"]}, None, "expand"),
    ],
)
def test_create_list_refuses_bad_input(
    client: stripe.StripeClient, params: dict[str, Any], code: str | None, param: str
) -> None:
    error = error_of(lambda: client.v1.radar.value_lists.create(params=params))  # type: ignore[arg-type]

    assert_error(error, code=code, param=param)
    assert error_body(error)["type"] == "invalid_request_error"
    assert custom_lists(client) == []


def test_create_list_takes_the_longest_alias_and_name(client: stripe.StripeClient) -> None:
    created = new_list(client, alias="a" * 100, name="n" * 100)
    assert (len(created.alias), len(created.name)) == (100, 100)


# --- POST /v1/radar/value_lists/{id} --------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "code", "param"),
    [
        ({"alias": ""}, "parameter_invalid_empty", "alias"),
        ({"name": ""}, "parameter_invalid_empty", "name"),
        ({"item_type": "email"}, "parameter_unknown", "item_type"),
        ({"colour": "red"}, "parameter_unknown", "colour"),
        ({"alias": {"a": "b"}}, "parameter_invalid_string", "alias"),
        ({"name": ["a"]}, "parameter_invalid_string", "name"),
        ({"metadata": "x"}, "parameter_invalid_hash", "metadata"),
        ({"expand": "x"}, "parameter_invalid_array", "expand"),
        ({"alias": "a" * 101}, "parameter_invalid_string_too_long", "alias"),
        ({"name": "n" * 101}, "parameter_invalid_string_too_long", "name"),
        ({"alias": "no spaces please"}, None, "alias"),
        ({"name": "  "}, None, "name"),
        ({"metadata": MANY_KEYS}, None, "metadata"),
    ],
)
def test_update_list_refuses_bad_input(
    client: stripe.StripeClient, params: dict[str, Any], code: str | None, param: str
) -> None:
    created = new_list(client, metadata={"a": "1"})

    error = error_of(lambda: client.v1.radar.value_lists.update(created.id, params=params))  # type: ignore[arg-type]

    assert_error(error, code=code, param=param)
    assert client.v1.radar.value_lists.retrieve(created.id).to_dict() == created.to_dict()


def test_routes_of_an_unknown_list_are_404s(client: stripe.StripeClient) -> None:
    for call in (
        lambda: client.v1.radar.value_lists.retrieve("rsl_missing"),
        lambda: client.v1.radar.value_lists.update("rsl_missing", params={"name": "x"}),
        lambda: client.v1.radar.value_lists.delete("rsl_missing"),
        lambda: client.v1.radar.value_list_items.retrieve("rsli_missing"),
        lambda: client.v1.radar.value_list_items.delete("rsli_missing"),
    ):
        assert_error(error_of(call), status=404, code="resource_missing", param="id")


def test_lists_of_another_account_are_404s(
    client: stripe.StripeClient, server: ServerProcess, db: Database
) -> None:
    created = new_list(client)
    other = second_client(db, server)

    error = error_of(lambda: other.v1.radar.value_lists.retrieve(created.id))
    assert_error(error, status=404, code="resource_missing", param="id")
    error = error_of(lambda: add(other, created.id, "x"))
    assert_error(error, code="resource_missing", param="value_list")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/radar/value_lists/{list}"),
        ("DELETE", "/v1/radar/value_lists/{list}"),
        ("GET", "/v1/radar/value_list_items/{item}"),
        ("DELETE", "/v1/radar/value_list_items/{item}"),
    ],
)
def test_object_routes_refuse_unknown_params(http: httpx.Client, method: str, path: str) -> None:
    created = http.post("/v1/radar/value_lists", data={"alias": "a", "name": "A"}).json()
    item = http.post(
        "/v1/radar/value_list_items", data={"value_list": created["id"], "value": "x"}
    ).json()
    url = path.format(list=created["id"], item=item["id"])

    answer = http.request(method, url, params={"colour": "red"})

    assert answer.status_code == 400
    error = answer.json()["error"]
    assert (error["type"], error["code"], error["param"]) == (
        "invalid_request_error",
        "parameter_unknown",
        "colour",
    )
    assert http.get(url).status_code == 200


# --- GET /v1/radar/value_lists --------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "code", "param"),
    [
        ({"limit": 0}, "parameter_invalid_integer", "limit"),
        ({"limit": 101}, "parameter_invalid_integer", "limit"),
        ({"limit": "ten"}, "parameter_invalid_integer", "limit"),
        ({"alias": "a" * 101}, "parameter_invalid_string_too_long", "alias"),
        ({"alias": {"a": "b"}}, "parameter_invalid_string", "alias"),
        ({"contains": "c" * 801}, "parameter_invalid_string_too_long", "contains"),
        ({"contains": ["a"]}, "parameter_invalid_string", "contains"),
        ({"created": "yesterday"}, "parameter_invalid_integer", "created"),
        ({"created": {"gt": "soon"}}, "parameter_invalid_integer", "created[gt]"),
        ({"created": {"after": 1}}, "parameter_unknown", "created[after]"),
        ({"created": {"lt": 10**13}}, "parameter_invalid_integer", "created[lt]"),
        ({"starting_after": {"a": "b"}}, "parameter_invalid_string", "starting_after"),
        ({"value": "x"}, "parameter_unknown", "value"),
        ({"colour": "red"}, "parameter_unknown", "colour"),
    ],
)
def test_list_lists_refuses_bad_input(
    client: stripe.StripeClient, query: dict[str, Any], code: str, param: str
) -> None:
    error = error_of(lambda: client.v1.radar.value_lists.list(params=query))  # type: ignore[arg-type]

    assert_error(error, code=code, param=param)


def test_list_lists_refuses_both_cursors(client: stripe.StripeClient) -> None:
    error = error_of(
        lambda: client.v1.radar.value_lists.list(
            params={"starting_after": "rsl_a", "ending_before": "rsl_b"}
        )
    )
    assert error.http_status == 400
    assert "only one" in str(error.user_message)


# --- POST /v1/radar/value_list_items --------------------------------------------------------


@pytest.fixture
def email_list(client: stripe.StripeClient) -> str:
    return new_list(client, alias="emails", item_type="email").id


@pytest.mark.parametrize(
    ("changes", "code", "param"),
    [
        # missing
        ({"value": None}, "parameter_missing", "value"),
        ({"value_list": None}, "parameter_missing", "value_list"),
        ({"value": ""}, "parameter_invalid_empty", "value"),
        ({"value_list": ""}, "parameter_invalid_empty", "value_list"),
        # unknown
        ({"colour": "red"}, "parameter_unknown", "colour"),
        ({"item_type": "email"}, "parameter_unknown", "item_type"),
        # wrong type
        ({"value": {"a": "b"}}, "parameter_invalid_string", "value"),
        ({"value_list": ["a"]}, "parameter_invalid_string", "value_list"),
        ({"expand": "x"}, "parameter_invalid_array", "expand"),
        # out of range
        ({"value": "v" * 801}, "parameter_invalid_string_too_long", "value"),
        ({"value": "not an email"}, None, "value"),
        ({"value_list": "rsl_missing"}, "resource_missing", "value_list"),
    ],
)
def test_create_item_refuses_bad_input(
    client: stripe.StripeClient,
    email_list: str,
    changes: dict[str, Any],
    code: str | None,
    param: str,
) -> None:
    params = {"value_list": email_list, "value": "jenny@example.com", **changes}
    params = {key: value for key, value in params.items() if value is not None}

    error = error_of(lambda: client.v1.radar.value_list_items.create(params=params))  # type: ignore[arg-type]

    assert_error(error, code=code, param=param)
    assert error_body(error)["type"] == "invalid_request_error"
    assert item_values(client, email_list) == []


def test_a_string_list_takes_the_longest_value(client: stripe.StripeClient) -> None:
    created = new_list(client)
    assert add(client, created.id, "v" * 800).value == "v" * 800


# --- GET /v1/radar/value_list_items ---------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "code", "param", "status"),
    [
        ({"value_list": None}, "parameter_missing", "value_list", 400),
        ({"value_list": ""}, "parameter_invalid_empty", "value_list", 400),
        ({"value_list": "rsl_missing"}, "resource_missing", "value_list", 400),
        ({"value_list": {"a": "b"}}, "parameter_invalid_string", "value_list", 400),
        ({"value": "v" * 801}, "parameter_invalid_string_too_long", "value", 400),
        ({"value": ["a"]}, "parameter_invalid_string", "value", 400),
        ({"limit": 0}, "parameter_invalid_integer", "limit", 400),
        ({"limit": 101}, "parameter_invalid_integer", "limit", 400),
        ({"limit": "1.5"}, "parameter_invalid_integer", "limit", 400),
        ({"created": "today"}, "parameter_invalid_integer", "created", 400),
        ({"created": {"gte": "x"}}, "parameter_invalid_integer", "created[gte]", 400),
        ({"ending_before": {"a": "b"}}, "parameter_invalid_string", "ending_before", 400),
        ({"contains": "x"}, "parameter_unknown", "contains", 400),
        ({"colour": "red"}, "parameter_unknown", "colour", 400),
    ],
)
def test_list_items_refuses_bad_input(
    client: stripe.StripeClient,
    email_list: str,
    changes: dict[str, Any],
    code: str,
    param: str,
    status: int,
) -> None:
    query = {"value_list": email_list, **changes}
    query = {key: value for key, value in query.items() if value is not None}

    error = error_of(lambda: client.v1.radar.value_list_items.list(params=query))  # type: ignore[arg-type]

    assert_error(error, status=status, code=code, param=param)


def test_list_items_refuses_both_cursors(client: stripe.StripeClient, email_list: str) -> None:
    error = error_of(
        lambda: client.v1.radar.value_list_items.list(
            params={"value_list": email_list, "starting_after": "a", "ending_before": "b"}
        )
    )
    assert error.http_status == 400
    assert "only one" in str(error.user_message)
