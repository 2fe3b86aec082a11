"""The processor interface: what the payments service asks of whoever moves the money.

The card number never travels past the request that created the payment method. That
request checks the number (`cards.check_card`), keeps brand, country, funding, last4, expiry
and a keyed fingerprint, and hands the number once to the processor in exchange for a
`card_key`: an opaque handle that the payment method stores and every later call passes. A
real processor's `card_key` is its own token for the card. The built-in test processor needs
no exchange: its `card_key` is the catalogue key of the test card the number stands for
(`test_cards.card_for_number(...).key`, e.g. "visa"), or `test_cards.GENERIC_KEY` for a valid
number outside the catalogue. Test card numbers are public, but the key is what is stored, so
the storage rule has no exception.

Every call that can move money carries an idempotency key. Sending the same key again
returns the first outcome and moves nothing, so after a crash the service learns what a
call did by sending it again with its key, never by guessing.

A refund may not be final when it is created: the processor can answer PENDING and settle it
later, and even a SUCCEEDED card refund can fail days afterwards (the card was closed).
`refund_status` asks where a refund stands now; `cancel_refund` withdraws one still pending.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from seikyu.core.errors import SeikyuError
from seikyu.payments.domain.cards import card_error


class OutcomeStatus(StrEnum):
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    # The customer must authenticate (3D Secure) before the processor will try again.
    REQUIRES_ACTION = "requires_action"
    # Accepted, final result later (a payment never is with the test processor; a refund
    # on Stripe's asynchronous refund cards is).
    PENDING = "pending"


AUTHENTICATION_REQUIRED = "authentication_required"
_DECLINED_MESSAGE = "Your card was declined."

# Stripe's customer-facing messages, by decline code or, without one, by error code.
_MESSAGES = {
    "insufficient_funds": "Your card has insufficient funds.",
    "card_velocity_exceeded": (
        "Your card was declined for making repeated attempts too frequently or exceeding its "
        "amount limit."
    ),
    AUTHENTICATION_REQUIRED: "Your card was declined. This transaction requires authentication.",
    "expired_card": "Your card has expired.",
    "incorrect_cvc": "Your card's security code is incorrect.",
    "processing_error": "An error occurred while processing your card. Try again in a little bit.",
}
# The card detail Stripe blames (`error.param`) for these error codes.
_PARAMS = {"expired_card": "exp_month", "incorrect_cvc": "cvc", "incorrect_number": "number"}


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a processor did with one request, in the terms of Stripe's charge `outcome`.

    `reference` is the processor's id for the charge or refund it created (a declined payment
    is a failed charge, so it has one too); None when nothing was created. `error_code` and
    `decline_code` are Stripe's `error.code` / `error.decline_code`; `message` is the text shown
    to the customer. `network_status`, `outcome_type` and `seller_message` fill the charge's
    `outcome`. `failure_reason` is a failed refund's, in Stripe's words
    (`expired_or_canceled_card`, `lost_or_stolen_card`, `declined`, `unknown`, ...).
    """

    status: OutcomeStatus
    reference: str | None = None
    decline_code: str | None = None
    error_code: str | None = None
    message: str | None = None
    network_status: str | None = None
    outcome_type: str | None = None
    seller_message: str | None = None
    failure_reason: str | None = None

    @property
    def reason(self) -> str | None:
        """Stripe's `outcome.reason`: the decline code, else the error code."""
        return self.decline_code or self.error_code

    @property
    def needs_authentication(self) -> bool:
        """The customer must come back on-session and authenticate for this payment to work."""
        return (
            self.status is OutcomeStatus.REQUIRES_ACTION
            or self.decline_code == AUTHENTICATION_REQUIRED
        )

    def card_error(self) -> SeikyuError:
        """The `card_error` Stripe returns (HTTP 402) for this failed outcome."""
        if self.status is not OutcomeStatus.FAILED or self.error_code is None:
            raise ValueError(f"only a failed outcome is a card error, not {self.status}")
        return card_error(
            self.message or _DECLINED_MESSAGE,
            code=self.error_code,
            param=_PARAMS.get(self.error_code),
            decline_code=self.decline_code,
        )


