"""Early fraud warnings (`/v1/radar/early_fraud_warnings`): an issuer's report that a charge
was fraudulent, ahead of any dispute.

A warning is actionable while something can still be done about it: the charge is neither
refunded in full nor disputed (Stripe's rule). Refunding the rest of the charge is what the
warning invites, so a full refund ends it (`mark_not_actionable`). Refunds call that with the
charge locked, so a warning created meanwhile waits for the lock and sees the refund.
"""

from __future__ import annotations

from seikyu.core.errors import SeikyuError, no_such
from seikyu.db.models.charges import Charge
from seikyu.db.models.early_fraud_warnings import EarlyFraudWarning
from seikyu.db.pagination import Page, Window
from seikyu.db.uow import UnitOfWork
from seikyu.risk import early_fraud_warning_repository as repository

OBJECT = "radar.early_fraud_warning"
PREFIX = "issfr"
CREATED_EVENT = "radar.early_fraud_warning.created"
UPDATED_EVENT = "radar.early_fraud_warning.updated"
FRAUD_TYPES = (
    "card_never_received",
    "fraudulent_card_application",
    "made_with_counterfeit_card",
    "made_with_lost_card",
    "made_with_stolen_card",
    "misc",
    "unauthorized_use_of_card",
)


def create_warning(uow: UnitOfWork, charge: Charge, fraud_type: str) -> EarlyFraudWarning:
    """Record the issuer's warning about `charge`; `fraud_type` is one of `FRAUD_TYPES`."""
    if fraud_type not in FRAUD_TYPES:
        raise SeikyuError(
            f"Invalid fraud_type: must be one of {', '.join(FRAUD_TYPES)}",
            param="fraud_type",
            code="parameter_invalid_enum",
        )
    warning = EarlyFraudWarning(
        id=uow.new_id(PREFIX),
        account_id=uow.account_id,
        livemode=uow.livemode,
        created=uow.now,
        charge_id=charge.id,
        payment_intent_id=charge.payment_intent_id,
        fraud_type=fraud_type,
        actionable=not (_refunded_in_full(charge) or charge.disputed),
    )
    repository.add(uow.session, warning)
    uow.emit(CREATED_EVENT, warning)
    return warning


def mark_not_actionable(uow: UnitOfWork, charge: Charge) -> list[EarlyFraudWarning]:
    """Make the charge's actionable warnings not actionable, each with its `updated` event;
    the warnings changed (none when there were none)."""
    warnings = repository.actionable_of_charge(uow.session, uow.account_id, uow.livemode, charge.id)
    for warning in warnings:
        uow.before_update(UPDATED_EVENT, warning)
        warning.actionable = False
    return warnings


def get(uow: UnitOfWork, warning_id: str, *, param: str | None = "id") -> EarlyFraudWarning:
    warning = find(uow, warning_id)
    if warning is None:
        raise no_such("early fraud warning", warning_id, param=param)
    return warning


def find(uow: UnitOfWork, warning_id: str) -> EarlyFraudWarning | None:
    return repository.get(uow.session, uow.account_id, uow.livemode, warning_id)


def page(
    uow: UnitOfWork, window: Window, *, charge_id: str | None, payment_intent_id: str | None
) -> Page[EarlyFraudWarning]:
    return repository.page(
        uow.session,
        uow.account_id,
        uow.livemode,
        window,
        charge_id=charge_id,
        payment_intent_id=payment_intent_id,
    )


def _refunded_in_full(charge: Charge) -> bool:
    # Stripe's `refunded` flag on the charge; released uncaptured amounts count as refunded.
    return charge.amount_refunded >= charge.amount
