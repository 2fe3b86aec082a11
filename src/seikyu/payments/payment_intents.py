"""Payment intent use cases: create, confirm, capture, cancel, update, look up.

A confirmation is one attempt at the processor under its own idempotency key
(`<intent>:attempt:<n>`): the attempt number is stored with the intent, so a confirmation
replayed after a crash reaches the processor with the same key and cannot charge twice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any, TypedDict

from seikyu.core import metadata
from seikyu.core.errors import SeikyuError, invalid, no_such
from seikyu.core.ids import random_token
from seikyu.core.money import check_currency, max_amount, minimum_charge
from seikyu.customers import rules
from seikyu.customers import service as customers
from seikyu.db.models.charges import Charge
from seikyu.db.models.payment_intents import PaymentIntent
from seikyu.db.models.payment_methods import PaymentMethod
from seikyu.db.pagination import Page, Window
from seikyu.db.uow import UnitOfWork
from seikyu.payments import charges, fraud_screening, payment_methods
from seikyu.payments import payment_intent_repository as repository
from seikyu.payments import processor_journal as journal
from seikyu.payments.domain.authentication import (
    PAYMENT_FAILURE,
    PAYMENT_FAILURE_MESSAGE,
    redirect_action,
)
from seikyu.payments.domain.intent_status import PaymentIntentAction as Action
from seikyu.payments.domain.intent_status import payment_intent_transition
from seikyu.payments.domain.processor import CardRequest, Outcome, OutcomeStatus, Processor
from seikyu.risk.screening import Screening

SHAPING_FIELDS = frozenset(
    {"amount", "currency", "customer", "payment_method", "capture_method", "setup_future_usage"}
)


class PaymentIntentFields(TypedDict, total=False):
    """Fields a request may set; a None value clears an optional field."""

    amount: int
    currency: str
    customer: str | None
    payment_method: str | None
    capture_method: str
    confirmation_method: str
    setup_future_usage: str | None
    description: str | None
    receipt_email: str | None
    statement_descriptor: str | None
    statement_descriptor_suffix: str | None
    payment_method_types: list[str]
    shipping: dict[str, Any] | None
    metadata: dict[str, str] | None
    radar_options: dict[str, Any]


class ConfirmFields(TypedDict, total=False):
    payment_method: str
    off_session: bool
    setup_future_usage: str | None
    receipt_email: str | None
    capture_method: str
    radar_options: dict[str, Any]


def create(
    uow: UnitOfWork,
    processor: Processor,
    fields: PaymentIntentFields,
    *,
    confirm: bool = False,
    off_session: bool = False,
    redirect: Redirect,
) -> PaymentIntent:
    currency = fields["currency"].lower()
    _check_amount(fields["amount"], currency, param="amount")
    rules.check_email(fields.get("receipt_email"), param="receipt_email")
    customer_id = fields.get("customer")
    if customer_id is not None:
        customers.get_active(uow, customer_id, param="customer")
    if off_session and not confirm:
        raise SeikyuError(
            "off_session can only be used when confirming a PaymentIntent.",
            param="off_session",
        )
    intent_id = uow.new_id("pi")
    intent = PaymentIntent(
        id=intent_id,
        account_id=uow.account_id,
        livemode=uow.livemode,
        created=uow.now,
        amount=fields["amount"],
        currency=currency,
        status="requires_payment_method",
        customer_id=customer_id,
        payment_method_id=None,
        capture_method=fields.get("capture_method") or "automatic_async",
        confirmation_method=fields.get("confirmation_method") or "automatic",
        setup_future_usage=fields.get("setup_future_usage"),
        off_session=False,
        client_secret=f"{intent_id}_secret_{random_token(25)}",
        amount_capturable=0,
        amount_received=0,
        latest_charge_id=None,
        last_payment_error=None,
        next_action=None,
        attempts=0,
        canceled_at=None,
        cancellation_reason=None,
        description=fields.get("description"),
        receipt_email=fields.get("receipt_email"),
        statement_descriptor=fields.get("statement_descriptor"),
        statement_descriptor_suffix=fields.get("statement_descriptor_suffix"),
        payment_method_types=fields.get("payment_method_types") or ["card"],
        shipping=fields.get("shipping"),
        metadata_=metadata.initial(fields.get("metadata")),
        radar_ip_address=_radar_ip(fields.get("radar_options")),
    )
    repository.add(uow.session, intent)
    uow.emit("payment_intent.created", intent)
    if fields.get("payment_method"):
        _use_payment_method(uow, intent, str(fields["payment_method"]), param="payment_method")
    if confirm:
        return _confirm(uow, processor, intent, off_session=off_session, redirect=redirect)
    return intent


def confirm(
    uow: UnitOfWork,
    processor: Processor,
    intent_id: str,
    fields: ConfirmFields,
    *,
    redirect: Redirect,
) -> PaymentIntent:
    intent = _locked(uow, intent_id)
    payment_intent_transition(intent.status, Action.CONFIRM)  # refuses a wrong status early
    rules.check_email(fields.get("receipt_email"), param="receipt_email")
    if fields.get("payment_method"):
        _use_payment_method(uow, intent, fields["payment_method"], param="payment_method")
    if "setup_future_usage" in fields:
        intent.setup_future_usage = fields["setup_future_usage"]
    if "receipt_email" in fields:
        intent.receipt_email = fields["receipt_email"]
    if "capture_method" in fields:
        intent.capture_method = fields["capture_method"]
    if "radar_options" in fields:
        intent.radar_ip_address = _radar_ip(fields["radar_options"])
    off_session = fields.get("off_session", False)
    return _confirm(uow, processor, intent, off_session=off_session, redirect=redirect)


def capture(
    uow: UnitOfWork, processor: Processor, intent_id: str, amount_to_capture: int | None
) -> PaymentIntent:
    intent = _locked(uow, intent_id)
    payment_intent_transition(intent.status, Action.CAPTURE)
    amount = intent.amount_capturable if amount_to_capture is None else amount_to_capture
    if not 0 < amount <= intent.amount_capturable:
        raise SeikyuError(
            f"The amount to capture must be a positive integer no larger than the amount "
            f"capturable ({intent.amount_capturable}).",
            param="amount_to_capture",
            code="amount_too_large" if amount > 0 else "parameter_invalid_integer",
        )
    charge = charges.get(uow, _latest_charge_id(intent))
    key = f"{intent.id}:capture"
    outcome = journal.capture(uow, processor, intent.id, _reference(charge), amount, key)
    if outcome.status is not OutcomeStatus.SUCCEEDED:
        raise outcome.card_error()
    record_capture(uow, intent, amount)
    return intent


def record_capture(uow: UnitOfWork, intent: PaymentIntent, amount: int) -> None:
    """The processor captured `amount` of the intent's authorization."""
    charge = charges.get(uow, _latest_charge_id(intent))
    charges.record_capture(uow, charge, amount)
    intent.amount_received = amount
    intent.amount_capturable = 0
    _move(uow, intent, Action.CAPTURE)
    fraud_screening.after_capture(uow, charge)


