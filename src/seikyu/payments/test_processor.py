"""The built-in processor: a test-mode simulator that answers like Stripe's test cards.

Stateless and deterministic: an outcome follows from the card's catalogue entry and the
request alone, and references are hashes of the idempotency key. So a request sent again
with the same key gets the same answer from any server process, before or after a restart,
which is all idempotency asks of a processor. It keeps no ledger: Seikyu's own records bound
every capture and refund before the processor is asked.

Refunds follow Stripe's asynchronous refund cards. With no memory, the processor learns the
card behind a refund from the references it issued: a charge's reference ends with the
card's refund behaviour when it is not the ordinary one, and each refund's reference
inherits it. So `refund_status` answers from the reference alone, with what the refund
becomes "some time later": the settlement pass that asks is that later time.

3D Secure follows Stripe's documented test cards. A payment that needs authentication waits
for it on-session (REQUIRES_ACTION). Off-session nobody can authenticate, so it is declined
with `authentication_required`: Stripe then leaves a PaymentIntent in requires_payment_method,
and an invoice's PaymentIntent in requires_action; that choice is the payments service's.
"""

from __future__ import annotations

import hashlib

from seikyu.payments.domain.processor import (
    AUTHENTICATION_REQUIRED,
    CardRequest,
    Outcome,
    OutcomeStatus,
    SetupRequest,
    approved,
    declined,
    refund_failed,
    requires_action,
)
from seikyu.payments.domain.test_cards import (
    RefundBehaviour,
    TestCard,
    ThreeDSecure,
    card_for_key,
)

_HASH_LENGTH = 24
# Stripe's failure_reason for its asynchronous refund failure card.
ASYNC_REFUND_FAILURE_REASON = "expired_or_canceled_card"


def _reference(
    kind: str, idempotency_key: str, refunds: RefundBehaviour = RefundBehaviour.IMMEDIATE
) -> str:
    digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:_HASH_LENGTH]
    tail = "" if refunds is RefundBehaviour.IMMEDIATE else f"_{refunds.value}"
    return f"tp_{kind}_{digest}{tail}"


def _refund_behaviour(reference: str, kind: str) -> RefundBehaviour:
    """The refund behaviour a reference of `kind` ("ch" or "re") carries; ValueError if the
    test processor never issued it."""
    prefix = f"tp_{kind}_"
    digest, _, tail = reference.removeprefix(prefix).partition("_")
    if not reference.startswith(prefix) or len(digest) != _HASH_LENGTH:
        noun = "charge" if kind == "ch" else "refund"
        raise ValueError(f"the test processor issued no {noun} {reference}")
    try:
        return RefundBehaviour(tail or RefundBehaviour.IMMEDIATE.value)
    except ValueError:
        raise ValueError(f"the test processor issued no reference {reference}") from None


def _check_reference(reference: str) -> None:
    _refund_behaviour(reference, "ch")


def _check_amount(amount: int) -> None:
    if amount <= 0:
        raise ValueError(f"an amount must be positive, got {amount}")


def _card(card_key: str) -> TestCard:
    card = card_for_key(card_key)
    if card is None:
        raise ValueError(f"no test card has the key {card_key!r}")
    return card


def _attach_refusal(card: TestCard) -> Outcome | None:
    # Stripe: the declining test cards "can't be attached to a Customer object"; 0341 can.
    if card.error_code is None or card.declines_after_attach:
        return None
    return declined(None, error_code=card.error_code, decline_code=card.decline_code)


def _wants_authentication(card: TestCard, request: CardRequest) -> bool:
    """Whether the card's issuer asks for 3D Secure on this payment (done or not)."""
    match card.three_d_secure:
        case ThreeDSecure.ALWAYS:
            return True
        case ThreeDSecure.UNLESS_SET_UP:
            return not (request.off_session and request.setup_for_off_session)
        case ThreeDSecure.ALREADY_SET_UP:
            return not request.off_session
        case ThreeDSecure.NONE:
            return False


class TestProcessor:
    """A `Processor` whose cards are Stripe's test cards, for test mode and offline use."""

    __test__ = False  # not a pytest test class, despite the name

    def attach_check(self, card_key: str) -> Outcome:
        """Attaching fails for the declining test cards, except those that decline later."""
        return _attach_refusal(_card(card_key)) or Outcome(OutcomeStatus.SUCCEEDED)

    def setup(self, request: SetupRequest) -> Outcome:
        """A setup runs the attach check, then asks for 3D Secure where the card wants it."""
        return self._setup(request)

    def authorize(self, request: CardRequest) -> Outcome:
        """Authentication first, then the card's decline, else approval."""
        if request.amount <= 0:
            raise ValueError(f"a payment amount must be positive, got {request.amount}")
        return self._authorize(request)

    def capture(self, reference: str, amount: int, idempotency_key: str) -> Outcome:
        _check_reference(reference)
        _check_amount(amount)
        return approved(reference)

    def cancel(self, reference: str, idempotency_key: str) -> Outcome:
        _check_reference(reference)
        return Outcome(OutcomeStatus.SUCCEEDED, reference)

    def refund(self, reference: str, amount: int, idempotency_key: str) -> Outcome:
        """SUCCEEDED, except on the asynchronous success card, whose refunds start PENDING."""
        behaviour = _refund_behaviour(reference, "ch")
        _check_amount(amount)
        refund = _reference("re", idempotency_key, behaviour)
        if behaviour is RefundBehaviour.ASYNC_SUCCESS:
            return Outcome(OutcomeStatus.PENDING, refund)
        return Outcome(OutcomeStatus.SUCCEEDED, refund)

    def refund_status(self, reference: str) -> Outcome:
        """What the refund has become: the asynchronous failure card's refunds fail, every
        other refund has succeeded."""
        if _refund_behaviour(reference, "re") is RefundBehaviour.ASYNC_FAILURE:
            return refund_failed(reference, ASYNC_REFUND_FAILURE_REASON)
        return Outcome(OutcomeStatus.SUCCEEDED, reference)

    def cancel_refund(self, reference: str, idempotency_key: str) -> Outcome:
        """Only a refund that starts pending can be withdrawn; the others reached the card at
        once. (Stripe's test mode allows it for 30 minutes; the processor keeps no clock, and
        Seikyu asks only about refunds it still holds pending.)"""
        if _refund_behaviour(reference, "re") is RefundBehaviour.ASYNC_SUCCESS:
            return Outcome(OutcomeStatus.SUCCEEDED, reference)
        return Outcome(OutcomeStatus.FAILED, reference)

    def _setup(self, request: SetupRequest) -> Outcome:
        card = _card(request.card_key)
        refusal = _attach_refusal(card)
        if refusal is not None:
            return refusal
        wants_3ds = card.three_d_secure in (ThreeDSecure.ALWAYS, ThreeDSecure.UNLESS_SET_UP)
        if wants_3ds and not request.authenticated:
            return requires_action()
        return Outcome(OutcomeStatus.SUCCEEDED)

    def _authorize(self, request: CardRequest) -> Outcome:
        card = _card(request.card_key)
        reference = _reference("ch", request.idempotency_key, card.refunds)
        if _wants_authentication(card, request) and not request.authenticated:
            if not request.off_session:
                return requires_action()
            return declined(
                reference, error_code=AUTHENTICATION_REQUIRED, decline_code=AUTHENTICATION_REQUIRED
            )
        if card.error_code is not None:
            return declined(reference, error_code=card.error_code, decline_code=card.decline_code)
        return approved(reference)
