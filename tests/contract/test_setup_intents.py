"""Setup intents through the official SDK: saving cards for later, declines, 3D Secure."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
import stripe

from seikyu.core.errors import SeikyuError
from seikyu.db.uow import Actor, Database
from seikyu.payments import payment_methods, setup_intents
from seikyu.payments.test_processor import TestProcessor
from tests.conftest import TestAccount as Account
from tests.support.errors import assert_error, error_of
from tests.support.server import ServerProcess

RETURN_URL = "https://shop.example/saved"
THREE_D_SECURE_CARDS = [
    "pm_card_authenticationRequiredOnSetup",  # 4000002500003155
    "pm_card_authenticationRequired",  # 4000002760003184
    "pm_card_threeDSecure2Required",  # 4000000000003220
]


def set_up(client: stripe.StripeClient, payment_method: str = "pm_card_visa", **extra: Any) -> Any:
    params: dict[str, Any] = {"payment_method": payment_method, "confirm": True}
    params.update(extra)
    return client.v1.setup_intents.create(params=params)  # type: ignore[arg-type]


def authenticate(db: Database, account: Account, intent_id: str, *, completed: bool) -> None:
    """What the 3D Secure page does when the customer answers."""
    with db.unit(Actor(account.id)) as uow:
        setup_intents.authenticate(uow, TestProcessor(), intent_id, completed=completed)


def set_up_for_off_session(db: Database, account: Account, payment_method_id: str) -> bool:
    with db.unit(Actor(account.id), readonly=True) as uow:
        return payment_methods.get(uow, payment_method_id).set_up_for_off_session


def event_types(client: stripe.StripeClient, limit: int = 10) -> list[str]:
    return [e.type for e in client.v1.events.list(params={"limit": limit}).data]


def pay_off_session(client: stripe.StripeClient, customer: str, payment_method: str) -> Any:
    return client.v1.payment_intents.create(
        params={
            "amount": 2000,
            "currency": "eur",
            "customer": customer,
            "payment_method": payment_method,
            "off_session": True,
            "confirm": True,
        }
    )


# --- success -------------------------------------------------------------------------------


def test_a_card_set_up_off_session_is_saved_to_the_customer(
    client: stripe.StripeClient, db: Database, account: Account
) -> None:
    customer = client.v1.customers.create()

    intent = set_up(client, customer=customer.id, description="Card for renewals")

    assert intent.id.startswith("seti_")
    assert intent.object == "setup_intent"
    assert intent.status == "succeeded"
    assert intent.usage == "off_session"
    assert intent.customer == customer.id
    assert intent.client_secret.startswith(f"{intent.id}_secret_")
    assert intent.description == "Card for renewals"
    assert (intent.next_action, intent.last_setup_error) == (None, None)
    assert intent.payment_method_types == ["card"]
    assert intent.payment_method_options.card.request_three_d_secure == "automatic"
    card = client.v1.payment_methods.retrieve(intent.payment_method)
    assert card.customer == customer.id
    assert card.card.last4 == "4242"
    saved = client.v1.customers.payment_methods.list(customer.id).data
    assert [m.id for m in saved] == [card.id]
    assert set_up_for_off_session(db, account, card.id) is True


def test_a_card_set_up_on_session_is_saved_but_not_for_off_session_payments(
    client: stripe.StripeClient, db: Database, account: Account
) -> None:
    customer = client.v1.customers.create()

    intent = set_up(client, customer=customer.id, usage="on_session")

    assert (intent.status, intent.usage) == ("succeeded", "on_session")
    assert client.v1.payment_methods.retrieve(intent.payment_method).customer == customer.id
    assert set_up_for_off_session(db, account, intent.payment_method) is False


def test_without_a_customer_the_card_is_set_up_but_attached_to_nobody(
    client: stripe.StripeClient,
) -> None:
    intent = set_up(client, "pm_card_mastercard")
    assert intent.status == "succeeded"
    assert intent.customer is None
    assert client.v1.payment_methods.retrieve(intent.payment_method).customer is None


def test_an_intent_waits_for_a_payment_method_then_confirms(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create()
    intent = client.v1.setup_intents.create(params={"customer": customer.id})
    assert (intent.status, intent.payment_method) == ("requires_payment_method", None)

    updated = client.v1.setup_intents.update(intent.id, params={"payment_method": "pm_card_visa"})
    assert updated.status == "requires_confirmation"
    confirmed = client.v1.setup_intents.confirm(intent.id)

    assert confirmed.status == "succeeded"
    assert confirmed.payment_method == updated.payment_method
    card = client.v1.payment_methods.retrieve(confirmed.payment_method)
    assert card.customer == customer.id


def test_confirm_can_name_the_payment_method(client: stripe.StripeClient) -> None:
    intent = client.v1.setup_intents.create()
    confirmed = client.v1.setup_intents.confirm(
        intent.id, params={"payment_method": "pm_card_amex"}
    )
    assert confirmed.status == "succeeded"
    assert client.v1.payment_methods.retrieve(confirmed.payment_method).card.brand == "amex"


def test_a_saved_card_of_the_customer_can_be_set_up(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create()
    card = client.v1.payment_methods.attach("pm_card_visa", params={"customer": customer.id})
    intent = set_up(client, card.id, customer=customer.id)
    assert (intent.status, intent.payment_method) == ("succeeded", card.id)


# --- declines ------------------------------------------------------------------------------


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
    ],
)
def test_a_card_that_cannot_be_attached_cannot_be_set_up(
    client: stripe.StripeClient, test_id: str, code: str, decline_code: str | None
) -> None:
    customer = client.v1.customers.create()

    error = error_of(lambda: set_up(client, test_id, customer=customer.id))

    assert isinstance(error, stripe.CardError)
    assert error.http_status == 402
    body = (error.json_body or {})["error"]
    assert (body["type"], body["code"], body.get("decline_code")) == (
        "card_error",
        code,
        decline_code,
    )
    assert body["setup_intent"]["status"] == "requires_payment_method"
    card_id = body["payment_method"]["id"]
    assert body["payment_method"]["object"] == "payment_method"
    intent = client.v1.setup_intents.retrieve(body["setup_intent"]["id"])
    assert intent.status == "requires_payment_method"
    assert intent.payment_method is None
    failure = intent.last_setup_error
    assert (failure.type, failure.code, failure.to_dict().get("decline_code")) == (
        "card_error",
        code,
        decline_code,
    )
    assert failure.message == body["message"]
    assert failure.payment_method.id == card_id
    assert client.v1.payment_methods.retrieve(card_id).customer is None
    assert client.v1.customers.payment_methods.list(customer.id).data == []


def test_a_failed_setup_emits_setup_failed(client: stripe.StripeClient) -> None:
    error_of(lambda: set_up(client, "pm_card_chargeDeclined"))
    assert event_types(client) == ["setup_intent.setup_failed", "setup_intent.created"]


def test_after_a_failure_another_card_is_set_up(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create()
    error = error_of(lambda: set_up(client, "pm_card_chargeDeclined", customer=customer.id))
    intent_id = (error.json_body or {})["error"]["setup_intent"]["id"]

    retried = client.v1.setup_intents.confirm(intent_id, params={"payment_method": "pm_card_visa"})

    assert retried.status == "succeeded"
    assert retried.last_setup_error is None
    saved = client.v1.customers.payment_methods.list(customer.id).data
    assert [m.id for m in saved] == [retried.payment_method]


def test_a_card_declining_only_when_charged_is_set_up(client: stripe.StripeClient) -> None:
    intent = set_up(client, "pm_card_chargeCustomerFail")
    assert intent.status == "succeeded"


# --- 3D Secure -----------------------------------------------------------------------------


@pytest.mark.parametrize("test_id", THREE_D_SECURE_CARDS)
def test_a_3d_secure_card_waits_for_authentication_on_the_redirect_page(
    client: stripe.StripeClient, server: ServerProcess, test_id: str
) -> None:
    customer = client.v1.customers.create()

    intent = set_up(client, test_id, customer=customer.id, return_url=RETURN_URL)

    assert intent.status == "requires_action"
    secret = urlencode({"client_secret": intent.client_secret})
    assert intent.next_action.to_dict() == {
        "type": "redirect_to_url",
        "redirect_to_url": {
            "return_url": RETURN_URL,
            "url": f"{server.url}/authenticate/{intent.id}?{secret}",
        },
    }
    assert intent.payment_method is not None
    assert client.v1.payment_methods.retrieve(intent.payment_method).customer is None
    assert event_types(client, 2) == ["setup_intent.requires_action", "setup_intent.created"]


def test_confirming_later_gives_the_return_url_of_that_confirmation(
    client: stripe.StripeClient,
) -> None:
    intent = client.v1.setup_intents.create(
        params={"payment_method": "pm_card_authenticationRequired"}
    )
    confirmed = client.v1.setup_intents.confirm(intent.id, params={"return_url": RETURN_URL})
    assert confirmed.status == "requires_action"
    assert confirmed.next_action.redirect_to_url.return_url == RETURN_URL


@pytest.mark.parametrize("test_id", THREE_D_SECURE_CARDS)
def test_a_completed_authentication_sets_the_card_up(
    client: stripe.StripeClient, db: Database, account: Account, test_id: str
) -> None:
    customer = client.v1.customers.create()
    intent = set_up(client, test_id, customer=customer.id)

    authenticate(db, account, intent.id, completed=True)

    after = client.v1.setup_intents.retrieve(intent.id)
    assert after.status == "succeeded"
    assert (after.next_action, after.last_setup_error) == (None, None)
    assert client.v1.payment_methods.retrieve(intent.payment_method).customer == customer.id
    assert set_up_for_off_session(db, account, intent.payment_method) is True
    assert event_types(client, 4) == [
        "setup_intent.succeeded",
        "payment_method.attached",
        "setup_intent.requires_action",
        "setup_intent.created",
    ]


def test_a_failed_authentication_asks_for_another_payment_method(
    client: stripe.StripeClient, db: Database, account: Account
) -> None:
    customer = client.v1.customers.create()
    intent = set_up(client, "pm_card_authenticationRequiredOnSetup", customer=customer.id)

    authenticate(db, account, intent.id, completed=False)

    after = client.v1.setup_intents.retrieve(intent.id)
    assert after.status == "requires_payment_method"
    assert (after.payment_method, after.next_action) == (None, None)
    failure = after.last_setup_error
    assert (failure.type, failure.code) == (
        "invalid_request_error",
        "setup_intent_authentication_failure",
    )
    assert failure.message == (
        "The latest attempt to set up the payment method has failed authentication. Provide "
        "a new payment method to attempt to set up again."
    )
    assert failure.payment_method.id == intent.payment_method
    assert client.v1.payment_methods.retrieve(intent.payment_method).customer is None
    assert event_types(client, 3) == [
        "setup_intent.setup_failed",
        "setup_intent.requires_action",
        "setup_intent.created",
    ]


def test_only_an_intent_waiting_for_authentication_can_be_authenticated(
    client: stripe.StripeClient, db: Database, account: Account
) -> None:
    intent = set_up(client)
    with pytest.raises(SeikyuError) as refused:
        authenticate(db, account, intent.id, completed=True)
    assert refused.value.code == "setup_intent_unexpected_state"
    assert client.v1.setup_intents.retrieve(intent.id).status == "succeeded"


def test_off_session_payments_need_no_authentication_after_an_off_session_setup(
    client: stripe.StripeClient, db: Database, account: Account
) -> None:
    customer = client.v1.customers.create()
    intent = set_up(client, "pm_card_authenticationRequiredOnSetup", customer=customer.id)
    authenticate(db, account, intent.id, completed=True)

    payment = pay_off_session(client, customer.id, intent.payment_method)

    assert payment.status == "succeeded"
    assert payment.amount_received == 2000


def test_off_session_payments_still_need_authentication_after_an_on_session_setup(
    client: stripe.StripeClient, db: Database, account: Account
) -> None:
    customer = client.v1.customers.create()
    intent = set_up(
        client, "pm_card_authenticationRequiredOnSetup", customer=customer.id, usage="on_session"
    )
    authenticate(db, account, intent.id, completed=True)

    error = error_of(lambda: pay_off_session(client, customer.id, intent.payment_method))

    assert (error.http_status, error.code) == (402, "authentication_required")


def test_challenge_asks_for_3d_secure_on_any_card(
    client: stripe.StripeClient, db: Database, account: Account
) -> None:
    options = {"card": {"request_three_d_secure": "challenge"}}
    intent = set_up(client, payment_method_options=options)
    assert intent.status == "requires_action"
    assert intent.next_action.type == "redirect_to_url"

    authenticate(db, account, intent.id, completed=True)

    assert client.v1.setup_intents.retrieve(intent.id).status == "succeeded"


def test_any_leaves_3d_secure_to_the_issuer(client: stripe.StripeClient) -> None:
    options = {"card": {"request_three_d_secure": "any"}}
    assert set_up(client, payment_method_options=options).status == "succeeded"


def test_a_new_payment_method_abandons_the_pending_authentication(
    client: stripe.StripeClient,
) -> None:
    intent = set_up(client, "pm_card_authenticationRequired")
    updated = client.v1.setup_intents.update(intent.id, params={"payment_method": "pm_card_visa"})
    assert (updated.status, updated.next_action) == ("requires_confirmation", None)
    assert client.v1.setup_intents.confirm(intent.id).status == "succeeded"


# --- cancel --------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["abandoned", "requested_by_customer", "duplicate"])
def test_cancel_with_a_reason(client: stripe.StripeClient, reason: str) -> None:
    intent = client.v1.setup_intents.create()
    canceled = client.v1.setup_intents.cancel(intent.id, params={"cancellation_reason": reason})
    assert (canceled.status, canceled.cancellation_reason) == ("canceled", reason)
    assert event_types(client, 2) == ["setup_intent.canceled", "setup_intent.created"]


def test_canceling_an_intent_waiting_for_authentication_drops_the_redirect(
    client: stripe.StripeClient,
) -> None:
    intent = set_up(client, "pm_card_authenticationRequired")
    canceled = client.v1.setup_intents.cancel(intent.id)
    assert (canceled.status, canceled.cancellation_reason) == ("canceled", None)
    assert canceled.next_action is None


def test_a_canceled_intent_can_be_neither_confirmed_nor_canceled_again(
    client: stripe.StripeClient,
) -> None:
    intent = client.v1.setup_intents.create(params={"payment_method": "pm_card_visa"})
    client.v1.setup_intents.cancel(intent.id)

    confirm = error_of(lambda: client.v1.setup_intents.confirm(intent.id))
    again = error_of(lambda: client.v1.setup_intents.cancel(intent.id))

    assert_error(confirm, code="setup_intent_unexpected_state", param=None)
    assert_error(again, code="setup_intent_unexpected_state", param=None)
    assert "already canceled" in str(again.user_message)


def test_a_succeeded_intent_cannot_be_canceled_or_confirmed(client: stripe.StripeClient) -> None:
    intent = set_up(client)
    for call in (
        lambda: client.v1.setup_intents.cancel(intent.id),
        lambda: client.v1.setup_intents.confirm(intent.id),
    ):
        assert_error(error_of(call), code="setup_intent_unexpected_state", param=None)
    assert client.v1.setup_intents.retrieve(intent.id).status == "succeeded"


# --- update --------------------------------------------------------------------------------


def test_update_description_metadata_and_customer(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create()
    intent = client.v1.setup_intents.create(params={"metadata": {"a": "1", "b": "2"}})

    updated = client.v1.setup_intents.update(
        intent.id,
        params={
            "description": "Backup card",
            "metadata": {"a": "", "c": "3"},
            "customer": customer.id,
        },
    )

    assert updated.description == "Backup card"
    assert updated.metadata.to_dict() == {"b": "2", "c": "3"}
    assert updated.customer == customer.id
    assert updated.status == "requires_payment_method"
    assert "setup_intent.updated" not in event_types(client)


def test_after_success_metadata_changes_but_the_card_does_not(client: stripe.StripeClient) -> None:
    intent = set_up(client)

    updated = client.v1.setup_intents.update(intent.id, params={"metadata": {"k": "v"}})
    refused = error_of(
        lambda: client.v1.setup_intents.update(intent.id, params={"payment_method": "pm_card_amex"})
    )

    assert updated.metadata.to_dict() == {"k": "v"}
    assert_error(refused, code="setup_intent_unexpected_state", param="payment_method")
    assert client.v1.setup_intents.retrieve(intent.id).payment_method == intent.payment_method


def test_a_card_of_another_customer_is_refused(client: stripe.StripeClient) -> None:
    ann, bob = client.v1.customers.create(), client.v1.customers.create()
    card = client.v1.payment_methods.attach("pm_card_visa", params={"customer": ann.id})

    created = error_of(lambda: set_up(client, card.id, customer=bob.id))
    intent = client.v1.setup_intents.create(params={"payment_method": card.id, "customer": ann.id})
    moved = error_of(lambda: client.v1.setup_intents.update(intent.id, params={"customer": bob.id}))

    assert_error(created, code=None, param="payment_method")
    assert_error(moved, code=None, param="customer")
    assert client.v1.setup_intents.retrieve(intent.id).customer == ann.id


# --- list, retrieve, expand ----------------------------------------------------------------


def test_list_filters_by_customer_and_payment_method(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create()
    mine = set_up(client, customer=customer.id)
    other = set_up(client)
    waiting = client.v1.setup_intents.create()

    everyone = client.v1.setup_intents.list().data
    by_customer = client.v1.setup_intents.list(params={"customer": customer.id}).data
    by_card = client.v1.setup_intents.list(params={"payment_method": other.payment_method}).data
    first_page = client.v1.setup_intents.list(params={"limit": 2})

    assert [i.id for i in everyone] == [waiting.id, other.id, mine.id]
    assert [i.id for i in by_customer] == [mine.id]
    assert [i.id for i in by_card] == [other.id]
    assert ([i.id for i in first_page.data], first_page.has_more) == ([waiting.id, other.id], True)


def test_list_filters_by_created(client: stripe.StripeClient) -> None:
    intent = client.v1.setup_intents.create()
    at = client.v1.setup_intents.list(params={"created": {"gte": intent.created}}).data
    later = client.v1.setup_intents.list(params={"created": {"gt": intent.created}}).data
    assert [i.id for i in at] == [intent.id]
    assert later == []


def test_customer_and_payment_method_expand(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create(params={"email": "ann@example.com"})
    intent = set_up(client, customer=customer.id)
    expanded = client.v1.setup_intents.retrieve(
        intent.id, params={"expand": ["customer", "payment_method"]}
    )
    assert expanded.customer.email == "ann@example.com"
    assert expanded.payment_method.card.last4 == "4242"


def test_the_rendered_object_has_every_field_of_stripe_s(http: httpx.Client) -> None:
    body = http.post("/v1/setup_intents").json()
    assert set(body) == {
        "id", "object", "allowed_payment_method_types", "application", "attach_to_self",
        "automatic_payment_methods", "cancellation_reason", "client_secret", "created",
        "customer", "customer_account", "description", "excluded_payment_method_types",
        "flow_directions", "last_setup_error", "latest_attempt", "livemode", "managed_payments",
        "mandate", "metadata", "next_action", "on_behalf_of", "payment_method",
        "payment_method_configuration_details", "payment_method_options",
        "payment_method_types", "single_use_mandate", "status", "usage",
    }  # fmt: skip


# --- idempotency and concurrency -------------------------------------------------------------


def test_a_replayed_confirmation_sets_up_once(
    client: stripe.StripeClient, http: httpx.Client, db: Database, account: Account
) -> None:
    customer = client.v1.customers.create()
    intent = client.v1.setup_intents.create(
        params={"customer": customer.id, "payment_method": "pm_card_visa"}
    )
    headers = {"Idempotency-Key": f"confirm-{intent.id}"}

    first = http.post(f"/v1/setup_intents/{intent.id}/confirm", headers=headers)
    second = http.post(f"/v1/setup_intents/{intent.id}/confirm", headers=headers)

    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert second.headers["Idempotent-Replayed"] == "true"
    with db.unit(Actor(account.id), readonly=True) as uow:
        assert setup_intents.get(uow, intent.id).attempts == 1
    assert event_types(client).count("setup_intent.succeeded") == 1


def test_concurrent_confirmations_set_up_once(
    client: stripe.StripeClient, http: httpx.Client
) -> None:
    intent = client.v1.setup_intents.create(params={"payment_method": "pm_card_visa"})
    with ThreadPoolExecutor(max_workers=4) as pool:
        statuses = list(
            pool.map(
                lambda _: http.post(f"/v1/setup_intents/{intent.id}/confirm").status_code,
                range(4),
            )
        )
    assert sorted(statuses) == [200, 400, 400, 400]
    assert event_types(client).count("setup_intent.succeeded") == 1