def cancel(
    uow: UnitOfWork, processor: Processor, intent_id: str, reason: str | None
) -> PaymentIntent:
    intent = _locked(uow, intent_id)
    previous = intent.status
    payment_intent_transition(previous, Action.CANCEL)
    if previous == "requires_capture":
        charge = charges.get(uow, _latest_charge_id(intent))
        journal.cancel(uow, processor, intent.id, _reference(charge), f"{intent.id}:cancel")
    record_cancel(uow, intent, reason)
    return intent


def record_cancel(uow: UnitOfWork, intent: PaymentIntent, reason: str | None) -> None:
    """The intent is canceled; an authorization it held was released at the processor."""
    if intent.status == "requires_capture":
        charges.record_release(uow, charges.get(uow, _latest_charge_id(intent)))
    intent.amount_capturable = 0
    intent.canceled_at = uow.now
    intent.cancellation_reason = reason
    intent.next_action = None
    _move(uow, intent, Action.CANCEL)


def skip_attempt(intent: PaymentIntent, key: str) -> None:
    """Make the next attempt's key differ from `key`, an attempt lost and reversed, so that
    the processor does not answer the next one with the reversed attempt's outcome."""
    found = _ATTEMPT_KEY.fullmatch(key)
    if found is None or found.group(1) != intent.id:
        raise ValueError(f"{key!r} is no attempt of {intent.id}")
    lost = int(found.group(2)) + (1 if found.group(3) else 0)
    intent.attempts = max(intent.attempts, lost)


