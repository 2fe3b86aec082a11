"""Disputes through the official SDK: Stripe's dispute test cards open a chargeback or an
inquiry with the payment, the charge shows it, its review closes as disputed; disputes are
listed, retrieved, answered with evidence (won or lost by Stripe's test-mode convention) or
accepted, with the events each step records."""

from __future__ import annotations

from typing import Any

import pytest
import stripe

from seikyu.accounts import service as accounts
from seikyu.db.uow import Database
from tests.support.errors import assert_error, error_of
from tests.support.server import ServerProcess

DISPUTE_FIELDS = {
    "id",
    "object",
    "amount",
    "balance_transactions",
    "charge",
    "created",
    "currency",
    "enhanced_eligibility_types",
    "evidence",
    "evidence_details",
    "intended_submission_method",
    "is_charge_refundable",
    "livemode",
    "metadata",
    "network_reason_code",
    "payment_intent",
    "payment_method_details",
    "reason",
    "status",
}
DAY = 86_400


def pay(
    client: stripe.StripeClient, card: str = "pm_card_createDispute", **extra: Any
) -> stripe.PaymentIntent:
    params: dict[str, Any] = {
        "amount": 2000,
        "currency": "usd",
        "payment_method": card,
        "confirm": True,
        **extra,
    }
    return client.v1.payment_intents.create(params=params)  # type: ignore[arg-type]


def disputed(client: stripe.StripeClient, card: str = "pm_card_createDispute") -> stripe.Dispute:
    """Pay with a dispute card and return the dispute the payment opened."""
    intent = pay(client, card)
    [dispute] = client.v1.disputes.list(params={"payment_intent": intent.id}).data
    return dispute


def event_types(client: stripe.StripeClient) -> list[str]:
    """The dispute and review events, oldest first."""
    listed = client.v1.events.list(params={"limit": 100}).data
    return [e.type for e in reversed(listed) if e.type.startswith(("charge.dispute.", "review."))]


def events_of(client: stripe.StripeClient, event_type: str) -> list[stripe.Event]:
    return list(client.v1.events.list(params={"type": event_type, "limit": 100}).data)


def listed_ids(client: stripe.StripeClient, **params: Any) -> list[str]:
    return [d.id for d in client.v1.disputes.list(params=params).data]  # type: ignore[arg-type]


def submit(client: stripe.StripeClient, dispute_id: str, text: str) -> stripe.Dispute:
    return client.v1.disputes.update(dispute_id, params={"evidence": {"uncategorized_text": text}})


# --- the test cards ------------------------------------------------------------------------


def test_the_dispute_card_opens_a_fraudulent_chargeback(client: stripe.StripeClient) -> None:
    intent = pay(client)

    assert intent.status == "succeeded"
    [dispute] = client.v1.disputes.list(params={"payment_intent": intent.id}).data
    assert set(dispute.to_dict()) == DISPUTE_FIELDS
    assert dispute.id.startswith("dp_")
    assert dispute.object == "dispute"
    assert (dispute.charge, dispute.payment_intent) == (intent.latest_charge, intent.id)
    assert (dispute.amount, dispute.currency) == (2000, "usd")
    assert (dispute.reason, dispute.status) == ("fraudulent", "needs_response")
    assert dispute.is_charge_refundable is False
    assert dispute.balance_transactions == []
    assert dispute.livemode is False
    assert dispute.network_reason_code == "10.4"
    details = dispute.payment_method_details
    assert details is not None
    assert details.card is not None
    assert (details.type, details.card.brand, details.card.case_type) == (
        "card",
        "visa",
        "chargeback",
    )


def test_the_dispute_is_due_at_the_end_of_the_twenty_first_day(
    client: stripe.StripeClient,
) -> None:
    dispute = disputed(client)

    due_by = dispute.evidence_details.due_by
    assert due_by is not None
    assert due_by % DAY == DAY - 1
    assert 20 * DAY < due_by - dispute.created <= 22 * DAY
    assert (
        dispute.evidence_details.has_evidence,
        dispute.evidence_details.past_due,
        dispute.evidence_details.submission_count,
        dispute.evidence_details.submission_method,
    ) == (False, False, 0, "not_submitted")
    assert dispute.evidence.uncategorized_text is None


