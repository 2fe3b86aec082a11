"""Setup intent use cases: save a card for later payments, with 3D Secure when it asks.

A confirmation is one attempt at the processor under its own idempotency key
(`<intent>:attempt:<n>`, the attempt number stored with the intent), so a confirmation sent
again after a crash gets the processor's first answer. After 3D Secure the same attempt is
sent once more, authenticated, under `<intent>:attempt:<n>:authenticated`.

A setup that succeeds attaches the card to the intent's customer, and for `usage=off_session`
marks it set up for payments without the customer, which issuers then accept without asking
for authentication again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict

from seikyu.core import metadata
from seikyu.core.errors import SeikyuError, invalid, no_such
from seikyu.core.ids import random_token
from seikyu.customers import service as customers
from seikyu.db.models.payment_methods import PaymentMethod
from seikyu.db.models.setup_intents import SetupIntent
from seikyu.db.pagination import Page, Window
from seikyu.db.uow import UnitOfWork
from seikyu.payments import fraud_screening, payment_methods
from seikyu.payments import setup_intent_repository as repository
from seikyu.payments.domain.authentication import (
    SETUP_FAILURE,
    SETUP_FAILURE_MESSAGE,
    redirect_action,
)
from seikyu.payments.domain.intent_status import SETUP_INTENT_CREATED_EVENT, setup_intent_transition
from seikyu.payments.domain.intent_status import SetupIntentAction as Action
from seikyu.payments.domain.processor import (
    Outcome,
    OutcomeStatus,
    Processor,
    SetupRequest,
    requires_action,
)

# Fields that say what is set up and for whom: they change only before the setup is done.
SHAPING_FIELDS = ("customer", "payment_method", "payment_method_types")


class SetupIntentFields(TypedDict, total=False):
    """Fields a request may set; a None value clears an optional field."""

    customer: str
    payment_method: str
    usage: str
    description: str | None
    payment_method_types: list[str]
    metadata: dict[str, str] | None


@dataclass(frozen=True, slots=True)
class Confirmation:
    """How a confirmation is made: a customer whose card asks for 3D Secure is sent to the
    authentication page on `base_url`, then back to `return_url`; `challenge` asks for 3D
    Secure on any card (Stripe's `request_three_d_secure=challenge`)."""

    base_url: str
    return_url: str | None = None
    challenge: bool = False
    # The end customer's IP address for fraud screening (`radar_options[ip_address]`).
    ip_address: str | None = None


def create(
    uow: UnitOfWork,
    processor: Processor,
    fields: SetupIntentFields,
    *,
    confirmation: Confirmation | None = None,
) -> SetupIntent:
    """A new intent; confirmed at once when a `confirmation` is given."""
    customer_id = fields.get("customer")
    if customer_id is not None:
        customers.get_active(uow, customer_id, param="customer")
    intent_id = uow.new_id("seti")
    intent = SetupIntent(
        id=intent_id,
        account_id=uow.account_id,
        livemode=uow.livemode,
        created=uow.now,
        status="requires_payment_method",
        customer_id=customer_id,
        payment_method_id=None,
        usage=fields.get("usage") or "off_session",
        client_secret=f"{intent_id}_secret_{random_token(25)}",
        last_setup_error=None,
        next_action=None,
        attempts=0,
        canceled_at=None,
        cancellation_reason=None,
        description=fields.get("description"),
        payment_method_types=fields.get("payment_method_types") or ["card"],
        metadata_=metadata.initial(fields.get("metadata")),
    )
    repository.add(uow.session, intent)
    uow.emit(SETUP_INTENT_CREATED_EVENT, intent)
    if fields.get("payment_method"):
        _use_payment_method(uow, intent, fields["payment_method"])
    if confirmation is not None:
        _confirm(uow, processor, intent, confirmation)
    return intent


def confirm(
    uow: UnitOfWork,
    processor: Processor,
    intent_id: str,
    confirmation: Confirmation,
    *,
    payment_method: str | None = None,
) -> SetupIntent:
    intent = _locked(uow, intent_id)
    setup_intent_transition(intent.status, Action.CONFIRM)  # refuses a wrong status early
    if payment_method:
        _use_payment_method(uow, intent, payment_method)
    _confirm(uow, processor, intent, confirmation)
    return intent


def authenticate(
    uow: UnitOfWork, processor: Processor, intent_id: str, *, completed: bool
) -> SetupIntent:
    """The customer's answer to 3D Secure: the setup is attempted again, authenticated, or
    the intent asks for another payment method. A decline after authentication is recorded
    on the intent, not raised: nobody is waiting on a confirmation request for it."""
    intent = _locked(uow, intent_id)
    _move(uow, intent, Action.AUTHENTICATE)
    waiting, intent.next_action = intent.next_action, None
    payment_method = payment_methods.get(uow, _payment_method_id(intent), param="payment_method")
    if not completed:
        failure = invalid(SETUP_FAILURE_MESSAGE, code=SETUP_FAILURE)
        intent.last_setup_error = {**failure.body(), "payment_method": uow.render(payment_method)}
        intent.payment_method_id = None
        _move(uow, intent, Action.FAILED)
        return intent
    screening = fraud_screening.screen_setup(uow, intent, payment_method, authenticated=True)
    if screening.blocks:
        outcome = fraud_screening.blocked_outcome()
    else:
        outcome = processor.setup(
            SetupRequest(
                card_key=payment_method.processor_card,
                idempotency_key=f"{_attempt_key(intent)}:authenticated",
                authenticated=True,
            )
        )
    if outcome.status is OutcomeStatus.REQUIRES_ACTION:
        # The issuer asks once more: the customer goes back to the same page.
        intent.next_action = waiting
        _move(uow, intent, Action.REQUIRES_ACTION)
        return intent
    fraud_screening.after_setup(uow, screening, outcome)
    _apply(uow, intent, payment_method, outcome)
    return intent


def cancel(uow: UnitOfWork, intent_id: str, reason: str | None) -> SetupIntent:
    intent = _locked(uow, intent_id)
    _move(uow, intent, Action.CANCEL)
    intent.canceled_at = uow.now
    intent.cancellation_reason = reason
    intent.next_action = None
    return intent


def update(uow: UnitOfWork, intent_id: str, fields: SetupIntentFields) -> SetupIntent:
    """Stripe sends no event for a SetupIntent's update, so none is recorded."""
    intent = _locked(uow, intent_id)
    # Description and metadata can change at any time; what is set up only until it is.
    shaping = [name for name in SHAPING_FIELDS if name in fields]
    if shaping:
        _move(uow, intent, Action.UPDATE, field=shaping[0])
    if "customer" in fields:
        customer = customers.get_active(uow, fields["customer"], param="customer")
        if intent.payment_method_id is not None:
            current = payment_methods.get(uow, intent.payment_method_id, param="payment_method")
            payment_methods.check_usable_by(current, customer.id, param="customer")
        intent.customer_id = customer.id
    if "payment_method_types" in fields:
        intent.payment_method_types = fields["payment_method_types"]
    if "description" in fields:
        intent.description = fields["description"]
    if "metadata" in fields:
        intent.metadata_ = metadata.merge(intent.metadata_, fields["metadata"])
    if fields.get("payment_method"):
        _use_payment_method(uow, intent, fields["payment_method"])
    return intent


def get(uow: UnitOfWork, intent_id: str, *, param: str | None = "id") -> SetupIntent:
    intent = find(uow, intent_id)
    if intent is None:
        raise no_such("setup_intent", intent_id, param=param)
    return intent


def find(uow: UnitOfWork, intent_id: str) -> SetupIntent | None:
    return repository.get(uow.session, uow.account_id, uow.livemode, intent_id)


def page(
    uow: UnitOfWork, window: Window, *, customer_id: str | None, payment_method_id: str | None
) -> Page[SetupIntent]:
    if customer_id is not None:
        customers.get_active(uow, customer_id, param="customer")
    return repository.page(
        uow.session,
        uow.account_id,
        uow.livemode,
        window,
        customer_id=customer_id,
        payment_method_id=payment_method_id,
    )


# --- confirmation ------------------------------------------------------------------


def _confirm(
    uow: UnitOfWork, processor: Processor, intent: SetupIntent, confirmation: Confirmation
) -> None:
    if intent.payment_method_id is None:
        raise SeikyuError(
            "You cannot confirm this SetupIntent because it's missing a payment method. "
            "You can either update the SetupIntent with a payment method and then confirm "
            "it again, or confirm it again directly with a payment method.",
            code="setup_intent_unexpected_state",
        )
    payment_method = payment_methods.get(uow, intent.payment_method_id, param="payment_method")
    _move(uow, intent, Action.CONFIRM)
    intent.attempts += 1
    intent.next_action = None
    if confirmation.ip_address is not None:
        intent.radar_ip_address = confirmation.ip_address
    screening = fraud_screening.screen_setup(uow, intent, payment_method, authenticated=False)
    if screening.blocks:
        outcome = fraud_screening.blocked_outcome()
    elif fraud_screening.asks_for_authentication(screening, authenticated=False):
        outcome = requires_action()
    else:
        outcome = processor.setup(
            SetupRequest(
                card_key=payment_method.processor_card, idempotency_key=_attempt_key(intent)
            )
        )
    if confirmation.challenge and outcome.status is OutcomeStatus.SUCCEEDED:
        # The card passed its check, but the integration wants the customer challenged
        # anyway: the attempt is sent again, authenticated, once the customer has been.
        outcome = requires_action()
    if outcome.status is OutcomeStatus.REQUIRES_ACTION:
        intent.next_action = redirect_action(
            confirmation.base_url, intent.id, intent.client_secret, confirmation.return_url
        )
        _move(uow, intent, Action.REQUIRES_ACTION)
        return
    fraud_screening.after_setup(uow, screening, outcome)
    declined = _apply(uow, intent, payment_method, outcome)
    if declined is not None:
        # The failure is recorded and then reported: Stripe answers a failed confirmation
        # with a card error naming the intent, whose new state the caller can read.
        raise declined


def _apply(
    uow: UnitOfWork, intent: SetupIntent, payment_method: PaymentMethod, outcome: Outcome
) -> SeikyuError | None:
    """Record the processor's final answer to an attempt; a failure is returned as the card
    error to answer with."""
    if outcome.status is OutcomeStatus.SUCCEEDED:
        intent.last_setup_error = None
        _save_for_later(uow, intent, payment_method)
        _move(uow, intent, Action.SUCCEEDED)
        return None
    if outcome.status is not OutcomeStatus.FAILED:
        raise ValueError(f"a card setup cannot end {outcome.status}")
    error = outcome.card_error()
    # Stripe shows the whole payment method, as it was, in the error.
    intent.last_setup_error = {**error.body(), "payment_method": uow.render(payment_method)}
    intent.payment_method_id = None
    _move(uow, intent, Action.FAILED)
    return SeikyuError(
        error.message,
        type=error.type,
        kind=error.kind,
        code=error.code,
        param=error.param,
        decline_code=error.decline_code,
        extra={"payment_method": intent.last_setup_error["payment_method"]},
        keep_changes=True,
        subject=intent,
    )


def _save_for_later(uow: UnitOfWork, intent: SetupIntent, payment_method: PaymentMethod) -> None:
    if intent.usage == "off_session":
        payment_method.set_up_for_off_session = True
    if intent.customer_id is not None and payment_method.customer_id is None:
        payment_methods.link(uow, payment_method, intent.customer_id)


def _use_payment_method(uow: UnitOfWork, intent: SetupIntent, payment_method_id: str) -> None:
    payment_method = payment_methods.resolve(uow, payment_method_id, param="payment_method")
    payment_methods.check_usable_by(payment_method, intent.customer_id, param="payment_method")
    _move(uow, intent, Action.ATTACH_PAYMENT_METHOD)
    intent.payment_method_id = payment_method.id
    # A new payment method abandons an authentication the previous one was waiting for.
    intent.next_action = None


def _attempt_key(intent: SetupIntent) -> str:
    return f"{intent.id}:attempt:{intent.attempts}"


# --- helpers -----------------------------------------------------------------------


def _move(
    uow: UnitOfWork, intent: SetupIntent, action: Action, *, field: str | None = None
) -> None:
    """Change status only through the transition table, emitting its events."""
    moved = setup_intent_transition(intent.status, action, field=field)
    intent.status = moved.status.value
    for event_type in moved.events:
        uow.emit(event_type, intent)


def _locked(uow: UnitOfWork, intent_id: str) -> SetupIntent:
    """The intent, locked until the transaction ends: two confirmations, or a confirmation
    and its authentication, of one intent run one after the other, never interleaved."""
    intent = repository.get(uow.session, uow.account_id, uow.livemode, intent_id, for_update=True)
    if intent is None:
        raise no_such("setup_intent", intent_id)
    return intent


def _payment_method_id(intent: SetupIntent) -> str:
    assert intent.payment_method_id is not None  # requires_action keeps its payment method
    return intent.payment_method_id