def update(uow: UnitOfWork, intent_id: str, fields: PaymentIntentFields) -> PaymentIntent:
    intent = _locked(uow, intent_id)
    # Description, metadata and the like can change at any time; what shapes the payment
    # only while it has not been made.
    if set(fields) & SHAPING_FIELDS:
        _move(uow, intent, Action.UPDATE)
    currency = fields.get("currency", intent.currency).lower()
    if "amount" in fields or "currency" in fields:
        _check_amount(fields.get("amount", intent.amount), currency, param="amount")
    if fields.get("customer") is not None:
        customers.get_active(uow, str(fields["customer"]), param="customer")
    rules.check_email(fields.get("receipt_email"), param="receipt_email")
    uow.before_update("payment_intent.updated", intent)
    intent.amount = fields.get("amount", intent.amount)
    intent.currency = currency
    for name in (
        "customer",
        "description",
        "receipt_email",
        "setup_future_usage",
        "statement_descriptor",
        "statement_descriptor_suffix",
        "shipping",
    ):
        if name in fields:
            setattr(intent, "customer_id" if name == "customer" else name, fields[name])
    if "capture_method" in fields:
        intent.capture_method = fields["capture_method"]
    if "metadata" in fields:
        intent.metadata_ = metadata.merge(intent.metadata_, fields["metadata"])
    if "radar_options" in fields:
        intent.radar_ip_address = _radar_ip(fields["radar_options"])
    if fields.get("payment_method"):
        _use_payment_method(uow, intent, str(fields["payment_method"]), param="payment_method")
    return intent


def get(uow: UnitOfWork, intent_id: str, *, param: str | None = "id") -> PaymentIntent:
    intent = find(uow, intent_id)
    if intent is None:
        raise no_such("payment_intent", intent_id, param=param)
    return intent


def find(uow: UnitOfWork, intent_id: str) -> PaymentIntent | None:
    return repository.get(uow.session, uow.account_id, uow.livemode, intent_id)


def page(uow: UnitOfWork, window: Window, *, customer_id: str | None) -> Page[PaymentIntent]:
    if customer_id is not None and customers.find(uow, customer_id) is None:
        raise no_such("customer", customer_id, param="customer")
    return repository.page(uow.session, uow.account_id, uow.livemode, window, customer_id)


# --- confirmation ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Redirect:
    """Where a customer asked for 3D Secure is sent: Seikyu's page on `base_url`, then back
    to the integration's `return_url`."""

    base_url: str
    return_url: str | None = None


def _confirm(
    uow: UnitOfWork,
    processor: Processor,
    intent: PaymentIntent,
    *,
    off_session: bool,
    redirect: Redirect,
) -> PaymentIntent:
    if intent.payment_method_id is None:
        raise SeikyuError(
            "You cannot confirm this PaymentIntent because it's missing a payment method. "
            "You can either update the PaymentIntent with a payment method and then confirm "
            "it again, or confirm it again directly with a payment method.",
            code="payment_intent_unexpected_state",
        )
    payment_method = payment_methods.get(uow, intent.payment_method_id, param="payment_method")
    _move(uow, intent, Action.CONFIRM)
    intent.off_session = off_session
    intent.attempts += 1
    screening = fraud_screening.screen_payment(uow, intent, payment_method, authenticated=False)
    if screening.blocks:
        outcome = fraud_screening.blocked_outcome()
    elif fraud_screening.asks_for_authentication(screening, authenticated=False):
        outcome = Outcome(OutcomeStatus.REQUIRES_ACTION)
    else:
        request = _card_request(intent, payment_method, _attempt_key(intent))
        outcome = journal.authorize(uow, processor, intent.id, request)
    if outcome.status is OutcomeStatus.REQUIRES_ACTION:
        intent.next_action = redirect_action(
            redirect.base_url, intent.id, intent.client_secret, redirect.return_url
        )
        _move(uow, intent, Action.REQUIRES_ACTION)
        return intent
    declined = _apply(uow, intent, payment_method, outcome, screening)
    if declined is not None:
        # The decline is recorded and then reported: Stripe answers a declined confirmation
        # with a card error naming the intent, whose new state the caller can read.
        raise declined
    return intent


