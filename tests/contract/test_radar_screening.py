"""Fraud screening of card payments and setups through the official SDK: Radar's test cards,
rules that block, allow lists that override them, reviews, 3D Secure asked by a rule, a
card-testing burst stopped by its velocity, refunds as fraud feeding the block lists, and
early fraud warnings."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import stripe

from tests.support.errors import assert_error, error_of

IP = "203.0.113.7"


def call(client: stripe.StripeClient, method: str, path: str, **params: Any) -> Any:
    found = client.deserialize(client.raw_request(method, path, **params), api_mode="V1")
    return found.to_dict(recursive=True)


def rule(client: stripe.StripeClient, action: str, predicate: str) -> dict[str, Any]:
    return call(client, "post", "/v1/radar/rules", action=action, predicate=predicate)


def pay(client: stripe.StripeClient, card: str = "pm_card_visa", **extra: Any) -> Any:
    params: dict[str, Any] = {
        "amount": 2000,
        "currency": "usd",
        "payment_method": card,
        "confirm": True,
        "radar_options": {"ip_address": IP},
        **extra,
    }
    return client.v1.payment_intents.create(params=params)  # type: ignore[arg-type]


def declined(client: stripe.StripeClient, card: str = "pm_card_visa", **extra: Any) -> Any:
    error = error_of(lambda: pay(client, card, **extra))
    assert isinstance(error, stripe.CardError), error
    return error


def charge_of(client: stripe.StripeClient, intent_id: str) -> stripe.Charge:
    intent = client.v1.payment_intents.retrieve(intent_id)
    assert intent.latest_charge is not None
    return client.v1.charges.retrieve(str(intent.latest_charge))


def card(client: stripe.StripeClient, number: str) -> stripe.PaymentMethod:
    return client.v1.payment_methods.create(
        params={
            "type": "card",
            "card": {"number": number, "exp_month": 12, "exp_year": 2034, "cvc": "123"},
        }
    )


def luhn(prefix: str, length: int = 16) -> str:
    """A valid card number: `prefix`, zeros, and the check digit."""
    body = prefix.ljust(length - 1, "0")
    total = 0
    for position, char in enumerate(reversed(body)):
        digit = int(char)
        if position % 2 == 0:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return body + str((10 - total % 10) % 10)


# --- Radar's test cards -------------------------------------------------------------------


def test_the_always_blocked_card_is_declined_as_fraudulent(client: stripe.StripeClient) -> None:
    error = declined(client, "pm_card_chargeDeclinedFraudulent")

    assert_error(error, status=402, code="card_declined", param=None)
    body = (error.json_body or {})["error"]
    assert (body["decline_code"], body["message"]) == ("fraudulent", "Your card was declined.")
    intent = body["payment_intent"]
    assert intent["status"] == "requires_payment_method"
    charge = client.v1.charges.retrieve(body["charge"])
    assert (charge.status, charge.failure_code) == ("failed", "card_declined")
    outcome = charge.outcome
    assert outcome is not None
    assert (outcome.type, outcome.risk_level, outcome.reason) == (
        "blocked",
        "highest",
        "highest_risk_level",
    )
    assert outcome.network_status == "not_sent_to_network"


def test_the_always_blocked_card_is_blocked_even_with_the_built_in_rule_off(
    client: stripe.StripeClient,
) -> None:
    call(client, "post", "/v1/radar/rules/block_if_high_risk", status="disabled")
    declined(client, "pm_card_chargeDeclinedFraudulent")


def test_the_highest_risk_card_is_blocked_by_the_built_in_rule_unless_it_is_off(
    client: stripe.StripeClient,
) -> None:
    error = declined(client, "pm_card_riskLevelHighest")
    assert (error.json_body or {})["error"]["decline_code"] == "fraudulent"

    call(client, "post", "/v1/radar/rules/block_if_high_risk", status="disabled")
    intent = pay(client, "pm_card_riskLevelHighest")
    assert intent.status == "succeeded"
    outcome = charge_of(client, intent.id).outcome
    assert outcome is not None
    assert (outcome.type, outcome.risk_level) == ("authorized", "highest")
    assert outcome.risk_score is not None
    assert outcome.risk_score >= 75


def test_an_ordinary_payment_is_scored_and_authorized(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create(params={"email": "ann@example.com"})
    intent = pay(client, customer=customer.id)
    outcome = charge_of(client, intent.id).outcome
    assert outcome is not None
    assert (outcome.type, outcome.risk_level) == ("authorized", "normal")
    assert 0 <= outcome.risk_score < 65


# --- rules and lists -------------------------------------------------------------------------


def test_a_rule_blocks_a_card_country(client: stripe.StripeClient) -> None:
    made = rule(client, "block", ":card_country: = 'JP'")

    error = declined(client, "pm_card_jp")
    charge = client.v1.charges.retrieve((error.json_body or {})["error"]["charge"])
    outcome = charge.outcome
    assert outcome is not None
    assert (outcome.type, outcome.reason, outcome.rule) == ("blocked", "rule", made["id"])
    assert pay(client, "pm_card_visa").status == "succeeded"


def test_an_allow_list_overrides_a_block(client: stripe.StripeClient) -> None:
    rule(client, "block", ":card_country: = 'JP'")
    trusted = client.v1.payment_methods.create(params={"type": "card", "card": {"token": "tok_jp"}})
    assert trusted.card is not None
    lists = call(client, "get", "/v1/radar/value_lists", alias="allow_list_card_fingerprint")
    [allow] = lists["data"]
    call(
        client,
        "post",
        "/v1/radar/value_list_items",
        value_list=allow["id"],
        value=trusted.card.fingerprint,
    )

    intent = pay(client, trusted.id)

    assert intent.status == "succeeded"
    outcome = charge_of(client, intent.id).outcome
    assert outcome is not None
    assert outcome.type == "authorized"


def test_a_rule_reads_a_custom_list_and_metadata(client: stripe.StripeClient) -> None:
    made = call(
        client, "post", "/v1/radar/value_lists", alias="bad_ips", name="Bad IPs",
        item_type="ip_address",
    )  # fmt: skip
    call(client, "post", "/v1/radar/value_list_items", value_list=made["id"], value=IP)
    rule(client, "block", ":ip_address: IN @bad_ips AND ::plan:: = 'trial'")

    assert pay(client, metadata={"plan": "pro"}).status == "succeeded"
    declined(client, metadata={"plan": "trial"})
    assert pay(client, metadata={"plan": "trial"}, radar_options={"ip_address": "198.51.100.1"})


# --- reviews and 3D Secure -------------------------------------------------------------------


def test_an_elevated_risk_payment_succeeds_under_review_and_is_approved(
    client: stripe.StripeClient,
) -> None:
    intent = pay(client, "pm_card_riskLevelElevated")

    assert intent.status == "succeeded"
    charge = charge_of(client, intent.id)
    assert charge.outcome is not None
    assert (charge.outcome.type, charge.outcome.risk_level, charge.outcome.reason) == (
        "manual_review",
        "elevated",
        "elevated_risk_level",
    )
    assert charge.review is not None
    assert client.v1.payment_intents.retrieve(intent.id).review == charge.review
    review = client.v1.reviews.retrieve(str(charge.review))
    assert (review.open, review.opened_reason, review.charge) == (True, "rule", charge.id)

    approved = client.v1.reviews.approve(review.id)

    assert (approved.open, approved.reason, approved.closed_reason) == (
        False,
        "approved",
        "approved",
    )


def test_a_review_rule_opens_a_review(client: stripe.StripeClient) -> None:
    made = rule(client, "review", ":amount_in_usd: > 100")
    intent = pay(client, amount=25000)
    charge = charge_of(client, intent.id)
    assert charge.outcome is not None
    assert (charge.outcome.type, charge.outcome.reason, charge.outcome.rule) == (
        "manual_review",
        "rule",
        made["id"],
    )
    assert charge.review is not None


def test_a_3d_secure_rule_makes_the_customer_authenticate(
    client: stripe.StripeClient, http: httpx.Client
) -> None:
    # The rule alone decides here, whatever the model makes of a fresh card's big payment.
    call(client, "post", "/v1/radar/rules/block_if_high_risk", status="disabled")
    rule(client, "request_credentials", ":amount_in_usd: >= 500")

    small = pay(client, amount=1000)
    big = pay(client, amount=50000, return_url="https://shop.example/done")

    assert small.status == "succeeded"
    assert big.status == "requires_action"
    done = http.post(
        f"/v1/test_helpers/payment_intents/{big.id}/authenticate", data={"outcome": "complete"}
    )
    assert done.status_code == 200, done.text
    assert client.v1.payment_intents.retrieve(big.id).status == "succeeded"


# --- velocity ------------------------------------------------------------------------------


def test_a_card_testing_burst_from_one_ip_is_blocked_by_a_velocity_rule(
    client: stripe.StripeClient,
) -> None:
    # The model alone would stop this burst too (the next test); here the rule does.
    for built_in in ("block_if_high_risk", "review_if_elevated_risk"):
        call(client, "post", f"/v1/radar/rules/{built_in}", status="disabled")
    made = rule(client, "block", ":declined_charges_per_ip_address_hourly: >= 5")
    for n in range(5):
        tester = card(client, luhn(f"40000077{n:04d}"))
        error = declined(client, tester.id, amount=100)
        assert (error.json_body or {})["error"]["code"] == "incorrect_number"

    blocked = declined(client, card(client, luhn("400000779999")).id, amount=100)
    body = (blocked.json_body or {})["error"]
    assert body["decline_code"] == "fraudulent"
    outcome = client.v1.charges.retrieve(body["charge"]).outcome
    assert outcome is not None
    assert outcome.rule == made["id"]
    # Another customer's IP is not held back.
    assert pay(client, radar_options={"ip_address": "192.0.2.44"}).status == "succeeded"


def test_the_model_stops_a_card_testing_burst(client: stripe.StripeClient) -> None:
    """Many cards, tiny amounts, one IP, nearly all declined for a wrong number: the model's
    score climbs to `highest` within the burst, and the built-in rule blocks the rest."""
    codes = []
    for n in range(30):
        tester = card(client, luhn(f"40000077{n:04d}"))
        error = declined(client, tester.id, amount=100)
        body = (error.json_body or {})["error"]
        codes.append(body.get("decline_code") or body["code"])

    first_block = codes.index("fraudulent")
    assert first_block <= 10, codes
    assert set(codes[first_block:]) == {"fraudulent"}, codes


# --- refunds as fraud, early fraud warnings --------------------------------------------------


def test_a_refund_as_fraud_puts_the_card_on_the_block_list(client: stripe.StripeClient) -> None:
    first = pay(client)
    client.v1.refunds.create(params={"payment_intent": first.id, "reason": "fraudulent"})

    lists = call(client, "get", "/v1/radar/value_lists", alias="block_list_card_fingerprint")
    [block] = lists["data"]
    items = call(client, "get", "/v1/radar/value_list_items", value_list=block["id"])
    fingerprint = charge_of(client, first.id).payment_method_details.card.fingerprint  # type: ignore[union-attr]
    assert [item["value"] for item in items["data"]] == [fingerprint]

    error = declined(client)
    charge = client.v1.charges.retrieve((error.json_body or {})["error"]["charge"])
    assert charge.outcome is not None
    assert (charge.outcome.reason, charge.outcome.rule) == ("rule", "block_list_card_fingerprint")


def test_the_early_fraud_warning_card_gets_a_warning(client: stripe.StripeClient) -> None:
    intent = pay(client, "pm_card_createEarlyFraudWarning")
    assert intent.status == "succeeded"
    warnings = client.v1.radar.early_fraud_warnings.list(params={"payment_intent": intent.id})
    [warning] = warnings.data
    assert (warning.actionable, warning.fraud_type) == (True, "made_with_stolen_card")


# --- setup intents ----------------------------------------------------------------------------


def test_a_setup_on_a_blocked_card_fails(client: stripe.StripeClient) -> None:
    rule(client, "block", ":is_setup: AND :card_country: = 'JP'")
    error = error_of(
        lambda: client.v1.setup_intents.create(
            params={"payment_method": "pm_card_jp", "confirm": True}
        )
    )
    assert isinstance(error, stripe.CardError)
    body = (error.json_body or {})["error"]
    assert (body["code"], body["decline_code"]) == ("card_declined", "fraudulent")
    assert body["setup_intent"]["status"] == "requires_payment_method"
    ok = client.v1.setup_intents.create(params={"payment_method": "pm_card_visa", "confirm": True})
    assert ok.status == "succeeded"


# --- bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "param"),
    [
        ({"ip_address": "999.1.1.1"}, "radar_options[ip_address]"),
        ({"ip_address": "x" * 50}, "radar_options[ip_address]"),
        ({"device": "abc"}, "radar_options[device]"),
        ("yes", "radar_options"),
    ],
)
def test_bad_radar_options_are_named(client: stripe.StripeClient, options: Any, param: str) -> None:
    error = error_of(lambda: pay(client, radar_options=options))
    body = (error.json_body or {})["error"]
    assert (error.http_status, body.get("param")) == (400, param), body
    assert client.v1.payment_intents.list().data == []


def test_bad_radar_options_on_a_setup_intent_are_named(client: stripe.StripeClient) -> None:
    error = error_of(
        lambda: client.v1.setup_intents.create(
            params={
                "payment_method": "pm_card_visa",
                "confirm": True,
                "radar_options": {"ip_address": "not-an-ip"},  # type: ignore[typeddict-item]
            }
        )
    )
    body = (error.json_body or {})["error"]
    assert (error.http_status, body.get("param")) == (400, "radar_options[ip_address]"), body


# --- reports on charges ---------------------------------------------------------------------


def test_reporting_a_charge_fraudulent_blocks_its_card_next_time(
    client: stripe.StripeClient,
) -> None:
    first = pay(client)
    charge = charge_of(client, first.id)

    reported = client.v1.charges.update(
        charge.id, params={"fraud_details": {"user_report": "fraudulent"}}
    )

    assert reported.fraud_details is not None
    assert reported.fraud_details.to_dict() == {"user_report": "fraudulent"}
    error = declined(client)
    assert (error.json_body or {})["error"]["decline_code"] == "fraudulent"


def test_a_charge_reported_safe_changes_no_list(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create(params={"email": "ann@example.com"})
    first = pay(client, customer=customer.id)
    charge = charge_of(client, first.id)
    reported = client.v1.charges.update(
        charge.id, params={"fraud_details": {"user_report": "safe"}}
    )
    assert reported.fraud_details is not None
    assert reported.fraud_details.to_dict() == {"user_report": "safe"}
    lists = call(client, "get", "/v1/radar/value_lists", alias="block_list_card_fingerprint")
    items = call(client, "get", "/v1/radar/value_list_items", value_list=lists["data"][0]["id"])
    assert items["data"] == []


@pytest.mark.parametrize(
    ("details", "param"),
    [
        ({"user_report": "maybe"}, "fraud_details[user_report]"),
        ({"stripe_report": "fraudulent"}, "fraud_details[stripe_report]"),
    ],
)
def test_bad_fraud_details_are_named(
    client: stripe.StripeClient, details: dict[str, str], param: str
) -> None:
    charge = charge_of(client, pay(client).id)
    error = error_of(
        lambda: client.v1.charges.update(charge.id, params={"fraud_details": details})  # type: ignore[typeddict-item]
    )
    body = (error.json_body or {})["error"]
    assert (error.http_status, body.get("param")) == (400, param), body
    unchanged = client.v1.charges.retrieve(charge.id).fraud_details
    assert unchanged is not None
    assert unchanged.to_dict() == {}
