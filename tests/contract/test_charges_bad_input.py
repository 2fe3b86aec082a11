"""Every charges endpoint refuses bad input with Stripe's error naming the parameter, and a
refused update changes nothing."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import stripe

from tests.support.errors import assert_error, error_of


@pytest.fixture
def charge(client: stripe.StripeClient) -> stripe.Charge:
    intent = client.v1.payment_intents.create(
        params={
            "amount": 2000,
            "currency": "usd",
            "payment_method": "pm_card_visa",
            "confirm": True,
            "description": "Order 7",
            "receipt_email": "jenny@example.com",
            "metadata": {"order": "7"},
        }
    )
    return client.v1.charges.retrieve(str(intent.latest_charge))


def _error_body(response: httpx.Response) -> dict[str, Any]:
    body: dict[str, Any] = response.json()["error"]
    return body


# --- GET /v1/charges/{id} --------------------------------------------------------------


def test_retrieve_an_unknown_charge(client: stripe.StripeClient) -> None:
    error = error_of(lambda: client.v1.charges.retrieve("ch_nope"))

    assert_error(error, status=404, code="resource_missing", param="id")
    assert error.user_message == "No such charge: 'ch_nope'"


def test_retrieve_another_kind_of_id_is_missing(
    client: stripe.StripeClient, charge: stripe.Charge
) -> None:
    error = error_of(lambda: client.v1.charges.retrieve(str(charge.payment_intent)))

    assert_error(error, status=404, code="resource_missing", param="id")


def test_another_account_cannot_see_the_charge(charge: stripe.Charge, server: Any) -> None:
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

    for call in (
        lambda: stranger.v1.charges.retrieve(charge.id),
        lambda: stranger.v1.charges.update(charge.id, params={"description": "mine"}),
    ):
        assert_error(error_of(call), status=404, code="resource_missing", param="id")
    assert stranger.v1.charges.list().data == []


@pytest.mark.parametrize(
    ("query", "code", "param"),
    [
        ({"colour": "red"}, "parameter_unknown", "colour"),
        ({"expand": "customer"}, "parameter_invalid_array", "expand"),
        ({"expand[]": "amount"}, None, "expand"),
        ({"expand[]": "a.b.c.d.e"}, None, "expand[0]"),
    ],
)
def test_retrieve_refuses_bad_input(
    http: httpx.Client, charge: stripe.Charge, query: dict[str, str], code: str | None,
    param: str,
) -> None:  # fmt: skip
    response = http.get(f"/v1/charges/{charge.id}", params=query)

    assert response.status_code == 400
    body = _error_body(response)
    assert (body["type"], body.get("code"), body.get("param")) == (
        "invalid_request_error",
        code,
        param,
    )


# --- POST /v1/charges/{id} -------------------------------------------------------------


def test_update_an_unknown_charge(client: stripe.StripeClient) -> None:
    error = error_of(lambda: client.v1.charges.update("ch_nope", params={"description": "x"}))

    assert_error(error, status=404, code="resource_missing", param="id")


def _many_keys() -> dict[str, str]:
    return {f"k{n}": "v" for n in range(51)}


@pytest.mark.parametrize(
    ("params", "code", "param"),
    [
        # unknown: Seikyu's charges take no amount, and nothing it does not know
        ({"amount": 100}, "parameter_unknown", "amount"),
        ({"colour": "red"}, "parameter_unknown", "colour"),
        ({"metadata": {"order": "8"}, "currency": "jpy"}, "parameter_unknown", "currency"),
        # wrongly typed
        ({"metadata": "order"}, "parameter_invalid_hash", "metadata"),
        ({"description": ["a", "b"]}, "parameter_invalid_string", "description"),
        ({"receipt_email": {"to": "a@b.c"}}, "parameter_invalid_string", "receipt_email"),
        ({"metadata": {"order": {"id": "8"}}}, "parameter_invalid_string", "metadata[order]"),
        ({"expand": "customer"}, "parameter_invalid_array", "expand"),
        # out of range
        ({"description": "x" * 40_001}, "parameter_invalid_string_too_long", "description"),
        ({"receipt_email": "a" * 790 + "@example.com"}, "parameter_invalid_string_too_long",
         "receipt_email"),
        ({"metadata": _many_keys()}, None, "metadata"),
        ({"metadata": {"k" * 41: "v"}}, None, "metadata"),
        ({"metadata": {"order": "v" * 501}}, None, "metadata"),
    ],
)  # fmt: skip
def test_update_refuses_bad_input_and_changes_nothing(
    client: stripe.StripeClient, charge: stripe.Charge, params: dict[str, Any],
    code: str | None, param: str,
) -> None:  # fmt: skip
    error = error_of(lambda: client.v1.charges.update(charge.id, params=params))  # type: ignore[arg-type]

    assert_error(error, code=code, param=param)
    after = client.v1.charges.retrieve(charge.id)
    assert (after.description, after.receipt_email) == ("Order 7", "jenny@example.com")
    assert after.metadata.to_dict() == {"order": "7"}
    assert "charge.updated" not in [e.type for e in client.v1.events.list().data]


def test_update_refuses_a_malformed_receipt_email(
    client: stripe.StripeClient, charge: stripe.Charge
) -> None:
    error = error_of(
        lambda: client.v1.charges.update(charge.id, params={"receipt_email": "not-an-email"})
    )

    assert_error(error, code="email_invalid", param="receipt_email")
    assert client.v1.charges.retrieve(charge.id).receipt_email == "jenny@example.com"


def test_empty_values_clear_what_may_be_cleared(
    client: stripe.StripeClient, charge: stripe.Charge
) -> None:
    cleared = client.v1.charges.update(
        charge.id, params={"description": "", "receipt_email": "", "metadata": ""}
    )

    assert (cleared.description, cleared.receipt_email) == (None, None)
    assert cleared.metadata.to_dict() == {}


def test_an_update_without_parameters_changes_nothing(
    client: stripe.StripeClient, charge: stripe.Charge
) -> None:
    same = client.v1.charges.update(charge.id)

    assert (same.description, same.receipt_email) == ("Order 7", "jenny@example.com")
    assert same.metadata.to_dict() == {"order": "7"}


# --- GET /v1/charges -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "code", "param"),
    [
        # unknown
        ({"colour": "red"}, "parameter_unknown", "colour"),
        ({"status": "succeeded"}, "parameter_unknown", "status"),
        ({"created[since]": "1"}, "parameter_unknown", "created[since]"),
        # wrongly typed
        ({"limit": "ten"}, "parameter_invalid_integer", "limit"),
        ({"limit": "1.5"}, "parameter_invalid_integer", "limit"),
        ({"created": "yesterday"}, "parameter_invalid_integer", "created"),
        ({"created[gte]": "soon"}, "parameter_invalid_integer", "created[gte]"),
        ({"customer[id]": "cus_1"}, "parameter_invalid_string", "customer"),
        ({"payment_intent[]": "pi_1"}, "parameter_invalid_string", "payment_intent"),
        ({"starting_after[]": "ch_1"}, "parameter_invalid_string", "starting_after"),
        # out of range
        ({"limit": "0"}, "parameter_invalid_integer", "limit"),
        ({"limit": "101"}, "parameter_invalid_integer", "limit"),
        ({"limit": "-1"}, "parameter_invalid_integer", "limit"),
        ({"created[lt]": "1" * 30}, "parameter_invalid_integer", "created[lt]"),
        ({"created[lte]": "999999999999999"}, "parameter_invalid_integer", "created[lte]"),
        ({"customer": "c" * 5001}, "parameter_invalid_string_too_long", "customer"),
        ({"starting_after": "c" * 501}, "parameter_invalid_string_too_long", "starting_after"),
    ],
)
def test_list_refuses_bad_input(
    http: httpx.Client, query: dict[str, str], code: str | None, param: str
) -> None:
    response = http.get("/v1/charges", params=query)

    assert response.status_code == 400
    body = _error_body(response)
    assert (body.get("code"), body.get("param")) == (code, param)


def test_list_refuses_both_cursors(client: stripe.StripeClient) -> None:
    error = error_of(
        lambda: client.v1.charges.list(params={"starting_after": "ch_a", "ending_before": "ch_b"})
    )

    assert error.http_status == 400
    assert error.user_message == (
        "Received both starting_after and ending_before parameters. Please pass in only one."
    )


@pytest.mark.parametrize("cursor", ["starting_after", "ending_before"])
def test_list_takes_an_unknown_cursor_as_a_bound(
    client: stripe.StripeClient, charge: stripe.Charge, cursor: str
) -> None:
    # A documented difference (docs/api.md, "Cursors"): Stripe refuses an unknown cursor.
    params: Any = {cursor: "ch_nope", "limit": 100}
    listed = client.v1.charges.list(params=params)

    assert all(found.id.startswith("ch_") for found in listed.data)


def test_list_refuses_an_unknown_customer(client: stripe.StripeClient) -> None:
    error = error_of(lambda: client.v1.charges.list(params={"customer": "cus_nope"}))

    assert_error(error, code="resource_missing", param="customer")


def test_list_filters_and_pages(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create()
    made = []
    for amount in (1000, 2000, 3000):
        intent = client.v1.payment_intents.create(
            params={
                "amount": amount,
                "currency": "usd",
                "customer": customer.id,
                "payment_method": "pm_card_visa",
                "confirm": True,
            }
        )
        made.append(intent)
    stranger = client.v1.payment_intents.create(
        params={"amount": 500, "currency": "usd", "payment_method": "pm_card_visa", "confirm": True}
    )
    charge_ids = [str(i.latest_charge) for i in made]
    newest_first = [str(stranger.latest_charge), *reversed(charge_ids)]

    mine = client.v1.charges.list(params={"customer": customer.id})
    of_intent = client.v1.charges.list(params={"payment_intent": made[1].id})
    first = client.v1.charges.list(params={"limit": 2})
    second = client.v1.charges.list(params={"limit": 2, "starting_after": first.data[-1].id})
    back = client.v1.charges.list(params={"limit": 2, "ending_before": second.data[0].id})
    since = client.v1.charges.list(params={"created": {"gte": first.data[0].created}})

    assert [c.id for c in mine.data] == list(reversed(charge_ids))
    assert [c.amount for c in of_intent.data] == [2000]
    assert [c.id for c in first.data + second.data] == newest_first
    assert (first.has_more, second.has_more) == (True, False)
    assert [c.id for c in back.data] == newest_first[:2]
    assert [c.id for c in client.v1.charges.list(params={"limit": 1}).auto_paging_iter()] == (
        newest_first
    )
    assert str(stranger.latest_charge) in [c.id for c in since.data]
    assert client.v1.charges.list(params={"created": {"lt": made[0].created}}).data == []