def test_a_chargeback_records_created_and_funds_withdrawn(client: stripe.StripeClient) -> None:
    dispute = disputed(client)

    assert event_types(client) == ["charge.dispute.created", "charge.dispute.funds_withdrawn"]
    [created] = events_of(client, "charge.dispute.created")
    assert created.data.object["id"] == dispute.id


def test_the_product_not_received_card(client: stripe.StripeClient) -> None:
    dispute = disputed(client, "pm_card_createDisputeProductNotReceived")

    assert (dispute.reason, dispute.status, dispute.network_reason_code) == (
        "product_not_received",
        "needs_response",
        "13.1",
    )


def test_the_inquiry_card_opens_an_inquiry_that_takes_no_money(
    client: stripe.StripeClient,
) -> None:
    dispute = disputed(client, "pm_card_createDisputeInquiry")

    assert (dispute.reason, dispute.status) == ("fraudulent", "warning_needs_response")
    assert dispute.is_charge_refundable is True
    details = dispute.payment_method_details
    assert details is not None
    assert details.card is not None
    assert details.card.case_type == "inquiry"
    assert event_types(client) == ["charge.dispute.created"]


@pytest.mark.parametrize(
    ("number", "reason", "status"),
    [
        ("4000000000000259", "fraudulent", "needs_response"),
        ("4000000000002685", "product_not_received", "needs_response"),
        ("4000000000001976", "fraudulent", "warning_needs_response"),
    ],
)
def test_the_card_numbers_open_the_same_disputes(
    client: stripe.StripeClient, number: str, reason: str, status: str
) -> None:
    card = client.v1.payment_methods.create(
        params={
            "type": "card",
            "card": {"number": number, "exp_month": 12, "exp_year": 2034, "cvc": "123"},
        }
    )

    dispute = disputed(client, card.id)

    assert (dispute.reason, dispute.status) == (reason, status)


def test_the_disputed_charge_shows_it(client: stripe.StripeClient) -> None:
    dispute = disputed(client)

    assert client.v1.charges.retrieve(str(dispute.charge)).disputed is True


def test_an_ordinary_charge_is_not_disputed(client: stripe.StripeClient) -> None:
    intent = pay(client, "pm_card_visa")

    assert client.v1.charges.retrieve(str(intent.latest_charge)).disputed is False
    assert listed_ids(client) == []


def test_an_authorization_not_captured_is_not_disputed(client: stripe.StripeClient) -> None:
    intent = pay(client, capture_method="manual")

    assert intent.status == "requires_capture"
    assert listed_ids(client) == []


def test_an_authorization_is_disputed_for_what_its_capture_took(
    client: stripe.StripeClient,
) -> None:
    intent = pay(client, capture_method="manual")

    client.v1.payment_intents.capture(intent.id, params={"amount_to_capture": 1500})

    [dispute] = client.v1.disputes.list(params={"payment_intent": intent.id}).data
    charge = client.v1.charges.retrieve(str(intent.latest_charge))
    assert (dispute.amount, dispute.status, dispute.charge) == (1500, "needs_response", charge.id)
    assert (charge.disputed, charge.amount_captured) == (True, 1500)
    assert [e.data.object["id"] for e in events_of(client, "charge.dispute.created")] == [
        dispute.id
    ]


def test_a_canceled_authorization_is_never_disputed(client: stripe.StripeClient) -> None:
    intent = pay(client, capture_method="manual")

    client.v1.payment_intents.cancel(intent.id)

    assert listed_ids(client) == []
    assert client.v1.charges.retrieve(str(intent.latest_charge)).disputed is False


