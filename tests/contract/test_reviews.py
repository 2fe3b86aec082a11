"""Reviews through the official SDK: opened by screening (here through the service, as
screening does), shown on the charge and its payment intent, listed while open, approved,
and closed by refunds and disputes, with the events each step records."""

from __future__ import annotations

from typing import Any

import pytest
import stripe

from seikyu.accounts import service as accounts
from seikyu.core.errors import SeikyuError
from seikyu.db.uow import Actor, Database, UnitOfWork
from seikyu.payments import charges, refunds
from seikyu.risk import reviews
from tests.conftest import TestAccount
from tests.support.errors import assert_error, error_of
from tests.support.race import second_during_first
from tests.support.server import ServerProcess

REVIEW_FIELDS = {
    "id",
    "object",
    "billing_zip",
    "charge",
    "closed_reason",
    "created",
    "ip_address",
    "ip_address_location",
    "livemode",
    "open",
    "opened_reason",
    "payment_intent",
    "reason",
    "session",
}


def pay(client: stripe.StripeClient, *, amount: int = 2000) -> stripe.PaymentIntent:
    return client.v1.payment_intents.create(
        params={
            "amount": amount,
            "currency": "usd",
            "payment_method": "pm_card_visa",
            "confirm": True,
        }
    )


def open_review(
    db: Database,
    account: TestAccount,
    charge_id: str,
    *,
    reason: str = "rule",
    rule_id: str | None = "review_if_elevated_risk",
    ip_address: str | None = "203.0.113.7",
) -> str:
    """Open a review the way screening does, in a unit of work of its own."""
    with db.unit(Actor(account.id)) as uow:
        charge = charges.get(uow, charge_id)
        review = reviews.open_review(
            uow, charge, reason=reason, rule_id=rule_id, ip_address=ip_address
        )
        return review.id


def reviewed_payment(
    client: stripe.StripeClient, db: Database, account: TestAccount, **review: Any
) -> tuple[stripe.PaymentIntent, str]:
    intent = pay(client)
    return intent, open_review(db, account, str(intent.latest_charge), **review)


def events_of(client: stripe.StripeClient, event_type: str) -> list[stripe.Event]:
    return list(client.v1.events.list(params={"type": event_type, "limit": 100}).data)


def open_ids(client: stripe.StripeClient, **params: Any) -> list[str]:
    return [r.id for r in client.v1.reviews.list(params=params).data]  # type: ignore[arg-type]


# --- opening -------------------------------------------------------------------------------


def test_a_review_opened_by_a_rule_has_stripes_fields(
    client: stripe.StripeClient, db: Database, account: TestAccount
) -> None:
    intent, review_id = reviewed_payment(client, db, account)

    review = client.v1.reviews.retrieve(review_id)

    assert set(review.to_dict()) == REVIEW_FIELDS
    assert review.id.startswith("prv_")
    assert review.object == "review"
    assert (review.charge, review.payment_intent) == (intent.latest_charge, intent.id)
    assert (review.open, review.opened_reason, review.reason, review.closed_reason) == (
        True,
        "rule",
        "rule",
        None,
    )
    assert review.ip_address == "203.0.113.7"
    assert (review.billing_zip, review.ip_address_location, review.session) == (None, None, None)
    assert review.livemode is False
    assert review.created >= intent.created


def test_the_charge_and_its_payment_intent_show_the_review(
    client: stripe.StripeClient, db: Database, account: TestAccount
) -> None:
    intent, review_id = reviewed_payment(client, db, account)

    charge = client.v1.charges.retrieve(str(intent.latest_charge))
    assert charge.review == review_id
    assert charge.fraud_details is not None
    assert charge.fraud_details.to_dict() == {}
    assert client.v1.payment_intents.retrieve(intent.id).review == review_id
    listed = client.v1.payment_intents.list(params={"limit": 1}).data
    assert [found.review for found in listed] == [review_id]


def test_a_payment_without_a_review_shows_none(client: stripe.StripeClient) -> None:
    intent = pay(client)

    assert intent.review is None
    assert client.v1.charges.retrieve(str(intent.latest_charge)).review is None


def test_opening_a_review_records_review_opened(
    client: stripe.StripeClient, db: Database, account: TestAccount
) -> None:
    _, review_id = reviewed_payment(client, db, account)

    opened = events_of(client, "review.opened")

    assert [event.data.object["id"] for event in opened] == [review_id]
    assert opened[0].data.object["open"] is True


def test_a_review_opened_by_hand(
    client: stripe.StripeClient, db: Database, account: TestAccount
) -> None:
    _, review_id = reviewed_payment(
        client, db, account, reason="manual", rule_id=None, ip_address=None
    )

    review = client.v1.reviews.retrieve(review_id)

    assert (review.opened_reason, review.reason, review.ip_address) == ("manual", "manual", None)


def test_a_charge_keeps_one_open_review(
    client: stripe.StripeClient, db: Database, account: TestAccount
) -> None:
    intent, first = reviewed_payment(client, db, account)

    again = open_review(db, account, str(intent.latest_charge), reason="manual")

    assert again == first
    assert open_ids(client) == [first]
    assert len(events_of(client, "review.opened")) == 1