def approved(reference: str | None) -> Outcome:
    """The issuer authorized the payment."""
    return Outcome(
        OutcomeStatus.SUCCEEDED,
        reference,
        network_status="approved_by_network",
        outcome_type="authorized",
        seller_message="Payment complete.",
    )


def declined(reference: str | None, *, error_code: str, decline_code: str | None) -> Outcome:
    """The issuer declined: Stripe's messages for the codes, and the charge's outcome."""
    reason = decline_code or error_code
    return Outcome(
        OutcomeStatus.FAILED,
        reference,
        decline_code=decline_code,
        error_code=error_code,
        message=_MESSAGES.get(reason, _DECLINED_MESSAGE),
        network_status="declined_by_network",
        outcome_type="issuer_declined",
        seller_message=(
            "The bank did not return any further details with this decline."
            if reason == "generic_decline"
            else f"The bank returned the decline code `{reason}`."
        ),
    )


def requires_action() -> Outcome:
    """The payment waits for 3D Secure; nothing was sent to the card network yet."""
    return Outcome(OutcomeStatus.REQUIRES_ACTION)


def refund_failed(reference: str | None, failure_reason: str) -> Outcome:
    """The money could not be returned to the card; Stripe's refund `failure_reason`."""
    return Outcome(OutcomeStatus.FAILED, reference, failure_reason=failure_reason)


@dataclass(frozen=True, slots=True)
class CardRequest:
    """One payment attempt on a stored card.

    `off_session`: the customer is not present (a renewal, a retry); `setup_for_off_session`:
    the payment method was set up for such payments (a SetupIntent, or a payment with
    `setup_future_usage=off_session`); `authenticated`: 3D Secure was completed for this
    attempt; `capture`: charge now (True) or only authorize (False).
    """

    card_key: str
    amount: int
    currency: str
    idempotency_key: str
    off_session: bool = False
    setup_for_off_session: bool = False
    authenticated: bool = False
    capture: bool = True


@dataclass(frozen=True, slots=True)
class SetupRequest:
    """Setting a card up for future off-session payments (Stripe's SetupIntent)."""

    card_key: str
    idempotency_key: str
    authenticated: bool = False


class Processor(Protocol):
    """A card processor. Declines and authentication are outcomes, not exceptions; a
    ValueError means the caller broke the contract (unknown reference, amount too large)."""

    def attach_check(self, card_key: str) -> Outcome:
        """The check run when a card is attached to a customer: SUCCEEDED or FAILED."""
        ...

    def setup(self, request: SetupRequest) -> Outcome:
        """Set a card up for off-session use; REQUIRES_ACTION if the issuer wants 3D Secure."""
        ...

    def authorize(self, request: CardRequest) -> Outcome:
        """Authorize `amount`, and capture it too when `request.capture`."""
        ...

    def capture(self, reference: str, amount: int, idempotency_key: str) -> Outcome:
        """Capture up to the authorized amount of an uncaptured authorization."""
        ...

    def cancel(self, reference: str, idempotency_key: str) -> Outcome:
        """Release an uncaptured authorization."""
        ...

    def refund(self, reference: str, amount: int, idempotency_key: str) -> Outcome:
        """Give back up to the captured, not yet refunded amount of the charge `reference`.

        The outcome's reference is the refund's own. SUCCEEDED or PENDING (the final answer
        comes later, through `refund_status`), or FAILED with a `failure_reason`.
        """
        ...

    def refund_status(self, reference: str) -> Outcome:
        """Where the refund `reference` stands now: PENDING while the processor still works
        on it, SUCCEEDED, or FAILED with a `failure_reason` (also after having succeeded)."""
        ...

    def cancel_refund(self, reference: str, idempotency_key: str) -> Outcome:
        """Withdraw a pending refund: SUCCEEDED if nothing will reach the card, FAILED if it
        is too late for that."""
        ...