def authenticate(
    uow: UnitOfWork, processor: Processor, intent_id: str, *, completed: bool
) -> PaymentIntent:
    """The customer's answer to 3D Secure: the payment is attempted again, authenticated, or
    the intent asks for another payment method. A decline after authentication is recorded
    on the intent, not raised: nobody is waiting on a confirmation request for it."""
    intent = _locked(uow, intent_id)
    _move(uow, intent, Action.AUTHENTICATE)
    intent.next_action = None
    payment_method = payment_methods.get(uow, _payment_method_id(intent), param="payment_method")
    if not completed:
        failure = invalid(PAYMENT_FAILURE_MESSAGE, code=PAYMENT_FAILURE)
        intent.last_payment_error = {
            **failure.body(),
            "payment_method": _shown(uow, payment_method),
        }
        intent.payment_method_id = None
        _move(uow, intent, Action.FAILED)
        return intent
    screening = fraud_screening.screen_payment(uow, intent, payment_method, authenticated=True)
    if screening.blocks:
        outcome = fraud_screening.blocked_outcome()
    else:
        key = f"{_attempt_key(intent)}:authenticated"
        request = replace(_card_request(intent, payment_method, key), authenticated=True)
        outcome = journal.authorize(uow, processor, intent.id, request)
    _apply(uow, intent, payment_method, outcome, screening)
    return intent


def _apply(
    uow: UnitOfWork,
    intent: PaymentIntent,
    payment_method: PaymentMethod,
    outcome: Outcome,
    screening: Screening | None = None,
) -> SeikyuError | None:
    """Record the final answer to an attempt (the processor's, or screening's block); a
    decline is returned as the card error to answer with."""
    if outcome.status not in (OutcomeStatus.SUCCEEDED, OutcomeStatus.FAILED):
        raise ValueError(f"a card payment cannot end {outcome.status}")
    risk = fraud_screening.charge_outcome(screening, outcome)
    charge = charges.record_attempt(uow, intent, payment_method, outcome, risk=risk)
    intent.latest_charge_id = charge.id
    intent.review_id = None  # the latest charge's review, if screening opens one
    if screening is not None:
        fraud_screening.after_charge(uow, screening, charge, payment_method)
    intent.next_action = None
    if outcome.status is OutcomeStatus.FAILED:
        return _declined(uow, intent, payment_method, charge, outcome)
    intent.last_payment_error = None
    if intent.setup_future_usage is not None:
        _keep_for_later(uow, intent, payment_method)
    if intent.capture_method == "manual":
        intent.amount_capturable = intent.amount
        _move(uow, intent, Action.AUTHORIZED_CAPTURE_LATER)
    else:
        intent.amount_received = intent.amount
        _move(uow, intent, Action.SUCCEEDED)
    return None


def _card_request(intent: PaymentIntent, payment_method: PaymentMethod, key: str) -> CardRequest:
    return CardRequest(
        card_key=payment_method.processor_card,
        amount=intent.amount,
        currency=intent.currency,
        idempotency_key=key,
        off_session=intent.off_session,
        setup_for_off_session=payment_method.set_up_for_off_session,
        capture=intent.capture_method != "manual",
    )


