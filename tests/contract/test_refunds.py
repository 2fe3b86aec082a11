"""Refunds through the official SDK: full and partial, several per charge, reasons, metadata,
cancel while pending, lists, events, and the charge's bookkeeping after each step."""

from __future__ import annotations

from typing import Any

import pytest
import stripe

from seikyu.accounts import service as accounts
from seikyu.db.uow import Database
from tests.support.errors import assert_error, error_of
from tests.support.server import ServerProcess


@pytest.fixture
def other_client(db: Database, server: ServerProcess) -> stripe.StripeClient:
    """A client of another account on the same server."""
    with db.unit() as uow:
        other = accounts.create_account(uow, name="other")
        uow.session.flush()
        key = accounts.create_key(uow, other.id)
    return stripe.StripeClient(
        key.secret, base_addresses={"api": server.url}, max_network_retries=0
    )


def pay(
    client: stripe.StripeClient,
    payment_method: str = "pm_card_visa",
    *,
    amount: int = 2000,
    currency: str = "usd",
    **extra: Any,
) -> Any:
    params: dict[str, Any] = {
        "amount": amount,
        "currency": currency,
        "payment_method": payment_method,
        "confirm": True,
        **extra,
    }
    return client.v1.payment_intents.create(params=params)  # type: ignore[arg-type]


def refund(client: stripe.StripeClient, **params: Any) -> stripe.Refund:
    return client.v1.refunds.create(params=params)  # type: ignore[arg-type]


def charge_of(client: stripe.StripeClient, charge_id: str) -> stripe.Charge:
    return client.v1.charges.retrieve(charge_id)


def bookkeeping(client: stripe.StripeClient, charge_id: str) -> tuple[int, bool]:
    charge = charge_of(client, charge_id)
    return charge.amount_refunded, charge.refunded


def event_types(client: stripe.StripeClient, limit: int) -> list[str]:
    return [e.type for e in client.v1.events.list(params={"limit": limit}).data]


# --- full and partial -------------------------------------------------------------------


def test_a_refund_without_an_amount_gives_back_the_whole_charge(
    client: stripe.StripeClient,
) -> None:
    intent = pay(client)

    given = refund(client, charge=intent.latest_charge)

    assert given.id.startswith("re_")
    assert given.object == "refund"
    assert (given.amount, given.currency, given.status) == (2000, "usd", "succeeded")
    assert (given.charge, given.payment_intent) == (intent.latest_charge, intent.id)
    assert (given.reason, given.failure_reason, given.pending_reason) == (None, None, None)
    assert given.metadata.to_dict() == {}
    assert given.destination_details.type == "card"
    assert given.destination_details.card.type == "refund"
    assert bookkeeping(client, intent.latest_charge) == (2000, True)
    assert client.v1.refunds.retrieve(given.id).to_dict() == given.to_dict()


def test_a_partial_refund_leaves_the_rest_refundable(client: stripe.StripeClient) -> None:
    intent = pay(client)

    given = refund(client, charge=intent.latest_charge, amount=500)

    assert (given.amount, given.status) == (500, "succeeded")
    assert bookkeeping(client, intent.latest_charge) == (500, False)


def test_partial_refunds_add_up_to_the_charge_then_are_refused(
    client: stripe.StripeClient,
) -> None:
    intent = pay(client)
    charge = intent.latest_charge
    refund(client, charge=charge, amount=500)
    refund(client, charge=charge, amount=700)
    assert bookkeeping(client, charge) == (1200, False)

    too_much = error_of(lambda: refund(client, charge=charge, amount=900))
    assert_error(too_much, code=None, param="amount")
    assert too_much.user_message == (
        "Refund amount ($9.00) is greater than unrefunded amount on charge ($8.00)"
    )
    rest = refund(client, charge=charge)
    assert rest.amount == 800
    assert bookkeeping(client, charge) == (2000, True)

    done = error_of(lambda: refund(client, charge=charge, amount=1))
    assert_error(done, code="charge_already_refunded", param=None)
    assert done.user_message == f"Charge {charge} has already been refunded."
    listed = client.v1.refunds.list(params={"charge": charge}).data
    assert [r.amount for r in listed] == [800, 700, 500]


def test_more_than_the_charge_is_refused_in_stripes_words(client: stripe.StripeClient) -> None:
    intent = pay(client)

    error = error_of(lambda: refund(client, charge=intent.latest_charge, amount=2001))

    assert_error(error, code=None, param="amount")
    assert error.user_message == "Refund amount ($20.01) is greater than charge amount ($20.00)"
    assert client.v1.refunds.list().data == []
    assert bookkeeping(client, intent.latest_charge) == (0, False)


