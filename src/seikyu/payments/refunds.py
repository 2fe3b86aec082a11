"""Refund use cases: create, cancel, update, look up, and apply the processor's later answers.

A refund draws on its charge: the charge row is locked before what is left is read, so two
refunds racing for the last of a charge run one after the other and the second sees what the
first took. Every refund asks the processor once, under the key `<refund id>:refund`, through
the processor call journal. Locks are always taken charge first, then refund, so a cancel,
a settlement and a new refund of one charge never wait on each other in a circle.
"""

from __future__ import annotations

from typing import Any, TypedDict

from seikyu.core import metadata
from seikyu.core.errors import SeikyuError, no_such
from seikyu.core.money import format_major
from seikyu.db.models.charges import Charge
from seikyu.db.models.refunds import Refund
from seikyu.db.pagination import Page, Window
from seikyu.db.uow import UnitOfWork
from seikyu.payments import charges, payment_intents, processor_journal
from seikyu.payments import refund_repository as repository
from seikyu.payments.domain.processor import Outcome, OutcomeStatus, Processor
from seikyu.payments.domain.refund_status import (
    REFUND_CREATED_EVENT,
    RefundAction,
    RefundStatus,
    holds_amount,
    initial_status,
    refund_transition,
    settlement_action,
)
from seikyu.risk import disputes, early_fraud_warnings, fraud_reports, reviews

# Stripe's amounts in refusals: a symbol where it has one, else the currency code.
_SYMBOLS = {"usd": "$", "eur": "€", "gbp": "£", "jpy": "¥", "inr": "₹"}


class RefundFields(TypedDict, total=False):
    charge: str | None
    payment_intent: str | None
    amount: int | None
    reason: str | None
    instructions_email: str | None
    metadata: dict[str, str] | None


def create(uow: UnitOfWork, processor: Processor, fields: RefundFields) -> Refund:
    """Refund part or all of what is left of a captured charge, named directly or as a
    PaymentIntent's latest charge."""
    charge = _charge_to_refund(uow, fields.get("charge"), fields.get("payment_intent"))
    disputes.refuse_refund_if_charged_back(uow, charge)
    amount = _amount_to_refund(charge, fields.get("amount"))
    refund_id = uow.new_id("re")
    outcome = processor_journal.refund(
        uow,
        processor,
        refund_id,
        _reference(charge),
        amount,
        f"{refund_id}:refund",
        context={
            "charge": charge.id,
            "reason": fields.get("reason"),
            "instructions_email": fields.get("instructions_email"),
            "metadata": fields.get("metadata"),
        },
    )
    return _record(uow, refund_id, charge, amount, fields, outcome)


def recover(uow: UnitOfWork, refund_id: str, request: dict[str, Any], outcome: Outcome) -> str:
    """Record a refund the processor made but whose request was lost (see reconciliation):
    `request` is what the journal kept of it. Returns what was done, for the journal."""
    charge = repository.locked_charge(uow.session, uow.account_id, uow.livemode, request["charge"])
    if charge is None or find(uow, refund_id) is not None:
        return "nothing_to_apply"
    if outcome.status not in (OutcomeStatus.SUCCEEDED, OutcomeStatus.PENDING):
        return "nothing_moved"
    if request["amount"] > charges.refundable(charge):
        # Refunded meanwhile by another refund the processor should have refused: a person
        # must look at this charge.
        return "conflict"
    fields: RefundFields = {
        "reason": request.get("reason"),
        "instructions_email": request.get("instructions_email"),
        "metadata": request.get("metadata"),
    }
    _record(uow, refund_id, charge, request["amount"], fields, outcome)
    return "applied"


def lock_charge(uow: UnitOfWork, charge_id: str) -> Charge | None:
    """Lock a charge the way refunding it does, before anything else of its refunds."""
    return repository.locked_charge(uow.session, uow.account_id, uow.livemode, charge_id)


