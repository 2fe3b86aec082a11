"""Every refund endpoint refuses bad input with Stripe's error naming the parameter, and a
refused request changes nothing: no refund, no event, the charge as it was."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import stripe

from tests.support.errors import assert_error, error_of

LONG = "x" * 5001
CHARGE = "{charge}"  # stands for the test's charge in the tables below


@pytest.fixture
def charge(client: stripe.StripeClient) -> str:
    """A captured charge of 2000 usd."""
    intent = client.v1.payment_intents.create(
        params={
            "amount": 2000,
            "currency": "usd",
            "payment_method": "pm_card_visa",
            "confirm": True,
        }
    )
    assert intent.latest_charge is not None
    return str(intent.latest_charge)


def assert_nothing_changed(client: stripe.StripeClient, charge: str) -> None:
    assert client.v1.refunds.list().data == []
    found = client.v1.charges.retrieve(charge)
    assert (found.amount_refunded, found.refunded) == (0, False)
    assert not [
        e for e in client.v1.events.list().data if e.type.startswith(("refund", "charge.ref"))
    ]


# --- create --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "code", "param"),
    [
        # missing: neither charge nor payment_intent (Stripe names no param and no code)
        ({}, None, None),
        ({"amount": 100}, None, None),
        ({"charge": ""}, None, None),
        # unknown
        ({"charge": CHARGE, "colour": "red"}, "parameter_unknown", "colour"),
        ({"charge": CHARGE, "expand": ["charge"], "source": "tok_visa"}, "parameter_unknown",
         "source"),
        # wrongly typed
        ({"charge": CHARGE, "amount": "ten"}, "parameter_invalid_integer", "amount"),
        ({"charge": CHARGE, "amount": "10.5"}, "parameter_invalid_integer", "amount"),
        ({"charge": CHARGE, "amount": "99999999999999999999999"}, "parameter_invalid_integer",
         "amount"),
        ({"charge": CHARGE, "reason": "bored"}, "parameter_invalid_enum", "reason"),
        ({"charge": CHARGE, "reason": "expired_uncaptured_charge"}, "parameter_invalid_enum",
         "reason"),
        ({"charge": CHARGE, "metadata": "plain"}, "parameter_invalid_hash", "metadata"),
        ({"charge": {"id": "ch_1"}}, "parameter_invalid_string", "charge"),
        ({"charge": CHARGE, "refund_application_fee": "maybe"}, "parameter_invalid_boolean",
         "refund_application_fee"),
        ({"charge": CHARGE, "reverse_transfer": "maybe"}, "parameter_invalid_boolean",
         "reverse_transfer"),
        ({"charge": CHARGE, "origin": "bank"}, "parameter_invalid_enum", "origin"),
        ({"charge": CHARGE, "instructions_email": "not-an-email"}, "email_invalid",
         "instructions_email"),
        # out of range
        ({"charge": CHARGE, "amount": 0}, "parameter_invalid_integer", "amount"),
        ({"charge": CHARGE, "amount": -5}, "parameter_invalid_integer", "amount"),
        ({"charge": CHARGE, "amount": 2001}, None, "amount"),
        ({"charge": LONG}, "parameter_invalid_string_too_long", "charge"),
        ({"charge": CHARGE, "instructions_email": "a" * 790 + "@example.com"},
         "parameter_invalid_string_too_long", "instructions_email"),
        ({"charge": CHARGE, "metadata": {"k" * 41: "v"}}, None, "metadata"),
        ({"charge": CHARGE, "metadata": {"k": "v" * 501}}, None, "metadata"),
        # what Seikyu cannot honour
        ({"charge": CHARGE, "origin": "customer_balance"}, None, "origin"),
        ({"charge": CHARGE, "customer": "cus_123"}, None, "customer"),
        ({"charge": CHARGE, "currency": "usd"}, None, "currency"),
        ({"charge": CHARGE, "refund_application_fee": True}, None, "refund_application_fee"),
        ({"charge": CHARGE, "reverse_transfer": True}, None, "reverse_transfer"),
    ],
)  # fmt: skip
def test_create_refuses_bad_input(
    client: stripe.StripeClient,
    charge: str,
    params: dict[str, Any],
    code: str | None,
    param: str | None,
) -> None:
    params = {k: charge if v == CHARGE else v for k, v in params.items()}

    error = error_of(lambda: client.v1.refunds.create(params=params))  # type: ignore[arg-type]

    assert_error(error, code=code, param=param)
    assert_nothing_changed(client, charge)


def test_amounts_below_one_are_refused_in_stripes_words(
    client: stripe.StripeClient, charge: str
) -> None:
    error = error_of(lambda: client.v1.refunds.create(params={"charge": charge, "amount": 0}))
    assert error.user_message == "This value must be greater than or equal to 1."


def test_the_missing_target_is_refused_in_stripes_words(client: stripe.StripeClient) -> None:
    error = error_of(client.v1.refunds.create)
    assert error.user_message == (
        "One of the following params should be provided for this request: payment_intent or charge."
    )


def test_both_charge_and_payment_intent_are_refused(
    client: stripe.StripeClient, charge: str
) -> None:
    intent = client.v1.charges.retrieve(charge).payment_intent
    error = error_of(
        lambda: client.v1.refunds.create(params={"charge": charge, "payment_intent": str(intent)})
    )
    assert_error(error, code="parameters_exclusive", param="charge")
    assert_nothing_changed(client, charge)


def test_an_unknown_charge_is_missing_as_stripe_reports_it(
    client: stripe.StripeClient, charge: str
) -> None:
    # Stripe answers an unknown charge of a refund like the object of a URL: 404, param id.
    error = error_of(lambda: client.v1.refunds.create(params={"charge": "ch_nope"}))
    assert_error(error, status=404, code="resource_missing", param="id")
    assert error.user_message == "No such charge: 'ch_nope'"
    assert_nothing_changed(client, charge)


def test_an_unknown_payment_intent_is_missing(client: stripe.StripeClient, charge: str) -> None:
    error = error_of(lambda: client.v1.refunds.create(params={"payment_intent": "pi_nope"}))
    assert_error(error, code="resource_missing", param="payment_intent")
    assert error.user_message == "No such payment_intent: 'pi_nope'"
    assert_nothing_changed(client, charge)


# --- retrieve, update, cancel --------------------------------------------------------


@pytest.fixture
def refund_id(client: stripe.StripeClient, charge: str) -> str:
    made = client.v1.refunds.create(
        params={"charge": charge, "amount": 500, "metadata": {"k": "v"}}
    )
    return made.id


def test_retrieve_refuses_unknown_parameters(http: httpx.Client, refund_id: str) -> None:
    response = http.get(f"/v1/refunds/{refund_id}", params={"colour": "red"})
    assert response.status_code == 400
    assert response.json()["error"]["param"] == "colour"


@pytest.mark.parametrize(
    ("params", "code", "param"),
    [
        ({"amount": 100}, "parameter_unknown", "amount"),
        ({"reason": "duplicate"}, "parameter_unknown", "reason"),
        ({"metadata": "plain"}, "parameter_invalid_hash", "metadata"),
        ({"metadata[" + "k" * 41 + "]": "v"}, None, "metadata"),
        ({"expand": "charge"}, "parameter_invalid_array", "expand"),
    ],
)  # fmt: skip
def test_update_refuses_bad_input_and_changes_nothing(
    http: httpx.Client,
    client: stripe.StripeClient,
    refund_id: str,
    params: dict[str, Any],
    code: str | None,
    param: str,
) -> None:
    response = http.post(f"/v1/refunds/{refund_id}", data=params)

    assert response.status_code == 400
    body = response.json()["error"]
    assert (body.get("code"), body.get("param")) == (code, param)
    after = client.v1.refunds.retrieve(refund_id)
    assert (after.amount, after.reason, after.metadata.to_dict()) == (500, None, {"k": "v"})


def test_cancel_refuses_unknown_parameters(http: httpx.Client, client: stripe.StripeClient) -> None:
    intent = client.v1.payment_intents.create(
        params={"amount": 900, "currency": "usd", "payment_method": "pm_card_pendingRefund",
                "confirm": True}
    )  # fmt: skip
    pending = client.v1.refunds.create(params={"charge": str(intent.latest_charge)})

    response = http.post(f"/v1/refunds/{pending.id}/cancel", data={"reason": "bored"})

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parameter_unknown"
    assert response.json()["error"]["param"] == "reason"
    assert client.v1.refunds.retrieve(pending.id).status == "pending"


@pytest.mark.parametrize("path", ["/v1/refunds/re_nope", "/v1/refunds/re_nope/cancel"])
def test_posts_to_an_unknown_refund_are_missing(http: httpx.Client, path: str) -> None:
    response = http.post(path)
    assert response.status_code == 404
    body = response.json()["error"]
    assert (body["code"], body["param"]) == ("resource_missing", "id")


# --- list ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "code", "param"),
    [
        ({"limit": 0}, "parameter_invalid_integer", "limit"),
        ({"limit": 101}, "parameter_invalid_integer", "limit"),
        ({"limit": "ten"}, "parameter_invalid_integer", "limit"),
        ({"created": "yesterday"}, "parameter_invalid_integer", "created"),
        ({"created": {"gt": "soon"}}, "parameter_invalid_integer", "created[gt]"),
        ({"created": {"after": 1}}, "parameter_unknown", "created[after]"),
        ({"customer": "cus_1"}, "parameter_unknown", "customer"),
        ({"charge": LONG}, "parameter_invalid_string_too_long", "charge"),
        ({"payment_intent": {"id": "pi_1"}}, "parameter_invalid_string", "payment_intent"),
        ({"starting_after": "re_a", "ending_before": "re_b"}, None, None),
    ],
)  # fmt: skip
def test_list_refuses_bad_input(
    client: stripe.StripeClient, params: dict[str, Any], code: str | None, param: str | None
) -> None:
    error = error_of(lambda: client.v1.refunds.list(params=params))  # type: ignore[arg-type]
    assert_error(error, code=code, param=param)