def test_a_zero_decimal_currency_is_shown_in_whole_units(client: stripe.StripeClient) -> None:
    intent = pay(client, "pm_card_jp", amount=1000, currency="jpy")

    error = error_of(lambda: refund(client, charge=intent.latest_charge, amount=1500))

    assert error.user_message == "Refund amount (¥1,500) is greater than charge amount (¥1,000)"


def test_a_refund_by_payment_intent_draws_on_its_latest_charge(
    client: stripe.StripeClient,
) -> None:
    intent = pay(client)

    given = refund(client, payment_intent=intent.id, amount=300)

    assert (given.charge, given.payment_intent, given.amount) == (
        intent.latest_charge,
        intent.id,
        300,
    )
    assert bookkeeping(client, intent.latest_charge) == (300, False)


@pytest.mark.parametrize("reason", ["duplicate", "fraudulent", "requested_by_customer"])
def test_each_reason_is_kept(client: stripe.StripeClient, reason: str) -> None:
    intent = pay(client)

    given = refund(client, charge=intent.latest_charge, reason=reason)

    assert given.reason == reason
    assert client.v1.refunds.retrieve(given.id).reason == reason


def test_instructions_email_is_kept(client: stripe.StripeClient) -> None:
    intent = pay(client)
    given = refund(client, charge=intent.latest_charge, instructions_email="jenny@example.com")
    assert given.instructions_email == "jenny@example.com"


# --- captures and authorizations ------------------------------------------------------


def test_after_a_partial_capture_only_the_captured_amount_is_refundable(
    client: stripe.StripeClient,
) -> None:
    intent = pay(client, capture_method="manual", amount=5000)
    client.v1.payment_intents.capture(intent.id, params={"amount_to_capture": 3000})
    # Stripe shows the released, uncaptured rest as refunded.
    assert bookkeeping(client, intent.latest_charge) == (2000, False)

    too_much = error_of(lambda: refund(client, charge=intent.latest_charge, amount=3001))
    assert too_much.user_message == (
        "Refund amount ($30.01) is greater than unrefunded amount on charge ($30.00)"
    )
    rest = refund(client, charge=intent.latest_charge)

    assert rest.amount == 3000
    assert bookkeeping(client, intent.latest_charge) == (5000, True)


def test_an_uncaptured_charge_is_released_by_canceling_its_intent_not_refunded(
    client: stripe.StripeClient,
) -> None:
    intent = pay(client, capture_method="manual")

    error = error_of(lambda: refund(client, charge=intent.latest_charge))

    assert_error(error, code=None, param=None)
    assert error.user_message == (
        f"This uncaptured Charge was created by a PaymentIntent ({intent.id}). You must cancel "
        "the PaymentIntent to reverse the authorization instead of refunding the Charge "
        "directly. For more information, see "
        "https://stripe.com/docs/payments/place-a-hold-on-a-payment-method"
    )
    assert bookkeeping(client, intent.latest_charge) == (0, False)


def test_a_released_authorization_has_nothing_to_refund(client: stripe.StripeClient) -> None:
    intent = pay(client, capture_method="manual")
    client.v1.payment_intents.cancel(intent.id)
    assert bookkeeping(client, intent.latest_charge) == (2000, True)

    for params in ({"charge": intent.latest_charge}, {"payment_intent": intent.id}):
        error = error_of(lambda params=params: refund(client, **params))  # type: ignore[misc]
        assert_error(error, code=None, param=None)
        assert error.user_message == (
            f"This PaymentIntent ({intent.id}) does not have a successful charge to refund."
        )


def test_a_declined_charge_has_nothing_to_refund(client: stripe.StripeClient) -> None:
    declined = error_of(lambda: pay(client, "pm_card_chargeDeclined"))
    body = (declined.json_body or {})["error"]

    error = error_of(lambda: refund(client, charge=body["charge"]))

    assert_error(error, code=None, param=None)
    assert error.user_message == (
        f"This PaymentIntent ({body['payment_intent']['id']}) does not have a successful "
        "charge to refund."
    )


def test_an_intent_without_a_charge_has_nothing_to_refund(client: stripe.StripeClient) -> None:
    intent = client.v1.payment_intents.create(params={"amount": 900, "currency": "usd"})
    error = error_of(lambda: refund(client, payment_intent=intent.id))
    assert error.user_message == (
        f"This PaymentIntent ({intent.id}) does not have a successful charge to refund."
    )


# --- asynchronous refund cards, cancel -------------------------------------------------