def test_a_charged_back_charge_cannot_be_refunded(client: stripe.StripeClient) -> None:
    dispute = disputed(client)

    error = error_of(lambda: client.v1.refunds.create(params={"charge": str(dispute.charge)}))

    assert_error(error, code="charge_disputed", param=None)
    assert client.v1.refunds.list(params={"charge": str(dispute.charge)}).data == []


def test_a_charge_under_inquiry_can_still_be_refunded(client: stripe.StripeClient) -> None:
    dispute = disputed(client, "pm_card_createDisputeInquiry")

    refund = client.v1.refunds.create(params={"charge": str(dispute.charge)})

    assert refund.status == "succeeded"


# --- reviews and early fraud warnings ------------------------------------------------------


def test_a_dispute_closes_the_charges_open_review_as_disputed(
    client: stripe.StripeClient,
) -> None:
    client.raw_request(
        "post", "/v1/radar/rules", action="review", predicate=":amount_in_usd: > 100"
    )

    intent = pay(client, amount=25000)

    charge = client.v1.charges.retrieve(str(intent.latest_charge))
    assert charge.review is not None
    review = client.v1.reviews.retrieve(str(charge.review))
    assert (review.open, review.reason, review.closed_reason) == (False, "disputed", "disputed")
    assert event_types(client) == [
        "review.opened",
        "charge.dispute.created",
        "charge.dispute.funds_withdrawn",
        "review.closed",
    ]


# --- retrieve and list ---------------------------------------------------------------------


def test_retrieve_a_dispute(client: stripe.StripeClient) -> None:
    dispute = disputed(client)

    found = client.v1.disputes.retrieve(dispute.id)

    assert found.to_dict() == dispute.to_dict()


def test_retrieve_an_unknown_dispute(client: stripe.StripeClient) -> None:
    error = error_of(lambda: client.v1.disputes.retrieve("dp_nope"))

    assert_error(error, status=404, code="resource_missing", param="id")
    assert error.user_message == "No such dispute: 'dp_nope'"


def test_retrieve_expands_the_charge_and_the_payment_intent(client: stripe.StripeClient) -> None:
    dispute = disputed(client)

    found = client.v1.disputes.retrieve(dispute.id, params={"expand": ["charge", "payment_intent"]})

    assert isinstance(found.charge, stripe.Charge)
    assert found.charge.disputed is True
    assert isinstance(found.payment_intent, stripe.PaymentIntent)


def test_the_list_is_newest_first_and_pages(client: stripe.StripeClient) -> None:
    newest_first = [disputed(client).id for _ in range(3)][::-1]

    assert listed_ids(client) == newest_first
    page = client.v1.disputes.list(params={"limit": 2})
    assert ([d.id for d in page.data], page.has_more) == (newest_first[:2], True)
    assert listed_ids(client, limit=2, starting_after=newest_first[1]) == newest_first[2:]
    assert listed_ids(client, limit=2, ending_before=newest_first[2]) == newest_first[:2]


def test_the_list_filters_by_charge_and_payment_intent(client: stripe.StripeClient) -> None:
    first = disputed(client)
    second = disputed(client, "pm_card_createDisputeInquiry")

    assert listed_ids(client, charge=str(first.charge)) == [first.id]
    assert listed_ids(client, payment_intent=str(second.payment_intent)) == [second.id]
    assert (
        listed_ids(client, charge=str(first.charge), payment_intent=str(second.payment_intent))
        == []
    )
    assert listed_ids(client, charge="ch_nope") == []


def test_the_list_filters_on_created(client: stripe.StripeClient) -> None:
    dispute = disputed(client)

    assert listed_ids(client, created=dispute.created) == [dispute.id]
    assert listed_ids(client, created={"gte": dispute.created}) == [dispute.id]
    assert listed_ids(client, created={"gt": dispute.created}) == []
    assert listed_ids(client, created={"lt": dispute.created}) == []