def test_an_unknown_opened_reason_is_refused(
    client: stripe.StripeClient, db: Database, account: TestAccount
) -> None:
    intent = pay(client)

    with pytest.raises(ValueError, match="disputed"):
        open_review(db, account, str(intent.latest_charge), reason="disputed")


# --- retrieve and list ---------------------------------------------------------------------


def test_retrieve_an_unknown_review(client: stripe.StripeClient) -> None:
    error = error_of(lambda: client.v1.reviews.retrieve("prv_nope"))

    assert_error(error, status=404, code="resource_missing", param="id")
    assert error.user_message == "No such review: 'prv_nope'"


def test_another_account_cannot_see_or_approve_the_review(
    client: stripe.StripeClient, db: Database, account: TestAccount, server: ServerProcess
) -> None:
    _, review_id = reviewed_payment(client, db, account)
    with db.unit() as uow:
        other = accounts.create_account(uow, name="other")
        uow.session.flush()
        key = accounts.create_key(uow, other.id)
    stranger = stripe.StripeClient(
        key.secret, base_addresses={"api": server.url}, max_network_retries=0
    )

    for call in (
        lambda: stranger.v1.reviews.retrieve(review_id),
        lambda: stranger.v1.reviews.approve(review_id),
    ):
        assert_error(error_of(call), status=404, code="resource_missing", param="id")
    assert stranger.v1.reviews.list().data == []
    assert client.v1.reviews.retrieve(review_id).open is True


def test_the_list_holds_open_reviews_newest_first_and_pages(
    client: stripe.StripeClient, db: Database, account: TestAccount
) -> None:
    made = [reviewed_payment(client, db, account)[1] for _ in range(3)]
    newest_first = made[::-1]

    assert open_ids(client) == newest_first
    first_page = client.v1.reviews.list(params={"limit": 2})
    assert ([r.id for r in first_page.data], first_page.has_more) == (newest_first[:2], True)
    rest = client.v1.reviews.list(params={"limit": 2, "starting_after": newest_first[1]})
    assert ([r.id for r in rest.data], rest.has_more) == (newest_first[2:], False)
    back = client.v1.reviews.list(params={"limit": 2, "ending_before": newest_first[2]})
    assert [r.id for r in back.data] == newest_first[:2]


def test_the_list_leaves_closed_reviews_out(
    client: stripe.StripeClient, db: Database, account: TestAccount
) -> None:
    _, kept = reviewed_payment(client, db, account)
    _, approved = reviewed_payment(client, db, account)

    client.v1.reviews.approve(approved)

    assert open_ids(client) == [kept]
    assert client.v1.reviews.retrieve(approved).open is False


def test_the_list_filters_on_created(
    client: stripe.StripeClient, db: Database, account: TestAccount
) -> None:
    _, review_id = reviewed_payment(client, db, account)
    created = client.v1.reviews.retrieve(review_id).created

    assert open_ids(client, created=created) == [review_id]
    assert open_ids(client, created={"gte": created, "lte": created}) == [review_id]
    assert open_ids(client, created={"gt": created}) == []
    assert open_ids(client, created={"lt": created}) == []


def test_retrieve_expands_the_charge_and_the_payment_intent(
    client: stripe.StripeClient, db: Database, account: TestAccount
) -> None:
    intent, review_id = reviewed_payment(client, db, account)

    review = client.v1.reviews.retrieve(review_id, params={"expand": ["charge", "payment_intent"]})
    listed = client.v1.reviews.list(params={"expand": ["data.charge"]}).data

    assert isinstance(review.charge, stripe.Charge)
    assert review.charge.id == intent.latest_charge
    assert review.charge.review == review_id
    assert isinstance(review.payment_intent, stripe.PaymentIntent)
    assert review.payment_intent.id == intent.id
    assert isinstance(listed[0].charge, stripe.Charge)


# --- approve -------------------------------------------------------------------------------


def test_approving_closes_the_review(
    client: stripe.StripeClient, db: Database, account: TestAccount
) -> None:
    intent, review_id = reviewed_payment(client, db, account)

    approved = client.v1.reviews.approve(review_id)

    assert (approved.open, approved.reason, approved.closed_reason) == (
        False,
        "approved",
        "approved",
    )
    assert approved.opened_reason == "rule"
    assert client.v1.reviews.retrieve(review_id).to_dict() == approved.to_dict()
    # The payment stands: approving neither refunds nor detaches the review.
    charge = client.v1.charges.retrieve(str(intent.latest_charge))
    assert (charge.review, charge.refunded, charge.status) == (review_id, False, "succeeded")


def test_approving_records_review_closed(
    client: stripe.StripeClient, db: Database, account: TestAccount
) -> None:
    _, review_id = reviewed_payment(client, db, account)

    client.v1.reviews.approve(review_id)

    closed = events_of(client, "review.closed")
    assert [event.data.object["id"] for event in closed] == [review_id]
    assert closed[0].data.object["closed_reason"] == "approved"