def test_a_pending_refund_holds_its_amount_until_canceled(client: stripe.StripeClient) -> None:
    intent = pay(client, "pm_card_pendingRefund")
    pending = refund(client, charge=intent.latest_charge, amount=1500)
    assert (pending.status, pending.pending_reason) == ("pending", "processing")
    assert bookkeeping(client, intent.latest_charge) == (1500, False)
    refused = error_of(lambda: refund(client, charge=intent.latest_charge, amount=501))
    assert_error(refused, code=None, param="amount")

    canceled = client.v1.refunds.cancel(pending.id)

    assert (canceled.status, canceled.pending_reason) == ("canceled", None)
    assert canceled.destination_details.card.reference_status == "unavailable"
    assert bookkeeping(client, intent.latest_charge) == (0, False)
    assert refund(client, charge=intent.latest_charge).amount == 2000
    assert bookkeeping(client, intent.latest_charge) == (2000, True)


def test_canceling_a_pending_refund_emits_its_updates(client: stripe.StripeClient) -> None:
    intent = pay(client, "pm_card_pendingRefund")
    pending = refund(client, charge=intent.latest_charge)

    client.v1.refunds.cancel(pending.id)

    events = client.v1.events.list(params={"limit": 2}).data
    assert [e.type for e in events] == ["charge.refund.updated", "refund.updated"]
    for event in events:
        assert event.data.object.id == pending.id
        assert event.data.object.status == "canceled"
        assert event.data.previous_attributes["status"] == "pending"


def test_a_succeeded_refund_cannot_be_canceled(client: stripe.StripeClient) -> None:
    intent = pay(client)
    given = refund(client, charge=intent.latest_charge)

    error = error_of(lambda: client.v1.refunds.cancel(given.id))

    assert_error(error, code=None, param=None)
    assert error.user_message == (
        "You cannot cancel this refund because it has a status of succeeded. Only a refund "
        "with a status of pending or requires_action can be canceled."
    )
    assert client.v1.refunds.retrieve(given.id).status == "succeeded"
    assert bookkeeping(client, intent.latest_charge) == (2000, True)


def test_a_canceled_refund_cannot_be_canceled_again(client: stripe.StripeClient) -> None:
    intent = pay(client, "pm_card_pendingRefund")
    pending = refund(client, charge=intent.latest_charge)
    client.v1.refunds.cancel(pending.id)

    error = error_of(lambda: client.v1.refunds.cancel(pending.id))

    assert_error(error, code=None, param=None)
    assert bookkeeping(client, intent.latest_charge) == (0, False)


def test_the_asynchronous_failure_card_refunds_as_succeeded_first(
    client: stripe.StripeClient,
) -> None:
    intent = pay(client, "pm_card_refundFail")
    given = refund(client, charge=intent.latest_charge, amount=1100)
    assert (given.status, given.failure_reason) == ("succeeded", None)
    assert bookkeeping(client, intent.latest_charge) == (1100, False)


# --- metadata, retrieve, expand -------------------------------------------------------


def test_metadata_is_set_at_creation_and_merged_by_updates(client: stripe.StripeClient) -> None:
    intent = pay(client)
    given = refund(client, charge=intent.latest_charge, metadata={"order": "7", "desk": "2"})
    assert given.metadata.to_dict() == {"order": "7", "desk": "2"}

    updated = client.v1.refunds.update(given.id, params={"metadata": {"note": "late", "desk": ""}})

    assert updated.metadata.to_dict() == {"order": "7", "note": "late"}
    assert client.v1.refunds.retrieve(given.id).metadata.to_dict() == {
        "order": "7",
        "note": "late",
    }
    event = client.v1.events.list(params={"limit": 1}).data[0]
    assert event.type == "refund.updated"
    assert event.data.previous_attributes["metadata"].to_dict() == {"desk": "2", "note": None}


def test_metadata_can_be_cleared_whole(client: stripe.StripeClient) -> None:
    intent = pay(client)
    given = refund(client, charge=intent.latest_charge, metadata={"order": "7"})
    cleared = client.v1.refunds.update(given.id, params={"metadata": ""})
    assert cleared.metadata.to_dict() == {}


def test_the_charge_and_intent_expand(client: stripe.StripeClient) -> None:
    intent = pay(client)
    given = refund(client, charge=intent.latest_charge, amount=100)

    shown = client.v1.refunds.retrieve(given.id, params={"expand": ["charge", "payment_intent"]})

    assert shown.charge.id == intent.latest_charge
    assert shown.charge.amount_refunded == 100
    assert shown.payment_intent.id == intent.id


def test_an_unknown_refund_is_missing(client: stripe.StripeClient) -> None:
    for call in (
        lambda: client.v1.refunds.retrieve("re_nope"),
        lambda: client.v1.refunds.update("re_nope", params={"metadata": {"k": "v"}}),
        lambda: client.v1.refunds.cancel("re_nope"),
    ):
        assert_error(error_of(call), status=404, code="resource_missing", param="id")


# --- events --------------------------------------------------------------------------


