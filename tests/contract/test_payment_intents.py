"""Payment intents and their charges through the official SDK."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
import stripe

from tests.support.errors import assert_error, error_of


def pay(client: stripe.StripeClient, payment_method: str = "pm_card_visa", **extra: Any) -> Any:
    params: dict[str, Any] = {
        "amount": 2000,
        "currency": "usd",
        "payment_method": payment_method,
        "confirm": True,
    }
    params.update(extra)
    return client.v1.payment_intents.create(params=params)  # type: ignore[arg-type]


def test_a_card_payment_succeeds_with_its_charge(client: stripe.StripeClient) -> None:
    intent = pay(client, description="Order 7", metadata={"order": "7"})

    assert intent.id.startswith("pi_")
    assert intent.status == "succeeded"
    assert (intent.amount, intent.amount_received, intent.amount_capturable) == (2000, 2000, 0)
    assert intent.client_secret.startswith(f"{intent.id}_secret_")
    assert intent.capture_method == "automatic_async"
    charge = client.v1.charges.retrieve(intent.latest_charge)
    assert charge.status == "succeeded"
    assert charge.paid is True
    assert charge.captured is True
    assert (charge.amount, charge.amount_captured, charge.amount_refunded) == (2000, 2000, 0)
    assert charge.payment_intent == intent.id
    assert charge.outcome.network_status == "approved_by_network"
    assert charge.outcome.type == "authorized"
    assert charge.outcome.risk_level == "normal"
    assert charge.payment_method_details.card.last4 == "4242"
    assert charge.description == "Order 7"


def test_an_intent_waits_for_a_payment_method_then_confirms(client: stripe.StripeClient) -> None:
    intent = client.v1.payment_intents.create(params={"amount": 1000, "currency": "jpy"})
    assert intent.status == "requires_payment_method"
    updated = client.v1.payment_intents.update(intent.id, params={"payment_method": "pm_card_jp"})
    assert updated.status == "requires_confirmation"
    confirmed = client.v1.payment_intents.confirm(intent.id)
    assert confirmed.status == "succeeded"
    assert confirmed.amount_received == 1000


@pytest.mark.parametrize(
    ("test_id", "code", "decline_code"),
    [
        ("pm_card_chargeDeclined", "card_declined", "generic_decline"),
        ("pm_card_chargeDeclinedInsufficientFunds", "card_declined", "insufficient_funds"),
        ("pm_card_chargeDeclinedLostCard", "card_declined", "lost_card"),
        ("pm_card_chargeDeclinedStolenCard", "card_declined", "stolen_card"),
        ("pm_card_chargeDeclinedExpiredCard", "expired_card", None),
        ("pm_card_chargeDeclinedIncorrectCvc", "incorrect_cvc", None),
        ("pm_card_chargeDeclinedProcessingError", "processing_error", None),
        ("pm_card_chargeDeclinedVelocityLimitExceeded", "card_declined", "card_velocity_exceeded"),
    ],
)
def test_a_declined_card_is_recorded_then_reported(
    client: stripe.StripeClient, test_id: str, code: str, decline_code: str | None
) -> None:
    error = error_of(lambda: pay(client, test_id))

    assert isinstance(error, stripe.CardError)
    assert error.http_status == 402
    body = (error.json_body or {})["error"]
    assert (body["code"], body.get("decline_code")) == (code, decline_code)
    intent = client.v1.payment_intents.retrieve(body["payment_intent"]["id"])
    assert intent.status == "requires_payment_method"
    assert intent.payment_method is None
    assert intent.last_payment_error.code == code
    # Stripe shows the whole payment method, in the error and in last_payment_error.
    assert body["payment_method"]["object"] == "payment_method"
    assert intent.last_payment_error.payment_method.id == body["payment_method"]["id"]
    assert (
        intent.last_payment_error.payment_method.card.last4
        == body["payment_method"]["card"]["last4"]
    )
    charge = client.v1.charges.retrieve(body["charge"])
    assert (charge.status, charge.paid, charge.failure_code) == ("failed", False, code)
    assert charge.outcome.network_status == "declined_by_network"


def test_after_a_decline_another_card_pays(client: stripe.StripeClient) -> None:
    error = error_of(lambda: pay(client, "pm_card_chargeDeclined"))
    intent_id = (error.json_body or {})["error"]["payment_intent"]["id"]
    retried = client.v1.payment_intents.confirm(
        intent_id, params={"payment_method": "pm_card_visa"}
    )
    assert retried.status == "succeeded"
    charges = client.v1.charges.list(params={"payment_intent": intent_id}).data
    assert [c.status for c in charges] == ["succeeded", "failed"]


def test_a_card_declining_only_when_charged_is_declined_at_payment(
    client: stripe.StripeClient,
) -> None:
    customer = client.v1.customers.create()
    card = client.v1.payment_methods.attach(
        "pm_card_chargeCustomerFail", params={"customer": customer.id}
    )
    error = error_of(lambda: pay(client, card.id, customer=customer.id))
    assert (error.http_status, error.code) == (402, "card_declined")


def test_manual_capture_of_part_of_an_authorization(client: stripe.StripeClient) -> None:
    intent = pay(client, capture_method="manual", amount=5000)
    assert intent.status == "requires_capture"
    assert intent.amount_capturable == 5000
    assert client.v1.charges.retrieve(intent.latest_charge).captured is False

    captured = client.v1.payment_intents.capture(intent.id, params={"amount_to_capture": 3000})

    assert captured.status == "succeeded"
    assert (captured.amount_received, captured.amount_capturable) == (3000, 0)
    charge = client.v1.charges.retrieve(intent.latest_charge)
    assert (charge.captured, charge.amount_captured) == (True, 3000)
    again = error_of(lambda: client.v1.payment_intents.capture(intent.id))
    assert_error(again, code="payment_intent_unexpected_state", param=None)


def test_capturing_more_than_authorized_is_refused(client: stripe.StripeClient) -> None:
    intent = pay(client, capture_method="manual", amount=5000)
    error = error_of(
        lambda: client.v1.payment_intents.capture(intent.id, params={"amount_to_capture": 5001})
    )
    assert_error(error, code="amount_too_large", param="amount_to_capture")
    assert client.v1.payment_intents.retrieve(intent.id).status == "requires_capture"


def test_canceling_an_authorization_releases_it(client: stripe.StripeClient) -> None:
    intent = pay(client, capture_method="manual")
    canceled = client.v1.payment_intents.cancel(
        intent.id, params={"cancellation_reason": "requested_by_customer"}
    )
    assert canceled.status == "canceled"
    assert canceled.cancellation_reason == "requested_by_customer"
    assert canceled.canceled_at is not None
    charge = client.v1.charges.retrieve(intent.latest_charge)
    assert (charge.refunded, charge.amount_refunded) == (True, 2000)
    error = error_of(lambda: client.v1.payment_intents.confirm(intent.id))
    assert_error(error, code="payment_intent_unexpected_state", param=None)


def test_a_3d_secure_card_waits_for_authentication_on_session(
    client: stripe.StripeClient,
) -> None:
    intent = pay(client, "pm_card_authenticationRequired")
    assert intent.status == "requires_action"
    assert intent.next_action is not None
    assert intent.latest_charge is None


def test_a_3d_secure_card_off_session_is_declined_for_authentication(
    client: stripe.StripeClient,
) -> None:
    customer = client.v1.customers.create()
    card = client.v1.payment_methods.attach(
        "pm_card_authenticationRequired", params={"customer": customer.id}
    )
    error = error_of(lambda: pay(client, card.id, customer=customer.id, off_session=True))
    assert (error.http_status, error.code) == (402, "authentication_required")


def test_a_replayed_confirmation_charges_once(
    client: stripe.StripeClient, http: httpx.Client
) -> None:
    intent = client.v1.payment_intents.create(
        params={"amount": 1500, "currency": "usd", "payment_method": "pm_card_visa"}
    )
    headers = {"Idempotency-Key": f"confirm-{intent.id}"}
    first = http.post(f"/v1/payment_intents/{intent.id}/confirm", headers=headers)
    second = http.post(f"/v1/payment_intents/{intent.id}/confirm", headers=headers)
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert len(client.v1.charges.list(params={"payment_intent": intent.id}).data) == 1


def test_concurrent_confirmations_charge_once(
    client: stripe.StripeClient, http: httpx.Client
) -> None:
    intent = client.v1.payment_intents.create(
        params={"amount": 1500, "currency": "usd", "payment_method": "pm_card_visa"}
    )
    with ThreadPoolExecutor(max_workers=4) as pool:
        statuses = list(
            pool.map(
                lambda _: http.post(f"/v1/payment_intents/{intent.id}/confirm").status_code,
                range(4),
            )
        )
    assert sorted(statuses) == [200, 400, 400, 400]
    assert len(client.v1.charges.list(params={"payment_intent": intent.id}).data) == 1


def test_state_changes_emit_events(client: stripe.StripeClient) -> None:
    intent = pay(client, capture_method="manual")
    client.v1.payment_intents.capture(intent.id)
    events = [e.type for e in client.v1.events.list(params={"limit": 5}).data]
    assert events == [
        "payment_intent.succeeded",
        "charge.captured",
        "payment_intent.amount_capturable_updated",
        "charge.succeeded",
        "payment_intent.created",
    ]


def test_lists_by_customer(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create()
    mine = pay(client, customer=customer.id)
    pay(client)
    listed = client.v1.payment_intents.list(params={"customer": customer.id}).data
    assert [i.id for i in listed] == [mine.id]
    charges = client.v1.charges.list(params={"customer": customer.id}).data
    assert [c.payment_intent for c in charges] == [mine.id]


def test_metadata_changes_even_after_success(client: stripe.StripeClient) -> None:
    intent = pay(client)
    updated = client.v1.payment_intents.update(intent.id, params={"metadata": {"k": "v"}})
    assert updated.metadata.to_dict() == {"k": "v"}
    error = error_of(lambda: client.v1.payment_intents.update(intent.id, params={"amount": 10}))
    assert error.http_status == 400


# --- bad input -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "code", "param"),
    [
        ({"currency": "usd"}, "parameter_missing", "amount"),
        ({"amount": 1000}, "parameter_missing", "currency"),
        ({"amount": 1000, "currency": "usd", "colour": "red"}, "parameter_unknown", "colour"),
        ({"amount": "ten", "currency": "usd"}, "parameter_invalid_integer", "amount"),
        ({"amount": 1000, "currency": "usd", "confirm": "maybe"}, "parameter_invalid_boolean",
         "confirm"),
        ({"amount": 1000, "currency": "usd", "capture_method": "later"},
         "parameter_invalid_enum", "capture_method"),
        ({"amount": 49, "currency": "usd"}, "amount_too_small", "amount"),
        ({"amount": 49, "currency": "jpy"}, "amount_too_small", "amount"),
        ({"amount": 100_000_000, "currency": "usd"}, "amount_too_large", "amount"),
        ({"amount": 1000, "currency": "xyz"}, None, "currency"),
        ({"amount": 1000, "currency": "usd", "customer": "cus_nope"}, "resource_missing",
         "customer"),
        ({"amount": 1000, "currency": "usd", "payment_method": "pm_nope"}, "resource_missing",
         "payment_method"),
        ({"amount": 1000, "currency": "usd", "off_session": True}, None, "off_session"),
        ({"amount": 1000, "currency": "usd", "receipt_email": "nobody"}, "email_invalid",
         "receipt_email"),
    ],
)  # fmt: skip
def test_create_refuses_bad_input(
    client: stripe.StripeClient, params: dict[str, Any], code: str | None, param: str
) -> None:
    error = error_of(lambda: client.v1.payment_intents.create(params=params))  # type: ignore[arg-type]
    assert_error(error, code=code, param=param)
    assert client.v1.payment_intents.list().data == []


def test_confirm_without_a_payment_method(client: stripe.StripeClient) -> None:
    intent = client.v1.payment_intents.create(params={"amount": 1000, "currency": "usd"})
    error = error_of(lambda: client.v1.payment_intents.confirm(intent.id))
    assert_error(error, code="payment_intent_unexpected_state", param=None)
    assert client.v1.payment_intents.retrieve(intent.id).status == "requires_payment_method"


def test_unknown_intents_and_charges_are_missing(client: stripe.StripeClient) -> None:
    for call in (
        lambda: client.v1.payment_intents.retrieve("pi_nope"),
        lambda: client.v1.payment_intents.confirm("pi_nope"),
        lambda: client.v1.charges.retrieve("ch_nope"),
    ):
        assert_error(error_of(call), status=404, code="resource_missing", param="id")


@pytest.mark.parametrize(
    ("action", "params", "code", "param"),
    [
        ("confirm", {"off_session": "sometimes"}, "parameter_invalid_boolean", "off_session"),
        ("confirm", {"payment_method": "pm_nope"}, "resource_missing", "payment_method"),
        ("confirm", {"colour": "red"}, "parameter_unknown", "colour"),
        ("capture", {"amount_to_capture": "all"}, "parameter_invalid_integer",
         "amount_to_capture"),
        ("capture", {"amount_to_capture": 0}, "parameter_invalid_integer", "amount_to_capture"),
        ("cancel", {"cancellation_reason": "bored"}, "parameter_invalid_enum",
         "cancellation_reason"),
        ("update", {"amount": -1}, "parameter_invalid_integer", "amount"),
        ("update", {"setup_future_usage": "sometimes"}, "parameter_invalid_enum",
         "setup_future_usage"),
        ("update", {"receipt_email": "a@"}, "email_invalid", "receipt_email"),
        ("confirm", {"payment_method": "pm_card_visa", "receipt_email": "nobody"},
         "email_invalid", "receipt_email"),
    ],
)  # fmt: skip
def test_actions_refuse_bad_input_and_change_nothing(
    http: httpx.Client, client: stripe.StripeClient, action: str, params: dict[str, Any],
    code: str, param: str,
) -> None:  # fmt: skip
    intent = client.v1.payment_intents.create(
        params={"amount": 1000, "currency": "usd", "capture_method": "manual"}
    )
    path = f"/v1/payment_intents/{intent.id}" + ("" if action == "update" else f"/{action}")
    response = http.post(path, data=params)
    assert response.status_code == 400
    body = response.json()["error"]
    assert (body.get("code"), body.get("param")) == (code, param)
    after = client.v1.payment_intents.retrieve(intent.id)
    assert (after.status, after.amount) == ("requires_payment_method", 1000)
