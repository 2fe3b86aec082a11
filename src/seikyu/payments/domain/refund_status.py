"""Refund statuses, and the table that moves a refund between them.

A refund starts in the status the processor's first answer gives it (`initial_status`) and
emits `REFUND_CREATED_EVENT`: creation is not a move. Every later change goes through
`refund_transition`, which looks the move up in `REFUND_TRANSITIONS` and returns the new
status with the events it emits, so a service never sets `refund.status` by hand:

- the processor's later answers, applied by settlement: `SUCCEED` (a pending refund reached
  the card) and `FAIL` (it did not, even after having succeeded: Stripe's asynchronous
  failure);
- `CANCEL`, a request to withdraw a refund that has not reached the card yet.

Metadata can change in every status and needs no move.

What a refund holds: while pending, requiring action or succeeded, its amount counts in the
charge's `amount_refunded` (`holds_amount`), so two refunds can never promise the same money.
A move out of those statuses gives the amount back to what the charge can still refund.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from seikyu.core.errors import SeikyuError, invalid
from seikyu.payments.domain.processor import OutcomeStatus


class RefundStatus(StrEnum):
    PENDING = "pending"
    REQUIRES_ACTION = "requires_action"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELED = "canceled"


class RefundAction(StrEnum):
    # The processor's later answers, applied by settlement.
    SUCCEED = "succeed"
    FAIL = "fail"
    # A request to withdraw the refund.
    CANCEL = "cancel"


@dataclass(frozen=True, slots=True)
class RefundTransition:
    """Where an action leaves a refund, and the event types to emit, in order."""

    status: RefundStatus
    events: tuple[str, ...]


REFUND_CREATED_EVENT = "refund.created"

_R = RefundStatus
_A = RefundAction
# Stripe reports a refund's change twice: as a refund event and, for card refunds, as the
# older charge.refund.updated, whose object is the refund too.
_SUCCEEDED = RefundTransition(_R.SUCCEEDED, ("refund.updated", "charge.refund.updated"))
_FAILED = RefundTransition(_R.FAILED, ("refund.updated", "refund.failed", "charge.refund.updated"))
_CANCELED = RefundTransition(_R.CANCELED, ("refund.updated", "charge.refund.updated"))

REFUND_TRANSITIONS: Mapping[tuple[RefundStatus, RefundAction], RefundTransition] = MappingProxyType(
    {
        (_R.PENDING, _A.SUCCEED): _SUCCEEDED,
        (_R.PENDING, _A.FAIL): _FAILED,
        (_R.PENDING, _A.CANCEL): _CANCELED,
        (_R.REQUIRES_ACTION, _A.SUCCEED): _SUCCEEDED,
        (_R.REQUIRES_ACTION, _A.FAIL): _FAILED,
        (_R.REQUIRES_ACTION, _A.CANCEL): _CANCELED,
        # A card refund can be returned by the issuer after it succeeded (a closed
        # account); once it has reached the card it can no longer be withdrawn.
        (_R.SUCCEEDED, _A.FAIL): _FAILED,
    }
)

_HOLDING = frozenset({_R.PENDING, _R.REQUIRES_ACTION, _R.SUCCEEDED})
_INITIAL = MappingProxyType(
    {
        OutcomeStatus.SUCCEEDED: _R.SUCCEEDED,
        OutcomeStatus.PENDING: _R.PENDING,
        OutcomeStatus.REQUIRES_ACTION: _R.REQUIRES_ACTION,
        OutcomeStatus.FAILED: _R.FAILED,
    }
)
_ANSWERS = MappingProxyType({OutcomeStatus.SUCCEEDED: _A.SUCCEED, OutcomeStatus.FAILED: _A.FAIL})
# Refusals list the statuses in the order of a refund's life.
_LISTING_ORDER = ("pending", "requires_action", "succeeded", "failed", "canceled")
_PARTICIPLES = {"succeed": "marked as succeeded", "fail": "marked as failed", "cancel": "canceled"}


def initial_status(answer: OutcomeStatus) -> RefundStatus:
    """The status a new refund takes from the processor's first answer."""
    return _INITIAL[answer]


def holds_amount(status: RefundStatus | str) -> bool:
    """Whether a refund in `status` counts in its charge's `amount_refunded`."""
    return _coerce(status) in _HOLDING


def is_terminal(status: RefundStatus | str) -> bool:
    """True when no action moves a refund out of `status` (failed, canceled)."""
    current = _coerce(status)
    return not any(key[0] is current for key in REFUND_TRANSITIONS)


def settlement_action(status: RefundStatus | str, answer: OutcomeStatus) -> RefundAction | None:
    """The move the processor's latest answer about a refund calls for; None when the answer
    changes nothing: still pending, the outcome the refund already has, or an outcome a
    final status no longer takes (a refund canceled here stays canceled).
    """
    current = _coerce(status)
    action = _ANSWERS.get(answer)
    if action is None or (current, action) not in REFUND_TRANSITIONS:
        return None
    return action


def refund_transition(status: RefundStatus | str, action: RefundAction) -> RefundTransition:
    """The status `action` leads a refund to from `status`, with the events it emits.

    Raises `SeikyuError` (`invalid_request_error`, no code, no param) when the move
    is not allowed; `ValueError` for a status that is not a refund's.
    """
    current = _coerce(status)
    move = REFUND_TRANSITIONS.get((current, action))
    if move is None:
        raise _refusal(current, action)
    return move


def _coerce(status: RefundStatus | str) -> RefundStatus:
    try:
        return RefundStatus(status)
    except ValueError:
        raise ValueError(f"{status!r} is not a RefundStatus") from None


def _refusal(status: RefundStatus, action: RefundAction) -> SeikyuError:
    allowed = sorted(
        {s.value for s, each in REFUND_TRANSITIONS if each is action}, key=_LISTING_ORDER.index
    )
    listed = (
        " or ".join(allowed)
        if len(allowed) <= 2
        else ", ".join(allowed[:-1]) + f", or {allowed[-1]}"
    )
    refused = (
        "You cannot cancel this refund"
        if action is _A.CANCEL
        else f"This refund could not be {_PARTICIPLES[action.value]}"
    )
    return invalid(
        f"{refused} because it has a status of {status}. Only a refund with a status of "
        f"{listed} can be {_PARTICIPLES[action.value]}."
    )