def _record(
    uow: UnitOfWork,
    refund_id: str,
    charge: Charge,
    amount: int,
    fields: RefundFields,
    outcome: Outcome,
) -> Refund:
    status = initial_status(outcome.status)
    refund = Refund(
        id=refund_id,
        account_id=uow.account_id,
        livemode=uow.livemode,
        created=uow.now,
        amount=amount,
        currency=charge.currency,
        charge_id=charge.id,
        payment_intent_id=charge.payment_intent_id,
        status=status.value,
        reason=fields.get("reason"),
        failure_reason=(outcome.failure_reason or "unknown")
        if status is RefundStatus.FAILED
        else None,
        description=None,
        instructions_email=fields.get("instructions_email"),
        processor_reference=outcome.reference,
        metadata_=metadata.initial(fields.get("metadata")),
    )
    repository.add(uow.session, refund)
    uow.emit(REFUND_CREATED_EVENT, refund)
    if holds_amount(status):
        charges.record_refund(uow, charge, amount)
        _settle_fraud_signals(uow, charge, refund)
    return refund


def _settle_fraud_signals(uow: UnitOfWork, charge: Charge, refund: Refund) -> None:
    """What a refund decides about fraud on its charge: an open review closes (as refunded,
    or as fraud for a refund given as fraudulent, which also reports the charge fraudulent so
    its card and email go on the default block lists), and a charge refunded in full leaves
    its early fraud warnings nothing to act on. The charge is locked, so a review approved
    or a warning recorded at the same time takes its turn after this."""
    fraudulent = refund.reason == "fraudulent"
    reviews.close_for_refund(uow, charge, fraudulent=fraudulent)
    if fraudulent:
        fraud_reports.report(uow, charge, fraud_reports.FRAUDULENT)
    if charge.amount_refunded >= charge.amount:
        early_fraud_warnings.mark_not_actionable(uow, charge)


def cancel(uow: UnitOfWork, processor: Processor, refund_id: str) -> Refund:
    """Withdraw a refund that has not reached the card yet; its amount is refundable again."""
    refund, charge = _locked(uow, refund_id)
    refund_transition(refund.status, RefundAction.CANCEL)  # refuses a wrong status early
    assert refund.processor_reference is not None  # only a failed creation lacks one
    outcome = processor.cancel_refund(refund.processor_reference, f"{refund.id}:cancel")
    if outcome.status is not OutcomeStatus.SUCCEEDED:
        raise SeikyuError(
            "This refund could not be canceled because the processor has already sent it."
        )
    _move(uow, refund, charge, RefundAction.CANCEL)
    return refund


def settle(uow: UnitOfWork, refund_id: str, answer: Outcome) -> bool:
    """Apply the processor's latest answer about a refund; False if it changes nothing now
    (another process applied it first, or the refund moved meanwhile)."""
    refund, charge = _locked(uow, refund_id)
    action = settlement_action(refund.status, answer.status)
    if action is None:
        return False
    _move(uow, refund, charge, action, failure_reason=answer.failure_reason)
    return True


def update(uow: UnitOfWork, refund_id: str, changes: dict[str, str] | None) -> Refund:
    """Merge `changes` into the refund's metadata (None clears it), in any status."""
    refund = _locked_refund(uow, refund_id)
    uow.before_update("refund.updated", refund)
    refund.metadata_ = metadata.merge(refund.metadata_, changes)
    return refund


def get(uow: UnitOfWork, refund_id: str, *, param: str | None = "id") -> Refund:
    refund = find(uow, refund_id)
    if refund is None:
        raise no_such("refund", refund_id, param=param)
    return refund


def find(uow: UnitOfWork, refund_id: str) -> Refund | None:
    return repository.get(uow.session, uow.account_id, uow.livemode, refund_id)


def page(
    uow: UnitOfWork, window: Window, *, charge_id: str | None, payment_intent_id: str | None
) -> Page[Refund]:
    return repository.page(
        uow.session,
        uow.account_id,
        uow.livemode,
        window,
        charge_id=charge_id,
        payment_intent_id=payment_intent_id,
    )


# --- what may be refunded -----------------------------------------------------------


