"""Charges: the record of each attempt to move money from a card, made by payment intents."""

from __future__ import annotations

from typing import Any, TypedDict

from seikyu.core import metadata
from seikyu.core.errors import no_such
from seikyu.customers import rules
from seikyu.customers import service as customers
from seikyu.db.models.charges import Charge
from seikyu.db.models.payment_intents import PaymentIntent
from seikyu.db.models.payment_methods import PaymentMethod
from seikyu.db.pagination import Page, Window
from seikyu.db.uow import UnitOfWork
from seikyu.payments import charge_repository as repository
from seikyu.payments.domain.processor import Outcome, OutcomeStatus
from seikyu.risk import fraud_reports


class ChargeFields(TypedDict, total=False):
    description: str | None
    receipt_email: str | None
    metadata: dict[str, str] | None
    fraud_details: dict[str, str] | None


def record_attempt(
    uow: UnitOfWork,
    intent: PaymentIntent,
    payment_method: PaymentMethod,
    outcome: Outcome,
    *,
    risk: dict[str, Any] | None = None,
) -> Charge:
    """The charge for one processor answer: succeeded (captured or only authorized) or
    failed, with Stripe's `outcome` and the card as it was. `risk` is what screening adds
    to the outcome (the risk level and score, the rule; a review's or a block's type and
    reason)."""
    succeeded = outcome.status is OutcomeStatus.SUCCEEDED
    captured = succeeded and intent.capture_method != "manual"
    charge = Charge(
        id=uow.new_id("ch"),
        account_id=uow.account_id,
        livemode=uow.livemode,
        created=uow.now,
        amount=intent.amount,
        amount_captured=intent.amount if captured else 0,
        amount_refunded=0,
        captured=captured,
        currency=intent.currency,
        status="succeeded" if succeeded else "failed",
        customer_id=intent.customer_id,
        payment_intent_id=intent.id,
        payment_method_id=payment_method.id,
        failure_code=None if succeeded else outcome.error_code,
        failure_message=None if succeeded else outcome.message,
        outcome={
            "advice_code": None,
            "network_advice_code": None,
            "network_decline_code": None,
            "network_status": outcome.network_status,
            "reason": outcome.reason,
            "risk_level": "not_assessed",
            "seller_message": outcome.seller_message,
            "type": outcome.outcome_type,
            **(risk or {}),
        },
        payment_method_details=_card_details(payment_method),
        billing_details=dict(payment_method.billing_details or {}),
        processor_reference=outcome.reference,
        description=intent.description,
        receipt_email=intent.receipt_email,
        statement_descriptor=intent.statement_descriptor,
        metadata_=dict(intent.metadata_),
    )
    repository.add(uow.session, charge)
    uow.emit("charge.succeeded" if succeeded else "charge.failed", charge)
    return charge


def record_capture(uow: UnitOfWork, charge: Charge, amount: int) -> None:
    """A capture of `amount`; Stripe shows the uncaptured rest, released, as refunded."""
    uow.before_update("charge.captured", charge)
    charge.captured = True
    charge.amount_captured = amount
    charge.amount_refunded = charge.amount - amount


def record_release(uow: UnitOfWork, charge: Charge) -> None:
    """An authorization released uncaptured: Stripe shows it as fully refunded."""
    uow.before_update("charge.refunded", charge)
    charge.amount_refunded = charge.amount


# --- refunds ---------------------------------------------------------------------------
#
# `amount_refunded` counts what was released uncaptured plus every refund that is pending or
# succeeded, so what is left to refund is always `amount - amount_refunded`.


def refundable(charge: Charge) -> int:
    """What refunds may still give back: the captured amount not yet refunded."""
    if charge.status != "succeeded" or not charge.captured:
        return 0
    return charge.amount - charge.amount_refunded


def record_refund(uow: UnitOfWork, charge: Charge, amount: int) -> None:
    """A refund of `amount` holds that much of the charge; Stripe reports every refund of a
    charge, partial ones too, with `charge.refunded`."""
    if not 0 < amount <= refundable(charge):
        raise ValueError(f"cannot refund {amount} of {charge.id}: {refundable(charge)} is left")
    uow.before_update("charge.refunded", charge)
    charge.amount_refunded += amount


def record_refund_returned(charge: Charge, amount: int) -> None:
    """A refund that failed or was canceled gives its amount back to what is refundable.

    The refund's own events report it; Stripe sends no charge event for it.
    """
    if not 0 < amount <= charge.amount_refunded - (charge.amount - charge.amount_captured):
        raise ValueError(f"{charge.id} holds no refund of {amount} to give back")
    charge.amount_refunded -= amount


def update(uow: UnitOfWork, charge_id: str, fields: ChargeFields) -> Charge:
    charge = get(uow, charge_id)
    rules.check_email(fields.get("receipt_email"), param="receipt_email")
    uow.before_update("charge.updated", charge)
    if "description" in fields:
        charge.description = fields["description"]
    if "receipt_email" in fields:
        charge.receipt_email = fields["receipt_email"]
    if "metadata" in fields:
        charge.metadata_ = metadata.merge(charge.metadata_, fields["metadata"])
    report = (fields.get("fraud_details") or {}).get("user_report")
    if report is not None:
        fraud_reports.report(uow, charge, report)
    return charge


def get(uow: UnitOfWork, charge_id: str, *, param: str | None = "id") -> Charge:
    charge = find(uow, charge_id)
    if charge is None:
        raise no_such("charge", charge_id, param=param)
    return charge


def find(uow: UnitOfWork, charge_id: str) -> Charge | None:
    return repository.get(uow.session, uow.account_id, uow.livemode, charge_id)


def page(
    uow: UnitOfWork,
    window: Window,
    *,
    customer_id: str | None,
    payment_intent_id: str | None,
) -> Page[Charge]:
    if customer_id is not None and customers.find(uow, customer_id) is None:
        raise no_such("customer", customer_id, param="customer")
    return repository.page(
        uow.session,
        uow.account_id,
        uow.livemode,
        window,
        customer_id=customer_id,
        payment_intent_id=payment_intent_id,
    )


def _card_details(payment_method: PaymentMethod) -> dict[str, Any]:
    return {
        "type": "card",
        "card": {
            "brand": payment_method.card_brand,
            "checks": {
                "address_line1_check": None,
                "address_postal_code_check": None,
                "cvc_check": payment_method.cvc_check,
            },
            "country": payment_method.card_country,
            "exp_month": payment_method.card_exp_month,
            "exp_year": payment_method.card_exp_year,
            "fingerprint": payment_method.card_fingerprint,
            "funding": payment_method.card_funding,
            "last4": payment_method.card_last4,
            "network": payment_method.card_brand,
            "three_d_secure": None,
        },
    }