def test_approving_a_closed_review_is_refused(
    client: stripe.StripeClient, db: Database, account: TestAccount
) -> None:
    _, review_id = reviewed_payment(client, db, account)
    client.v1.reviews.approve(review_id)

    error = error_of(lambda: client.v1.reviews.approve(review_id))

    assert_error(error, code=None, param=None)
    assert error.user_message == "This review is already closed and cannot be changed."
    assert len(events_of(client, "review.closed")) == 1


def test_approving_an_unknown_review(client: stripe.StripeClient) -> None:
    error = error_of(lambda: client.v1.reviews.approve("prv_nope"))

    assert_error(error, status=404, code="resource_missing", param="id")
    assert error.user_message == "No such review: 'prv_nope'"


def test_approve_expands_the_charge(
    client: stripe.StripeClient, db: Database, account: TestAccount
) -> None:
    intent, review_id = reviewed_payment(client, db, account)

    approved = client.v1.reviews.approve(review_id, params={"expand": ["charge"]})

    assert isinstance(approved.charge, stripe.Charge)
    assert approved.charge.id == intent.latest_charge


# --- refunds and disputes close it ---------------------------------------------------------


def test_a_refund_closes_the_review_as_refunded(
    client: stripe.StripeClient, db: Database, account: TestAccount
) -> None:
    intent, review_id = reviewed_payment(client, db, account)

    client.v1.refunds.create(params={"charge": str(intent.latest_charge), "amount": 500})

    review = client.v1.reviews.retrieve(review_id)
    assert (review.open, review.reason, review.closed_reason) == (False, "refunded", "refunded")
    assert open_ids(client) == []
    closed = events_of(client, "review.closed")
    assert [event.data.object["closed_reason"] for event in closed] == ["refunded"]


def test_a_fraudulent_refund_closes_the_review_as_refunded_as_fraud(
    client: stripe.StripeClient, db: Database, account: TestAccount
) -> None:
    intent, review_id = reviewed_payment(client, db, account)

    client.v1.refunds.create(params={"payment_intent": intent.id, "reason": "fraudulent"})

    review = client.v1.reviews.retrieve(review_id)
    assert (review.open, review.reason, review.closed_reason) == (
        False,
        "refunded_as_fraud",
        "refunded_as_fraud",
    )


def test_a_refund_leaves_an_approved_review_approved(
    client: stripe.StripeClient, db: Database, account: TestAccount
) -> None:
    intent, review_id = reviewed_payment(client, db, account)
    client.v1.reviews.approve(review_id)

    client.v1.refunds.create(params={"charge": str(intent.latest_charge), "reason": "fraudulent"})

    assert client.v1.reviews.retrieve(review_id).closed_reason == "approved"
    assert len(events_of(client, "review.closed")) == 1


def test_a_refund_of_a_charge_without_a_review_touches_no_review(
    client: stripe.StripeClient,
) -> None:
    intent = pay(client)

    client.v1.refunds.create(params={"charge": str(intent.latest_charge)})

    assert client.v1.charges.retrieve(str(intent.latest_charge)).review is None
    assert events_of(client, "review.closed") == []


def test_a_dispute_closes_the_review_as_disputed(
    client: stripe.StripeClient, db: Database, account: TestAccount
) -> None:
    intent, review_id = reviewed_payment(client, db, account)

    with db.unit(Actor(account.id)) as uow:
        closed = reviews.close_for_dispute(uow, charges.get(uow, str(intent.latest_charge)))
        assert closed is not None

    review = client.v1.reviews.retrieve(review_id)
    assert (review.open, review.reason, review.closed_reason) == (False, "disputed", "disputed")


def test_closing_without_an_open_review_does_nothing(
    client: stripe.StripeClient, db: Database, account: TestAccount
) -> None:
    intent = pay(client)

    with db.unit(Actor(account.id)) as uow:
        charge = charges.get(uow, str(intent.latest_charge))
        assert reviews.close_for_dispute(uow, charge) is None
        assert reviews.close_for_refund(uow, charge, fraudulent=True) is None

    assert events_of(client, "review.closed") == []


def test_an_approval_racing_a_refund_closes_the_review_once(
    client: stripe.StripeClient, db: Database, account: TestAccount
) -> None:
    intent, review_id = reviewed_payment(client, db, account)
    charge_id = str(intent.latest_charge)

    def close_by_refund(uow: UnitOfWork) -> None:
        charge = refunds.lock_charge(uow, charge_id)
        assert charge is not None
        reviews.close_for_refund(uow, charge, fraudulent=False)

    def approve(uow: UnitOfWork) -> None:
        reviews.approve(uow, review_id)

    error = second_during_first(db, Actor(account.id), close_by_refund, approve)

    assert isinstance(error, SeikyuError)
    assert client.v1.reviews.retrieve(review_id).closed_reason == "refunded"
    assert len(events_of(client, "review.closed")) == 1