def _attempt_key(intent: PaymentIntent) -> str:
    return f"{intent.id}:attempt:{intent.attempts}"


# An attempt's key, or its authenticated retry's (which `authenticate` sends under the same
# attempt number, so skipping it skips the number too).
_ATTEMPT_KEY = re.compile(r"(.+):attempt:(\d+)(:authenticated)?")


def _declined(
    uow: UnitOfWork,
    intent: PaymentIntent,
    payment_method: PaymentMethod,
    charge: Charge,
    outcome: Outcome,
) -> SeikyuError:
    error = outcome.card_error()
    intent.last_payment_error = {
        **error.body(),
        "charge": charge.id,
        "payment_method": _shown(uow, payment_method),
    }
    intent.payment_method_id = None
    _move(uow, intent, Action.FAILED)
    return SeikyuError(
        error.message,
        type=error.type,
        kind=error.kind,
        code=error.code,
        param=error.param,
        decline_code=error.decline_code,
        extra={"charge": charge.id, "payment_method": _shown(uow, payment_method)},
        keep_changes=True,
        subject=intent,
    )


def _keep_for_later(uow: UnitOfWork, intent: PaymentIntent, payment_method: PaymentMethod) -> None:
    """`setup_future_usage`: a successful payment also saves the card to the customer."""
    if intent.setup_future_usage == "off_session":
        payment_method.set_up_for_off_session = True
    if intent.customer_id is not None and payment_method.customer_id is None:
        payment_methods.link(uow, payment_method, intent.customer_id)


def _use_payment_method(
    uow: UnitOfWork, intent: PaymentIntent, payment_method_id: str, *, param: str
) -> None:
    payment_method = payment_methods.resolve(uow, payment_method_id, param=param)
    payment_methods.check_usable_by(payment_method, intent.customer_id, param=param)
    intent.payment_method_id = payment_method.id
    _move(uow, intent, Action.ATTACH_PAYMENT_METHOD)


# --- helpers -----------------------------------------------------------------------


def _move(uow: UnitOfWork, intent: PaymentIntent, action: Action) -> None:
    """Change status only through the transition table, emitting its events."""
    moved = payment_intent_transition(intent.status, action)
    intent.status = moved.status.value
    for event_type in moved.events:
        uow.emit(event_type, intent)


def _locked(uow: UnitOfWork, intent_id: str) -> PaymentIntent:
    """The intent, locked until the transaction ends: two confirmations or a capture and a
    cancel of one intent run one after the other, never interleaved."""
    intent = repository.get(uow.session, uow.account_id, uow.livemode, intent_id, for_update=True)
    if intent is None:
        raise no_such("payment_intent", intent_id)
    return intent


def _radar_ip(options: dict[str, Any] | None) -> str | None:
    found = (options or {}).get("ip_address")
    return str(found) if found else None


def _check_amount(amount: int, currency: str, *, param: str) -> None:
    check_currency(currency, param="currency")
    if amount < minimum_charge(currency):
        raise SeikyuError(
            f"Amount must be at least {minimum_charge(currency)} in the currency's smallest "
            f"unit ({currency}).",
            param=param,
            code="amount_too_small",
        )
    if amount > max_amount(currency):
        raise SeikyuError(
            f"Amount must be no more than {max_amount(currency)} ({currency}).",
            param=param,
            code="amount_too_large",
        )


def _shown(uow: UnitOfWork, payment_method: PaymentMethod) -> dict[str, Any]:
    """The payment method as Stripe shows it in an error: the whole object, as it was."""
    return uow.render(payment_method)


def _payment_method_id(intent: PaymentIntent) -> str:
    assert intent.payment_method_id is not None  # requires_action keeps its payment method
    return intent.payment_method_id


def _latest_charge_id(intent: PaymentIntent) -> str:
    assert intent.latest_charge_id is not None  # requires_capture always has its charge
    return intent.latest_charge_id


def _reference(charge: Charge) -> str:
    assert charge.processor_reference is not None  # an authorized charge has one
    return charge.processor_reference