def _charge_to_refund(uow: UnitOfWork, charge_id: str | None, intent_id: str | None) -> Charge:
    """The charge a refund draws on, locked, and refused unless it holds captured money."""
    if charge_id and intent_id:
        raise SeikyuError(
            "You may only specify one of these parameters: charge, payment_intent.",
            param="charge",
            code="parameters_exclusive",
        )
    if intent_id:
        intent = payment_intents.get(uow, intent_id, param="payment_intent")
        if intent.latest_charge_id is None:
            raise _no_successful_charge(intent.id)
        charge_id = intent.latest_charge_id
    if not charge_id:
        raise SeikyuError(
            "One of the following params should be provided for this request: "
            "payment_intent or charge."
        )
    charge = repository.locked_charge(uow.session, uow.account_id, uow.livemode, charge_id)
    if charge is None:
        # Stripe answers an unknown charge as if it were the URL's object: 404, param "id".
        raise no_such("charge", charge_id)
    _check_refundable(charge)
    return charge


def _check_refundable(charge: Charge) -> None:
    released = not charge.captured and charge.amount_refunded >= charge.amount
    if charge.status != "succeeded" or released:
        raise _no_successful_charge(charge.payment_intent_id, charge.id)
    if not charge.captured:
        raise SeikyuError(
            f"This uncaptured Charge was created by a PaymentIntent ({charge.payment_intent_id}). "
            "You must cancel the PaymentIntent to reverse the authorization instead of "
            "refunding the Charge directly. For more information, see "
            "https://stripe.com/docs/payments/place-a-hold-on-a-payment-method"
        )
    if charges.refundable(charge) <= 0:
        raise SeikyuError(
            f"Charge {charge.id} has already been refunded.", code="charge_already_refunded"
        )


def _amount_to_refund(charge: Charge, amount: int | None) -> int:
    left = charges.refundable(charge)
    if amount is None:
        return left
    if amount > left:
        shown = _display(amount, charge.currency)
        limit = (
            f"charge amount ({_display(charge.amount, charge.currency)})"
            if charge.amount_refunded == 0
            else f"unrefunded amount on charge ({_display(left, charge.currency)})"
        )
        # Stripe gives this refusal no code.
        raise SeikyuError(f"Refund amount ({shown}) is greater than {limit}", param="amount")
    return amount


def _no_successful_charge(intent_id: str | None, charge_id: str | None = None) -> SeikyuError:
    if intent_id is None:
        return SeikyuError(f"Charge {charge_id} has no successful payment to refund.")
    return SeikyuError(
        f"This PaymentIntent ({intent_id}) does not have a successful charge to refund."
    )


def _display(amount: int, currency: str) -> str:
    """An amount as Stripe writes it in messages: $1,234.50, ¥500, 12.000 KWD."""
    major = format_major(amount, currency)
    symbol = _SYMBOLS.get(currency.lower())
    return f"{symbol}{major}" if symbol else f"{major} {currency.upper()}"


# --- moves and locks -----------------------------------------------------------------


def _move(
    uow: UnitOfWork,
    refund: Refund,
    charge: Charge,
    action: RefundAction,
    *,
    failure_reason: str | None = None,
) -> None:
    """Change status only through the transition table, emitting its events; a refund that
    stops holding its amount gives it back to the charge."""
    moved = refund_transition(refund.status, action)
    for event_type in moved.events:
        uow.before_update(event_type, refund)
    held = holds_amount(refund.status)
    refund.status = moved.status.value
    if moved.status is RefundStatus.FAILED:
        refund.failure_reason = failure_reason or "unknown"
    if held and not holds_amount(moved.status):
        charges.record_refund_returned(charge, refund.amount)


def _locked(uow: UnitOfWork, refund_id: str) -> tuple[Refund, Charge]:
    """The refund and its charge, both locked, the charge first."""
    charge_id = get(uow, refund_id).charge_id
    charge = repository.locked_charge(uow.session, uow.account_id, uow.livemode, charge_id)
    assert charge is not None  # a refund's charge is never deleted
    return _locked_refund(uow, refund_id), charge


def _locked_refund(uow: UnitOfWork, refund_id: str) -> Refund:
    refund = repository.get(uow.session, uow.account_id, uow.livemode, refund_id, for_update=True)
    if refund is None:
        raise no_such("refund", refund_id)
    return refund


def _reference(charge: Charge) -> str:
    assert charge.processor_reference is not None  # a succeeded charge has one
    return charge.processor_reference
