"""Every setup intent endpoint refuses bad input with Stripe's error naming the parameter,
and a refused request changes nothing."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import stripe

from tests.support.errors import assert_error, error_of

CHALLENGE = {"card": {"request_three_d_secure": "challenge"}}
ONLINE = {"ip_address": "127.0.0.1", "user_agent": "test"}
ACCEPTANCE = {"customer_acceptance": {"type": "online", "online": ONLINE}}


@pytest.mark.parametrize(
    ("params", "code", "param"),
    [
        # missing, inside hashes (a SetupIntent needs no parameter at all)
        ({"automatic_payment_methods": {"allow_redirects": "never"}}, "parameter_missing",
         "automatic_payment_methods[enabled]"),
        ({"single_use": {"currency": "usd"}}, "parameter_missing", "single_use[amount]"),
        ({"mandate_data": {"customer_acceptance": {"accepted_at": 1}}}, "parameter_missing",
         "mandate_data[customer_acceptance][type]"),
        # unknown
        ({"colour": "red"}, "parameter_unknown", "colour"),
        ({"on_behalf_of": "acct_1"}, "parameter_unknown", "on_behalf_of"),
        ({"payment_method_options": {"card": {"moto": True}}}, "parameter_unknown",
         "payment_method_options[card][moto]"),
        ({"payment_method_options": {"sepa_debit": {"currency": "eur"}}}, "parameter_unknown",
         "payment_method_options[sepa_debit]"),
        # wrongly typed
        ({"confirm": "maybe"}, "parameter_invalid_boolean", "confirm"),
        ({"metadata": "x"}, "parameter_invalid_hash", "metadata"),
        ({"customer": ["cus_1"]}, "parameter_invalid_string", "customer"),
        ({"payment_method_options": "card"}, "parameter_invalid_hash", "payment_method_options"),
        ({"automatic_payment_methods": {"enabled": "yes"}}, "parameter_invalid_boolean",
         "automatic_payment_methods[enabled]"),
        ({"single_use": {"amount": "ten", "currency": "usd"}}, "parameter_invalid_integer",
         "single_use[amount]"),
        ({"customer": ""}, "parameter_invalid_empty", "customer"),
        ({"payment_method": ""}, "parameter_invalid_empty", "payment_method"),
        # out of range
        ({"usage": "sometimes"}, "parameter_invalid_enum", "usage"),
        ({"payment_method_types": ["sepa_debit"]}, "parameter_invalid_enum",
         "payment_method_types[0]"),
        ({"payment_method_options": {"card": {"request_three_d_secure": "always"}}},
         "parameter_invalid_enum", "payment_method_options[card][request_three_d_secure]"),
        ({"description": "x" * 1001}, "parameter_invalid_string_too_long", "description"),
        ({"metadata": {"k" * 41: "v"}}, None, "metadata"),
        ({"single_use": {"amount": 0, "currency": "usd"}}, "parameter_invalid_integer",
         "single_use[amount]"),
        ({"mandate_data": {"customer_acceptance": {"type": "paper"}}}, "parameter_invalid_enum",
         "mandate_data[customer_acceptance][type]"),
        # references to nothing
        ({"customer": "cus_nope"}, "resource_missing", "customer"),
        ({"payment_method": "pm_nope"}, "resource_missing", "payment_method"),
        # what Seikyu cannot honour, refused as Stripe refuses what it cannot
        ({"return_url": "https://shop.example"}, None, "return_url"),
        ({"automatic_payment_methods": {"enabled": True}, "payment_method_types": ["card"]},
         "parameters_exclusive", "automatic_payment_methods"),
        ({"single_use": {"amount": 1000, "currency": "usd"}}, None, "single_use"),
        ({"mandate_data": ACCEPTANCE}, None, "mandate_data"),
        ({"mandate_data": ACCEPTANCE, "confirm": True, "payment_method": "pm_card_visa"}, None,
         "mandate_data"),
        ({"payment_method_options": CHALLENGE}, None,
         "payment_method_options[card][request_three_d_secure]"),
        # confirming without a card
        ({"confirm": True}, "setup_intent_unexpected_state", None),
    ],
)  # fmt: skip
def test_create_refuses_bad_input(
    client: stripe.StripeClient, params: dict[str, Any], code: str | None, param: str | None
) -> None:
    error = error_of(lambda: client.v1.setup_intents.create(params=params))  # type: ignore[arg-type]
    assert_error(error, code=code, param=param)
    assert client.v1.setup_intents.list().data == []
    assert client.v1.payment_methods.list().data == []


def test_a_declined_card_is_refused_without_a_half_write_of_the_card(
    client: stripe.StripeClient,
) -> None:
    customer = client.v1.customers.create()
    error = error_of(
        lambda: client.v1.setup_intents.create(
            params={"customer": customer.id, "payment_method": "pm_card_chargeDeclined",
                    "confirm": True}
        )
    )  # fmt: skip
    assert error.http_status == 402
    assert client.v1.customers.payment_methods.list(customer.id).data == []


def test_an_unknown_intent_is_missing(client: stripe.StripeClient) -> None:
    for call in (
        lambda: client.v1.setup_intents.retrieve("seti_nope"),
        lambda: client.v1.setup_intents.update("seti_nope", params={"description": "x"}),
        lambda: client.v1.setup_intents.confirm("seti_nope"),
        lambda: client.v1.setup_intents.cancel("seti_nope"),
    ):
        assert_error(error_of(call), status=404, code="resource_missing", param="id")


def test_retrieve_refuses_unknown_parameters(http: httpx.Client) -> None:
    intent = http.post("/v1/setup_intents").json()
    response = http.get(f"/v1/setup_intents/{intent['id']}", params={"colour": "red"})
    assert response.status_code == 400
    body = response.json()["error"]
    assert (body.get("code"), body.get("param")) == ("parameter_unknown", "colour")


@pytest.mark.parametrize(
    ("action", "params", "code", "param"),
    [
        ("update", {"usage": "on_session"}, "parameter_unknown", "usage"),
        ("update", {"return_url": "https://shop.example"}, "parameter_unknown", "return_url"),
        ("update", {"customer": "cus_nope"}, "resource_missing", "customer"),
        ("update", {"payment_method": "pm_nope"}, "resource_missing", "payment_method"),
        ("update", {"payment_method": ""}, "parameter_invalid_empty", "payment_method"),
        ("update", {"metadata": "x"}, "parameter_invalid_hash", "metadata"),
        ("update", {"description": ["a"]}, "parameter_invalid_string", "description"),
        ("update", {"payment_method_types": ["link"]}, "parameter_invalid_enum",
         "payment_method_types[0]"),
        ("update", {"payment_method_options": CHALLENGE}, None,
         "payment_method_options[card][request_three_d_secure]"),
        ("confirm", {"colour": "red"}, "parameter_unknown", "colour"),
        ("confirm", {"usage": "on_session"}, "parameter_unknown", "usage"),
        ("confirm", {"payment_method": "pm_nope"}, "resource_missing", "payment_method"),
        ("confirm", {"payment_method": ""}, "parameter_invalid_empty", "payment_method"),
        ("confirm", {"return_url": ["a"]}, "parameter_invalid_string", "return_url"),
        ("confirm", {"payment_method_options": {"card": {"request_three_d_secure": "x"}}},
         "parameter_invalid_enum", "payment_method_options[card][request_three_d_secure]"),
        ("confirm", {"payment_method": "pm_card_visa", "mandate_data": ACCEPTANCE}, None,
         "mandate_data"),
        ("confirm", {}, "setup_intent_unexpected_state", None),
        ("cancel", {"cancellation_reason": "fraudulent"}, "parameter_invalid_enum",
         "cancellation_reason"),
        ("cancel", {"cancellation_reason": ["duplicate"]}, "parameter_invalid_enum",
         "cancellation_reason"),
        ("cancel", {"colour": "red"}, "parameter_unknown", "colour"),
    ],
)  # fmt: skip
def test_actions_refuse_bad_input_and_change_nothing(
    client: stripe.StripeClient, action: str, params: dict[str, Any], code: str | None,
    param: str | None,
) -> None:  # fmt: skip
    intent = client.v1.setup_intents.create(params={"metadata": {"k": "v"}})
    service = client.v1.setup_intents
    calls = {"update": service.update, "confirm": service.confirm, "cancel": service.cancel}

    error = error_of(lambda: calls[action](intent.id, params=params))  # type: ignore[operator]

    assert_error(error, code=code, param=param)
    after = client.v1.setup_intents.retrieve(intent.id)
    assert after.to_dict() == intent.to_dict()
    assert client.v1.payment_methods.list().data == []


@pytest.mark.parametrize(
    ("query", "code", "param"),
    [
        ({"limit": "0"}, "parameter_invalid_integer", "limit"),
        ({"limit": "101"}, "parameter_invalid_integer", "limit"),
        ({"limit": "x"}, "parameter_invalid_integer", "limit"),
        ({"created[gt]": "yesterday"}, "parameter_invalid_integer", "created[gt]"),
        ({"customer": "cus_nope"}, "resource_missing", "customer"),
        ({"colour": "red"}, "parameter_unknown", "colour"),
        ({"starting_after": "seti_a", "ending_before": "seti_b"}, None, None),
    ],
)
def test_list_refuses_bad_input(
    http: httpx.Client, query: dict[str, str], code: str | None, param: str | None
) -> None:
    response = http.get("/v1/setup_intents", params=query)
    assert response.status_code == 400
    body = response.json()["error"]
    assert (body.get("code"), body.get("param")) == (code, param)
