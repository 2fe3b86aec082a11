"""Every payment method endpoint refuses bad input with Stripe's error naming the parameter,
and a refused request changes nothing."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import stripe

from tests.support.errors import assert_error, error_of

CARD = {"number": "4242424242424242", "exp_month": 12, "exp_year": 2034}


def create(client: stripe.StripeClient, params: dict[str, Any]) -> Any:
    return client.v1.payment_methods.create(params=params)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("params", "status", "code", "param"),
    [
        # missing
        ({"card": CARD}, 400, "parameter_missing", "type"),
        ({"type": "card"}, 400, "parameter_missing", "card"),
        ({"type": "card", "card": {"exp_month": 1, "exp_year": 2034}}, 400, "parameter_missing",
         "card[number]"),
        ({"type": "card", "card": {"number": "4242424242424242", "exp_year": 2034}}, 400,
         "parameter_missing", "card[exp_month]"),
        ({"type": "card", "card": {"number": "4242424242424242", "exp_month": 1}}, 400,
         "parameter_missing", "card[exp_year]"),
        # unknown
        ({"type": "card", "card": CARD, "colour": "red"}, 400, "parameter_unknown", "colour"),
        ({"type": "card", "card": {**CARD, "pin": "1234"}}, 400, "parameter_unknown",
         "card[pin]"),
        ({"type": "card", "card": {"token": "tok_nope"}}, 400, "resource_missing", "card[token]"),
        ({"type": "card", "card": {**CARD, "token": "tok_visa"}}, 400, "parameters_exclusive",
         "card[token]"),
        # wrongly typed
        ({"type": "card", "card": {**CARD, "exp_month": "May"}}, 400,
         "parameter_invalid_integer", "card[exp_month]"),
        ({"type": "card", "card": "4242424242424242"}, 400, "parameter_invalid_hash", "card"),
        ({"type": "card", "card": CARD, "allow_redisplay": "sometimes"}, 400,
         "parameter_invalid_enum", "allow_redisplay"),
        ({"type": "sepa_debit", "card": CARD}, 400, None, "type"),
        # out of range: Stripe's card errors, 402
        ({"type": "card", "card": {**CARD, "number": "4242424242424241"}}, 402,
         "incorrect_number", "number"),
        ({"type": "card", "card": {**CARD, "number": "4242"}}, 402, "incorrect_number", "number"),
        ({"type": "card", "card": {**CARD, "exp_month": 13}}, 402, "invalid_expiry_month",
         "exp_month"),
        ({"type": "card", "card": {**CARD, "exp_year": 2001}}, 402, "invalid_expiry_year",
         "exp_year"),
        ({"type": "card", "card": {**CARD, "cvc": "12"}}, 402, "invalid_cvc", "cvc"),
        ({"type": "card", "card": {**CARD, "number": "378282246310005", "cvc": "123"}}, 402,
         "invalid_cvc", "cvc"),
    ],
)  # fmt: skip
def test_create_refuses_bad_input(
    client: stripe.StripeClient, params: dict[str, Any], status: int, code: str, param: str
) -> None:
    error = error_of(lambda: create(client, params))
    assert_error(error, status=status, code=code, param=param)
    assert client.v1.payment_methods.list().data == []


def test_card_errors_use_stripe_s_card_error_type(client: stripe.StripeClient) -> None:
    error = error_of(lambda: create(client, {"type": "card", "card": {**CARD, "cvc": "1"}}))
    assert isinstance(error, stripe.CardError)
    assert (error.json_body or {})["error"]["type"] == "card_error"


def test_retrieve_an_unknown_payment_method(client: stripe.StripeClient) -> None:
    error = error_of(lambda: client.v1.payment_methods.retrieve("pm_nope"))
    assert_error(error, status=404, code="resource_missing", param="id")


@pytest.mark.parametrize(
    ("params", "code", "param"),
    [
        ({"card": {"exp_month": 0}}, "parameter_invalid_integer", "card[exp_month]"),
        ({"card": {"exp_month": "x"}}, "parameter_invalid_integer", "card[exp_month]"),
        ({"card": {"number": "4242424242424242"}}, "parameter_unknown", "card[number]"),
        ({"type": "card"}, "parameter_unknown", "type"),
        ({"billing_details": {"address": {"country": "JPN"}}},
         "parameter_invalid_string_too_long", "billing_details[address][country]"),
        ({"metadata": "x"}, "parameter_invalid_hash", "metadata"),
    ],
)  # fmt: skip
def test_update_refuses_bad_input(
    client: stripe.StripeClient, params: dict[str, Any], code: str | None, param: str
) -> None:
    customer = client.v1.customers.create()
    method = client.v1.payment_methods.attach("pm_card_visa", params={"customer": customer.id})
    error = error_of(
        lambda: client.v1.payment_methods.update(method.id, params=params)  # type: ignore[arg-type]
    )
    assert_error(error, code=code, param=param)
    after = client.v1.payment_methods.retrieve(method.id)
    assert after.card.exp_month == method.card.exp_month
    assert after.metadata.to_dict() == {}


@pytest.mark.parametrize(
    ("params", "code", "param"),
    [
        ({}, "parameter_missing", "customer"),
        ({"customer": "cus_nope"}, "resource_missing", "customer"),
        ({"customer": ["a"]}, "parameter_invalid_string", "customer"),
        ({"customer": "x", "force": "true"}, "parameter_unknown", "force"),
    ],
)
def test_attach_refuses_bad_input(
    client: stripe.StripeClient, params: dict[str, Any], code: str | None, param: str
) -> None:
    method = create(client, {"type": "card", "card": CARD})
    error = error_of(
        lambda: client.v1.payment_methods.attach(method.id, params=params)  # type: ignore[arg-type]
    )
    assert_error(error, code=code, param=param)
    assert client.v1.payment_methods.retrieve(method.id).customer is None


def test_attach_an_unknown_payment_method(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create()
    error = error_of(
        lambda: client.v1.payment_methods.attach("pm_nope", params={"customer": customer.id})
    )
    assert_error(error, status=404, code="resource_missing", param="id")


def test_test_ids_are_for_test_mode_only_and_unknown_ones_are_missing(
    client: stripe.StripeClient,
) -> None:
    customer = client.v1.customers.create()
    error = error_of(
        lambda: client.v1.payment_methods.attach(
            "pm_card_imaginary", params={"customer": customer.id}
        )
    )
    assert_error(error, status=404, code="resource_missing", param="id")


@pytest.mark.parametrize(
    ("query", "code", "param"),
    [
        ({"limit": "0"}, "parameter_invalid_integer", "limit"),
        ({"limit": "x"}, "parameter_invalid_integer", "limit"),
        ({"customer": "cus_nope"}, "resource_missing", "customer"),
        ({"colour": "red"}, "parameter_unknown", "colour"),
    ],
)
def test_list_refuses_bad_input(
    http: httpx.Client, query: dict[str, str], code: str | None, param: str
) -> None:
    response = http.get("/v1/payment_methods", params=query)
    assert response.status_code == 400
    body = response.json()["error"]
    assert (body.get("code"), body.get("param")) == (code, param)
