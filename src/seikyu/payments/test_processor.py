"""The built-in processor: a test-mode simulator that answers like Stripe's test cards.

Deterministic: outcomes follow from the card's catalogue entry and the request alone, and
references are hashes of the idempotency key, so the same inputs give the same ids in every
run. Its memory (issued charges, outcomes by idempotency key) lives in the instance; a real
processor answers `lookup` from its own records instead.

3D Secure follows Stripe's documented test cards. A payment that needs authentication waits
for it on-session (REQUIRES_ACTION). Off-session nobody can authenticate, so it is declined
with `authentication_required`: Stripe then leaves a PaymentIntent in requires_payment_method,
and an invoice's PaymentIntent in requires_action; that choice is the payments service's.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, replace

from seikyu.payments.domain.processor import (
    AUTHENTICATION_REQUIRED,
    CardRequest,
    Outcome,
    OutcomeStatus,
    SetupRequest,
    approved,
    declined,
    requires_action,
)
from seikyu.payments.domain.test_cards import TestCard, ThreeDSecure, card_for_key

_Run = Callable[[], Outcome]


@dataclass(frozen=True, slots=True)
class _Charge:
    authorized: int
    captured: int | None  # None while only authorized
    refunded: int = 0
    canceled: bool = False


def _reference(kind: str, idempotency_key: str) -> str:
    return f"tp_{kind}_{hashlib.sha256(idempotency_key.encode()).hexdigest()[:24]}"


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

    def __init__(self) -> None:
        self._outcomes: dict[str, tuple[tuple[object, ...], Outcome]] = {}
        self._charges: dict[str, _Charge] = {}

    def attach_check(self, card_key: str) -> Outcome:
        """Attaching fails for the declining test cards, except those that decline later."""
        return _attach_refusal(_card(card_key)) or Outcome(OutcomeStatus.SUCCEEDED)

    def setup(self, request: SetupRequest) -> Outcome:
        """A setup runs the attach check, then asks for 3D Secure where the card wants it."""
        return self._once(request.idempotency_key, ("setup", request), lambda: self._setup(request))

    def authorize(self, request: CardRequest) -> Outcome:
        """Authentication first, then the card's decline, else approval."""
        if request.amount <= 0:
            raise ValueError(f"a payment amount must be positive, got {request.amount}")
        return self._once(
            request.idempotency_key, ("authorize", request), lambda: self._authorize(request)
        )

    def capture(self, reference: str, amount: int, idempotency_key: str) -> Outcome:
        def run() -> Outcome:
            charge = self._charge(reference)
            if charge.canceled or charge.captured is not None:
                raise ValueError(f"{reference} is not an uncaptured authorization")
            if not 0 < amount <= charge.authorized:
                raise ValueError(f"capture amount {amount} outside 1..{charge.authorized}")
            self._charges[reference] = replace(charge, captured=amount)
            return approved(reference)

        return self._once(idempotency_key, ("capture", reference, amount), run)

    def cancel(self, reference: str, idempotency_key: str) -> Outcome:
        def run() -> Outcome:
            charge = self._charge(reference)
            if charge.canceled or charge.captured is not None:
                raise ValueError(f"{reference} is not an uncaptured authorization")
            self._charges[reference] = replace(charge, canceled=True)
            return Outcome(OutcomeStatus.SUCCEEDED, reference)

        return self._once(idempotency_key, ("cancel", reference), run)

    def refund(self, reference: str, amount: int, idempotency_key: str) -> Outcome:
        def run() -> Outcome:
            charge = self._charge(reference)
            if charge.captured is None:
                raise ValueError(f"{reference} has nothing captured to refund")
            refundable = charge.captured - charge.refunded
            if not 0 < amount <= refundable:
                raise ValueError(f"refund amount {amount} outside 1..{refundable}")
            self._charges[reference] = replace(charge, refunded=charge.refunded + amount)
            return Outcome(OutcomeStatus.SUCCEEDED, _reference("re", idempotency_key))

        return self._once(idempotency_key, ("refund", reference, amount), run)

    def lookup(self, idempotency_key: str) -> Outcome | None:
        seen = self._outcomes.get(idempotency_key)
        return None if seen is None else seen[1]

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
        reference = _reference("ch", request.idempotency_key)
        if _wants_authentication(card, request) and not request.authenticated:
            if not request.off_session:
                return requires_action()
            return declined(
                reference, error_code=AUTHENTICATION_REQUIRED, decline_code=AUTHENTICATION_REQUIRED
            )
        if card.error_code is not None:
            return declined(reference, error_code=card.error_code, decline_code=card.decline_code)
        captured = request.amount if request.capture else None
        self._charges[reference] = _Charge(authorized=request.amount, captured=captured)
        return approved(reference)

    def _charge(self, reference: str) -> _Charge:
        charge = self._charges.get(reference)
        if charge is None:
            raise ValueError(f"the test processor issued no successful charge {reference}")
        return charge

    def _once(self, idempotency_key: str, request: tuple[object, ...], run: _Run) -> Outcome:
        """Run a request once per idempotency key; a replay returns the first outcome."""
        seen = self._outcomes.get(idempotency_key)
        if seen is not None:
            if seen[0] != request:
                # Stripe answers a key reused with other parameters with an idempotency_error.
                raise ValueError(f"idempotency key {idempotency_key!r} already used elsewhere")
            return seen[1]
        outcome = run()
        self._outcomes[idempotency_key] = (request, outcome)
        return outcome