def test_every_refund_emits_refund_created_then_charge_refunded(
    client: stripe.StripeClient,
) -> None:
    intent = pay(client)
    first = refund(client, charge=intent.latest_charge, amount=400)
    refund(client, charge=intent.latest_charge)

    events = client.v1.events.list(params={"limit": 4}).data

    assert [e.type for e in events] == [
        "charge.refunded",
        "refund.created",
        "charge.refunded",
        "refund.created",
    ]
    assert events[3].data.object.id == first.id
    partial = events[2].data
    assert (partial.object.id, partial.object.amount_refunded) == (intent.latest_charge, 400)
    assert partial.object.refunded is False
    assert partial.previous_attributes["amount_refunded"] == 0
    whole = events[0].data
    assert (whole.object.amount_refunded, whole.object.refunded) == (2000, True)
    assert whole.previous_attributes.to_dict() == {"amount_refunded": 400, "refunded": False}


def test_a_refused_refund_emits_nothing(client: stripe.StripeClient) -> None:
    intent = pay(client)
    before = event_types(client, 10)
    error_of(lambda: refund(client, charge=intent.latest_charge, amount=5000))
    assert event_types(client, 10) == before


# --- lists ----------------------------------------------------------------------------


def test_lists_filter_by_charge_and_payment_intent(client: stripe.StripeClient) -> None:
    one, two = pay(client), pay(client)
    a = refund(client, charge=one.latest_charge, amount=100)
    b = refund(client, charge=two.latest_charge, amount=200)
    c = refund(client, payment_intent=one.id, amount=300)

    by_charge = client.v1.refunds.list(params={"charge": one.latest_charge}).data
    by_intent = client.v1.refunds.list(params={"payment_intent": two.id}).data
    everything = client.v1.refunds.list().data

    assert [r.id for r in by_charge] == [c.id, a.id]
    assert [r.id for r in by_intent] == [b.id]
    assert [r.id for r in everything] == [c.id, b.id, a.id]
    assert client.v1.refunds.list(params={"charge": "ch_nope"}).data == []


def test_lists_filter_by_creation_time(client: stripe.StripeClient) -> None:
    intent = pay(client)
    given = refund(client, charge=intent.latest_charge, amount=100)

    assert [r.id for r in client.v1.refunds.list(params={"created": given.created}).data] == [
        given.id
    ]
    assert client.v1.refunds.list(params={"created": {"gt": given.created}}).data == []
    assert client.v1.refunds.list(params={"created": {"lt": given.created}}).data == []


def test_lists_page_newest_first(client: stripe.StripeClient) -> None:
    intent = pay(client)
    made = [refund(client, charge=intent.latest_charge, amount=100).id for _ in range(5)]
    newest_first = list(reversed(made))

    first = client.v1.refunds.list(params={"limit": 2})
    second = client.v1.refunds.list(params={"limit": 2, "starting_after": first.data[-1].id})
    last = client.v1.refunds.list(params={"limit": 2, "starting_after": second.data[-1].id})
    back = client.v1.refunds.list(params={"limit": 2, "ending_before": last.data[0].id})

    assert [r.id for r in first.data] == newest_first[:2]
    assert [r.id for r in second.data] == newest_first[2:4]
    assert [r.id for r in last.data] == newest_first[4:]
    assert (first.has_more, second.has_more, last.has_more) == (True, True, False)
    assert [r.id for r in back.data] == newest_first[2:4]
    paged = [r.id for r in client.v1.refunds.list(params={"limit": 2}).auto_paging_iter()]
    assert paged == newest_first


def test_another_accounts_refunds_are_invisible(
    client: stripe.StripeClient, other_client: stripe.StripeClient
) -> None:
    intent = pay(client)
    given = refund(client, charge=intent.latest_charge, amount=100)

    assert other_client.v1.refunds.list().data == []
    assert_error(
        error_of(lambda: other_client.v1.refunds.retrieve(given.id)),
        status=404,
        code="resource_missing",
        param="id",
    )
    assert_error(
        error_of(lambda: refund(other_client, charge=intent.latest_charge)),
        status=404,
        code="resource_missing",
        param="id",
    )
    assert bookkeeping(client, intent.latest_charge) == (100, False)


def test_a_charge_shows_its_refunds_only_when_expanded(client: stripe.StripeClient) -> None:
    intent = pay(client)
    first = refund(client, charge=intent.latest_charge, amount=300)
    second = refund(client, charge=intent.latest_charge, amount=200)

    plain = client.v1.charges.retrieve(intent.latest_charge)
    assert "refunds" not in plain
    expanded = client.v1.charges.retrieve(intent.latest_charge, params={"expand": ["refunds"]})
    assert expanded.refunds.url == f"/v1/charges/{intent.latest_charge}/refunds"
    assert [(r.id, r.amount) for r in expanded.refunds.data] == [
        (second.id, 200),
        (first.id, 300),
    ]