def test_another_account_cannot_see_or_close_the_dispute(
    client: stripe.StripeClient, db: Database, server: ServerProcess
) -> None:
    dispute = disputed(client)
    with db.unit() as uow:
        other = accounts.create_account(uow, name="other")
        uow.session.flush()
        key = accounts.create_key(uow, other.id)
    stranger = stripe.StripeClient(
        key.secret, base_addresses={"api": server.url}, max_network_retries=0
    )

    for call in (
        lambda: stranger.v1.disputes.retrieve(dispute.id),
        lambda: stranger.v1.disputes.close(dispute.id),
    ):
        assert_error(error_of(call), status=404, code="resource_missing", param="id")
    assert stranger.v1.disputes.list().data == []
    assert client.v1.disputes.retrieve(dispute.id).status == "needs_response"


# --- evidence ------------------------------------------------------------------------------


def test_evidence_staged_without_submitting(client: stripe.StripeClient) -> None:
    dispute = disputed(client)

    staged = client.v1.disputes.update(
        dispute.id,
        params={
            "evidence": {"product_description": "A year of hosting", "customer_name": "Ada"},
            "metadata": {"case": "42"},
            "submit": False,
        },
    )

    assert staged.status == "needs_response"
    assert (staged.evidence.product_description, staged.evidence.customer_name) == (
        "A year of hosting",
        "Ada",
    )
    assert staged.metadata.to_dict() == {"case": "42"}
    assert (staged.evidence_details.has_evidence, staged.evidence_details.submission_count) == (
        True,
        0,
    )
    [updated] = events_of(client, "charge.dispute.updated")
    previous = updated.data.previous_attributes
    assert previous is not None
    assert previous.to_dict()["metadata"] == {"case": None}


def test_staged_evidence_is_kept_and_a_field_cleared(client: stripe.StripeClient) -> None:
    dispute = disputed(client)
    client.v1.disputes.update(
        dispute.id,
        params={"evidence": {"customer_name": "Ada", "shipping_carrier": "UPS"}, "submit": False},
    )

    again = client.v1.disputes.update(
        dispute.id, params={"evidence": {"customer_name": ""}, "submit": False}
    )

    assert (again.evidence.customer_name, again.evidence.shipping_carrier) == (None, "UPS")


def test_submitted_evidence_goes_under_review(client: stripe.StripeClient) -> None:
    dispute = disputed(client)

    submitted = submit(client, dispute.id, "The customer signed for the parcel.")

    assert submitted.status == "under_review"
    assert (
        submitted.evidence_details.submission_count,
        submitted.evidence_details.submission_method,
        submitted.evidence_details.past_due,
    ) == (1, "manual", False)
    [updated] = events_of(client, "charge.dispute.updated")
    previous = updated.data.previous_attributes
    assert previous is not None
    assert previous.to_dict()["status"] == "needs_response"


def test_winning_evidence_wins(client: stripe.StripeClient) -> None:
    dispute = disputed(client)

    won = submit(client, dispute.id, "winning_evidence")

    assert won.status == "won"
    assert won.is_charge_refundable is True
    assert event_types(client)[2:] == [
        "charge.dispute.updated",
        "charge.dispute.closed",
        "charge.dispute.funds_reinstated",
    ]
    [closed] = events_of(client, "charge.dispute.closed")
    assert closed.data.object["status"] == "won"


def test_losing_evidence_loses(client: stripe.StripeClient) -> None:
    dispute = disputed(client)

    lost = submit(client, dispute.id, "losing_evidence")

    assert lost.status == "lost"
    assert event_types(client)[2:] == ["charge.dispute.updated", "charge.dispute.closed"]


def test_staged_winning_evidence_wins_when_submitted(client: stripe.StripeClient) -> None:
    dispute = disputed(client)
    client.v1.disputes.update(
        dispute.id,
        params={"evidence": {"uncategorized_text": "winning_evidence"}, "submit": False},
    )

    won = client.v1.disputes.update(dispute.id, params={"submit": True})

    assert won.status == "won"


