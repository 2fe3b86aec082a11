"""Early fraud warnings through the official SDK: recorded through the service (as the
processor's reports will be), retrieved, listed by charge, payment intent and date, and made
not actionable by a full refund, with the events each step records."""

from __future__ import annotations

from typing import Any

import pytest
import stripe

from seikyu.core.errors import SeikyuError
from seikyu.db.uow import Actor, Database
from seikyu.payments import charges
from seikyu.risk import early_fraud_warnings
from tests.conftest import TestAccount
from tests.support.errors import assert_error, error_of

WARNING_FIELDS = {
    "id",
    "object",
    "actionable",
    "charge",
    "created",
    "fraud_type",
    "livemode",
    "payment_intent",
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


def warn(
    db: Database, account: TestAccount, charge_id: str, fraud_type: str = "made_with_stolen_card"
) -> str:
    """Record an issuer's warning about a charge, in a unit of work of its own."""
    with db.unit(Actor(account.id)) as uow:
        charge = charges.get(uow, charge_id)
        return early_fraud_warnings.create_warning(uow, charge, fraud_type).id


def warned_payment(
    client: stripe.StripeClient, db: Database, account: TestAccount, **kwargs: Any
) -> tuple[stripe.PaymentIntent, str]:
    intent = pay(client)
    return intent, warn(db, account, str(intent.latest_charge), **kwargs)


def events_of(client: stripe.StripeClient, event_type: str) -> list[stripe.Event]:
    return list(client.v1.events.list(params={"type": event_type, "limit": 100}).data)


def listed_ids(client: stripe.StripeClient, **params: Any) -> list[str]:
    listed = client.v1.radar.early_fraud_warnings.list(params=params)  # type: ignore[arg-type]
    return [w.id for w in listed.data]


# --- recording and retrieving --------------------------------------------------------------


def test_a_warning_has_stripes_fields(
    client: stripe.StripeClient, db: Database, account: TestAccount
) -> None:
    intent, warning_id = warned_payment(client, db, account)

    warning = client.v1.radar.early_fraud_warnings.retrieve(warning_id)

    assert set(warning.to_dict()) == WARNING_FIELDS
    assert warning.id.startswith("issfr_")
    assert warning.object == "radar.early_fraud_warning"
    assert (warning.charge, warning.payment_intent) == (intent.latest_charge, intent.id)
    assert (warning.fraud_type, warning.actionable, warning.livemode) == (
        "made_with_stolen_card",
        True,
        False,
    )
    assert warning.created >= intent.created


def test_recording_a_warning_records_its_created_event(
    client: stripe.StripeClient, db: Database, account: TestAccount
) -> None:
    _, warning_id = warned_payment(client, db, account, fraud_type="misc")

    created = events_of(client, "radar.early_fraud_warning.created")

    assert [event.data.object["id"] for event in created] == [warning_id]
    assert created[0].data.object["fraud_type"] == "misc"


@pytest.mark.parametrize("fraud_type", early_fraud_warnings.FRAUD_TYPES)
def test_every_fraud_type_stripe_has_is_recorded(
    client: stripe.StripeClient, db: Database, account: TestAccount, fraud_type: str
) -> None:
    _, warning_id = warned_payment(client, db, account, fraud_type=fraud_type)

    assert client.v1.radar.early_fraud_warnings.retrieve(warning_id).fraud_type == fraud_type


def test_an_unknown_fraud_type_is_refused(
    client: stripe.StripeClient, db: Database, account: TestAccount
) -> None:
    intent = pay(client)

    with pytest.raises(SeikyuError) as refused:
        warn(db, account, str(intent.latest_charge), fraud_type="stolen")

    assert refused.value.param == "fraud_type"
    assert listed_ids(client) == []


def test_retrieve_an_unknown_warning(client: stripe.StripeClient) -> None:
    error = error_of(lambda: client.v1.radar.early_fraud_warnings.retrieve("issfr_nope"))

    assert_error(error, status=404, code="resource_missing", param="id")
    assert error.user_message == "No such early fraud warning: 'issfr_nope'"


def test_retrieve_expands_the_charge_and_the_payment_intent(
    client: stripe.StripeClient, db: Database, account: TestAccount
) -> None:
    intent, warning_id = warned_payment(client, db, account)

    warning = client.v1.radar.early_fraud_warnings.retrieve(
        warning_id, params={"expand": ["charge", "payment_intent"]}
    )

    assert isinstance(warning.charge, stripe.Charge)
    assert warning.charge.id == intent.latest_charge
    assert isinstance(warning.payment_intent, stripe.PaymentIntent)
    assert warning.payment_intent.id == intent.id


# --- listing -------------------------------------------------------------------------------


def test_the_list_is_newest_first_and_pages(
    client: stripe.StripeClient, db: Database, account: TestAccount
) -> None:
    newest_first = [warned_payment(client, db, account)[1] for _ in range(3)][::-1]

    assert listed_ids(client) == newest_first
    page = client.v1.radar.early_fraud_warnings.list(params={"limit": 2})
    assert ([w.id for w in page.data], page.has_more) == (newest_first[:2], True)
    assert listed_ids(client, limit=2, starting_after=newest_first[1]) == newest_first[2:]
    assert listed_ids(client, limit=2, ending_before=newest_first[2]) == newest_first[:2]


def test_the_list_filters_by_charge_and_payment_intent(
    client: stripe.StripeClient, db: Database, account: TestAccount
) -> None:
    first, first_warning = warned_payment(client, db, account)
    second, second_warning = warned_payment(client, db, account)
    again = warn(db, account, str(second.latest_charge), "misc")

    assert listed_ids(client, charge=str(first.latest_charge)) == [first_warning]
    assert listed_ids(client, payment_intent=second.id) == [again, second_warning]
    assert listed_ids(client, charge=str(first.latest_charge), payment_intent=second.id) == []
    assert listed_ids(client, charge="ch_nope") == []


def test_the_list_filters_on_created(
    client: stripe.StripeClient, db: Database, account: TestAccount
) -> None:
    _, warning_id = warned_payment(client, db, account)
    created = client.v1.radar.early_fraud_warnings.retrieve(warning_id).created

    assert listed_ids(client, created=created) == [warning_id]
    assert listed_ids(client, created={"gte": created}) == [warning_id]
    assert listed_ids(client, created={"gt": created}) == []
    assert listed_ids(client, created={"lt": created}) == []


def test_the_list_expands_charges(
    client: stripe.StripeClient, db: Database, account: TestAccount
) -> None:
    intent, _ = warned_payment(client, db, account)

    listed = client.v1.radar.early_fraud_warnings.list(params={"expand": ["data.charge"]}).data

    assert isinstance(listed[0].charge, stripe.Charge)
    assert listed[0].charge.id == intent.latest_charge


# --- refunds -------------------------------------------------------------------------------


def test_a_full_refund_makes_the_warning_not_actionable(
    client: stripe.StripeClient, db: Database, account: TestAccount
) -> None:
    intent, warning_id = warned_payment(client, db, account)

    client.v1.refunds.create(params={"charge": str(intent.latest_charge)})

    assert client.v1.radar.early_fraud_warnings.retrieve(warning_id).actionable is False
    updated = events_of(client, "radar.early_fraud_warning.updated")
    assert [event.data.object["id"] for event in updated] == [warning_id]
    assert updated[0].data.object["actionable"] is False
    previous = updated[0].data.previous_attributes
    assert previous is not None
    assert previous.to_dict() == {"actionable": True}


def test_a_partial_refund_keeps_it_actionable_until_the_rest_is_refunded(
    client: stripe.StripeClient, db: Database, account: TestAccount
) -> None:
    intent, warning_id = warned_payment(client, db, account)
    charge_id = str(intent.latest_charge)

    client.v1.refunds.create(params={"charge": charge_id, "amount": 500})
    assert client.v1.radar.early_fraud_warnings.retrieve(warning_id).actionable is True
    assert events_of(client, "radar.early_fraud_warning.updated") == []

    client.v1.refunds.create(params={"charge": charge_id})
    assert client.v1.radar.early_fraud_warnings.retrieve(warning_id).actionable is False


def test_every_actionable_warning_of_the_charge_is_updated_once(
    client: stripe.StripeClient, db: Database, account: TestAccount
) -> None:
    intent, first = warned_payment(client, db, account)
    second = warn(db, account, str(intent.latest_charge), "misc")
    _, untouched = warned_payment(client, db, account)

    client.v1.refunds.create(params={"payment_intent": intent.id, "reason": "fraudulent"})

    updated = events_of(client, "radar.early_fraud_warning.updated")
    assert sorted(event.data.object["id"] for event in updated) == sorted([first, second])
    assert client.v1.radar.early_fraud_warnings.retrieve(untouched).actionable is True


def test_a_warning_about_a_refunded_charge_is_not_actionable(
    client: stripe.StripeClient, db: Database, account: TestAccount
) -> None:
    intent = pay(client)
    client.v1.refunds.create(params={"charge": str(intent.latest_charge)})

    warning_id = warn(db, account, str(intent.latest_charge))

    assert client.v1.radar.early_fraud_warnings.retrieve(warning_id).actionable is False
    assert events_of(client, "radar.early_fraud_warning.updated") == []
