"""3D Secure on payment intents: the redirect, the hosted page, and its test helper."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import stripe

RETURN_URL = "https://shop.example/return?order=7"


def pay_3ds(
    client: stripe.StripeClient, card: str = "pm_card_threeDSecure2Required", **extra: Any
) -> Any:
    params: dict[str, Any] = {
        "amount": 2000,
        "currency": "usd",
        "payment_method": card,
        "confirm": True,
        "return_url": RETURN_URL,
    }
    params.update(extra)
    return client.v1.payment_intents.create(params=params)  # type: ignore[arg-type]


def authenticate(http: httpx.Client, intent_id: str, outcome: str) -> httpx.Response:
    return http.post(
        f"/v1/test_helpers/payment_intents/{intent_id}/authenticate", data={"outcome": outcome}
    )


def event_types(client: stripe.StripeClient, intent_id: str) -> list[str]:
    events = client.v1.events.list(params={"limit": 100})
    found = [e.type for e in events.data if e.data.object.id == intent_id]
    return list(reversed(found))


def test_a_3d_secure_payment_redirects_to_the_hosted_page(
    client: stripe.StripeClient, server: Any
) -> None:
    intent = pay_3ds(client)

    assert intent.status == "requires_action"
    assert intent.latest_charge is None
    action = intent.next_action
    assert action.type == "redirect_to_url"
    assert action.redirect_to_url.return_url == RETURN_URL
    url = urlsplit(action.redirect_to_url.url)
    assert f"{url.scheme}://{url.netloc}" == server.url
    assert url.path == f"/authenticate/{intent.id}"
    assert parse_qs(url.query) == {"client_secret": [intent.client_secret]}
    assert "payment_intent.requires_action" in event_types(client, intent.id)


def test_completed_authentication_charges_the_card(
    client: stripe.StripeClient, http: httpx.Client
) -> None:
    intent = pay_3ds(client)

    answered = authenticate(http, intent.id, "complete")

    assert answered.status_code == 200, answered.text
    assert answered.json()["status"] == "succeeded"
    done = client.v1.payment_intents.retrieve(intent.id)
    assert (done.status, done.amount_received, done.next_action) == ("succeeded", 2000, None)
    charge = client.v1.charges.retrieve(done.latest_charge)
    assert (charge.status, charge.captured, charge.amount_captured) == ("succeeded", True, 2000)
    assert event_types(client, intent.id)[-2:] == [
        "payment_intent.requires_action",
        "payment_intent.succeeded",
    ]


def test_failed_authentication_asks_for_another_payment_method(
    client: stripe.StripeClient, http: httpx.Client
) -> None:
    intent = pay_3ds(client)

    answered = authenticate(http, intent.id, "fail")

    assert answered.status_code == 200, answered.text
    failed = client.v1.payment_intents.retrieve(intent.id)
    assert failed.status == "requires_payment_method"
    assert (failed.payment_method, failed.latest_charge, failed.next_action) == (None, None, None)
    error = failed.last_payment_error
    assert error.code == "payment_intent_authentication_failure"
    assert error.type == "invalid_request_error"
    assert error.payment_method.id == intent.payment_method
    assert error.payment_method.card.last4 == "3220"
    assert event_types(client, intent.id)[-1] == "payment_intent.payment_failed"
    # Another card then pays.
    paid = client.v1.payment_intents.confirm(intent.id, params={"payment_method": "pm_card_visa"})
    assert (paid.status, paid.last_payment_error) == ("succeeded", None)


def test_authentication_then_manual_capture(
    client: stripe.StripeClient, http: httpx.Client
) -> None:
    intent = pay_3ds(client, capture_method="manual")

    assert authenticate(http, intent.id, "complete").json()["status"] == "requires_capture"
    captured = client.v1.payment_intents.capture(intent.id, params={"amount_to_capture": 1500})
    assert (captured.status, captured.amount_received) == ("succeeded", 1500)


def test_a_decline_after_authentication_is_recorded_on_the_intent(
    client: stripe.StripeClient, http: httpx.Client
) -> None:
    intent = pay_3ds(client, "pm_card_authenticationRequiredChargeDeclinedInsufficientFunds")
    assert intent.status == "requires_action"

    answered = authenticate(http, intent.id, "complete")

    assert answered.status_code == 200, answered.text
    failed = client.v1.payment_intents.retrieve(intent.id)
    assert failed.status == "requires_payment_method"
    assert failed.last_payment_error.decline_code == "insufficient_funds"
    charge = client.v1.charges.retrieve(failed.latest_charge)
    assert (charge.status, charge.failure_code) == ("failed", "card_declined")


def test_the_hosted_page_completes_and_returns_to_the_shop(
    client: stripe.StripeClient, server: Any
) -> None:
    intent = pay_3ds(client)
    with httpx.Client(timeout=30.0) as browser:
        page = browser.get(intent.next_action.redirect_to_url.url)
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert 'value="complete"' in page.text
        assert 'value="fail"' in page.text
        assert "20.00 USD" in page.text

        answered = browser.post(
            f"{server.url}/authenticate/{intent.id}",
            data={"client_secret": intent.client_secret, "outcome": "complete"},
        )

    assert answered.status_code == 303
    back = urlsplit(answered.headers["location"])
    assert (back.netloc, back.path) == ("shop.example", "/return")
    assert parse_qs(back.query) == {
        "order": ["7"],
        "payment_intent": [intent.id],
        "payment_intent_client_secret": [intent.client_secret],
        "redirect_status": ["succeeded"],
    }
    assert client.v1.payment_intents.retrieve(intent.id).status == "succeeded"


def test_the_hosted_page_fails_without_a_return_url(
    client: stripe.StripeClient, server: Any
) -> None:
    intent = pay_3ds(client, return_url=None)
    assert intent.next_action.redirect_to_url.return_url is None
    with httpx.Client(timeout=30.0) as browser:
        answered = browser.post(
            f"{server.url}/authenticate/{intent.id}",
            data={"client_secret": intent.client_secret, "outcome": "fail"},
        )
        assert answered.status_code == 200
        assert "requires_payment_method" in answered.text
        # Answered once: the page has nothing left to do.
        again = browser.post(
            f"{server.url}/authenticate/{intent.id}",
            data={"client_secret": intent.client_secret, "outcome": "complete"},
        )
        assert again.status_code == 409
    assert client.v1.payment_intents.retrieve(intent.id).status == "requires_payment_method"


@pytest.mark.parametrize(
    "secret", ["", "pi_wrong_secret_x", "SECRET"], ids=["missing", "wrong", "another intent's"]
)
def test_the_hosted_page_needs_the_intent_s_own_secret(
    client: stripe.StripeClient, server: Any, secret: str
) -> None:
    intent = pay_3ds(client)
    if secret == "SECRET":
        secret = pay_3ds(client).client_secret
    with httpx.Client(timeout=30.0) as browser:
        shown = browser.get(
            f"{server.url}/authenticate/{intent.id}", params={"client_secret": secret}
        )
        posted = browser.post(
            f"{server.url}/authenticate/{intent.id}",
            data={"client_secret": secret, "outcome": "complete"},
        )
    assert (shown.status_code, posted.status_code) == (404, 404)
    assert client.v1.payment_intents.retrieve(intent.id).status == "requires_action"


def test_the_hosted_page_refuses_an_unknown_answer(
    client: stripe.StripeClient, server: Any
) -> None:
    intent = pay_3ds(client)
    with httpx.Client(timeout=30.0) as browser:
        posted = browser.post(
            f"{server.url}/authenticate/{intent.id}",
            data={"client_secret": intent.client_secret, "outcome": "maybe"},
        )
    assert posted.status_code == 400
    assert client.v1.payment_intents.retrieve(intent.id).status == "requires_action"


def test_the_helper_refuses_an_intent_that_is_not_waiting(
    client: stripe.StripeClient, http: httpx.Client
) -> None:
    intent = client.v1.payment_intents.create(
        params={
            "amount": 2000,
            "currency": "usd",
            "payment_method": "pm_card_visa",
            "confirm": True,
        }
    )
    answered = authenticate(http, intent.id, "complete")
    assert answered.status_code == 400
    body = answered.json()["error"]
    assert body["code"] == "payment_intent_unexpected_state"
    assert "succeeded" in body["message"]


@pytest.mark.parametrize(
    ("data", "param"),
    [({}, "outcome"), ({"outcome": "yes"}, "outcome"), ({"outcome": "complete", "x": "1"}, "x")],
    ids=["missing", "out of range", "unknown"],
)
def test_the_helper_refuses_bad_input(
    client: stripe.StripeClient, http: httpx.Client, data: dict[str, str], param: str
) -> None:
    intent = pay_3ds(client)
    answered = http.post(f"/v1/test_helpers/payment_intents/{intent.id}/authenticate", data=data)
    assert answered.status_code == 400
    assert answered.json()["error"]["param"] == param
    assert client.v1.payment_intents.retrieve(intent.id).status == "requires_action"


def test_the_helper_refuses_unknown_and_mismatched_ids(
    client: stripe.StripeClient, http: httpx.Client
) -> None:
    missing = authenticate(http, "pi_unknown", "complete")
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "resource_missing")
    intent = pay_3ds(client)
    crossed = http.post(
        f"/v1/test_helpers/setup_intents/{intent.id}/authenticate", data={"outcome": "complete"}
    )
    assert crossed.status_code == 404
    assert client.v1.payment_intents.retrieve(intent.id).status == "requires_action"