def test_an_inquiry_won_closes_without_money_moving(client: stripe.StripeClient) -> None:
    dispute = disputed(client, "pm_card_createDisputeInquiry")

    closed = submit(client, dispute.id, "winning_evidence")

    assert closed.status == "warning_closed"
    assert event_types(client)[1:] == ["charge.dispute.updated", "charge.dispute.closed"]


def test_an_inquiry_lost_takes_the_money(client: stripe.StripeClient) -> None:
    dispute = disputed(client, "pm_card_createDisputeInquiry")

    lost = submit(client, dispute.id, "losing_evidence")

    assert (lost.status, lost.is_charge_refundable) == ("lost", False)
    assert event_types(client)[1:] == [
        "charge.dispute.updated",
        "charge.dispute.closed",
        "charge.dispute.funds_withdrawn",
    ]


def test_metadata_alone_changes_no_status(client: stripe.StripeClient) -> None:
    dispute = disputed(client)

    updated = client.v1.disputes.update(dispute.id, params={"metadata": {"note": "x"}})

    assert (updated.status, updated.evidence_details.submission_count) == ("needs_response", 0)
    assert updated.metadata.to_dict() == {"note": "x"}


def test_evidence_after_submission_is_refused(client: stripe.StripeClient) -> None:
    dispute = disputed(client)
    submit(client, dispute.id, "Proof of delivery.")

    error = error_of(lambda: submit(client, dispute.id, "More proof."))

    assert_error(error, code=None, param=None)
    assert client.v1.disputes.retrieve(dispute.id).evidence.uncategorized_text == (
        "Proof of delivery."
    )


def test_updating_a_closed_dispute_is_refused(client: stripe.StripeClient) -> None:
    dispute = disputed(client)
    submit(client, dispute.id, "winning_evidence")

    for params in ({"evidence": {"customer_name": "Ada"}}, {"metadata": {"a": "b"}}):
        error = error_of(
            lambda p=params: client.v1.disputes.update(dispute.id, params=p)  # type: ignore[misc]
        )
        assert_error(error, code=None, param=None)
        assert error.user_message == "This dispute is already closed."
    assert client.v1.disputes.retrieve(dispute.id).metadata.to_dict() == {}


def test_an_uploaded_file_that_does_not_exist_is_refused(client: stripe.StripeClient) -> None:
    dispute = disputed(client)

    error = error_of(
        lambda: client.v1.disputes.update(dispute.id, params={"evidence": {"receipt": "file_1"}})
    )

    assert_error(error, code="resource_missing", param="evidence[receipt]")
    assert client.v1.disputes.retrieve(dispute.id).status == "needs_response"


# --- close ---------------------------------------------------------------------------------


def test_closing_accepts_the_dispute_as_lost(client: stripe.StripeClient) -> None:
    dispute = disputed(client)

    closed = client.v1.disputes.close(dispute.id)

    assert closed.status == "lost"
    assert event_types(client)[2:] == ["charge.dispute.closed"]


def test_closing_an_inquiry_takes_the_money(client: stripe.StripeClient) -> None:
    dispute = disputed(client, "pm_card_createDisputeInquiry")

    closed = client.v1.disputes.close(dispute.id)

    assert closed.status == "lost"
    assert event_types(client)[1:] == ["charge.dispute.closed", "charge.dispute.funds_withdrawn"]


def test_closing_a_closed_dispute_is_refused(client: stripe.StripeClient) -> None:
    dispute = disputed(client)
    client.v1.disputes.close(dispute.id)

    error = error_of(lambda: client.v1.disputes.close(dispute.id))

    assert_error(error, code=None, param=None)
    assert event_types(client)[2:] == ["charge.dispute.closed"]


def test_closing_an_unknown_dispute(client: stripe.StripeClient) -> None:
    error = error_of(lambda: client.v1.disputes.close("dp_nope"))

    assert_error(error, status=404, code="resource_missing", param="id")
