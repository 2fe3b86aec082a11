"""Dispute statuses, and the table that moves a dispute between them.

A dispute opens as a chargeback (`needs_response`: the issuer has already taken the money
back) or as an inquiry (`warning_needs_response`: the issuer asks questions first, no money
moves). `opening` says which, with the events Stripe sends. After that, every change goes
through `dispute_transition`:

- `SUBMIT`: the account submits its evidence; the issuer now reviews it;
- `WIN` / `LOSE`: the issuer's decision on the evidence;
- `ACCEPT`: the account gives up (`POST /v1/disputes/{id}/close`), and the dispute is lost.

A closed dispute (`won`, `lost`, `warning_closed`) never changes again. Staging evidence or
changing metadata is no move: the dispute keeps its status and reports `updated`.

Which events tell of money: a chargeback withdraws the disputed amount when it opens and
gives it back when won. An inquiry moves nothing until it is lost or accepted, when the
issuer turns it into a chargeback that takes the money at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from seikyu.core.errors import SeikyuError

CREATED_EVENT = "charge.dispute.created"
UPDATED_EVENT = "charge.dispute.updated"
CLOSED_EVENT = "charge.dispute.closed"
FUNDS_WITHDRAWN_EVENT = "charge.dispute.funds_withdrawn"
FUNDS_REINSTATED_EVENT = "charge.dispute.funds_reinstated"


class DisputeStatus(StrEnum):
    WARNING_NEEDS_RESPONSE = "warning_needs_response"
    WARNING_UNDER_REVIEW = "warning_under_review"
    WARNING_CLOSED = "warning_closed"
    NEEDS_RESPONSE = "needs_response"
    UNDER_REVIEW = "under_review"
    WON = "won"
    LOST = "lost"


class DisputeAction(StrEnum):
    SUBMIT = "submit"
    WIN = "win"
    LOSE = "lose"
    ACCEPT = "accept"


@dataclass(frozen=True, slots=True)
class DisputeMove:
    """Where a move leaves a dispute, and the event types to emit, in order."""

    status: DisputeStatus
    events: tuple[str, ...]


_S = DisputeStatus
_A = DisputeAction
_CLOSED_LOST = DisputeMove(_S.LOST, (CLOSED_EVENT,))
# Lost or accepted, an inquiry becomes the chargeback it warned of: the money goes now.
_INQUIRY_LOST = DisputeMove(_S.LOST, (CLOSED_EVENT, FUNDS_WITHDRAWN_EVENT))

DISPUTE_TRANSITIONS: Mapping[tuple[DisputeStatus, DisputeAction], DisputeMove] = MappingProxyType(
    {
        (_S.NEEDS_RESPONSE, _A.SUBMIT): DisputeMove(_S.UNDER_REVIEW, (UPDATED_EVENT,)),
        (_S.NEEDS_RESPONSE, _A.ACCEPT): _CLOSED_LOST,
        (_S.UNDER_REVIEW, _A.WIN): DisputeMove(_S.WON, (CLOSED_EVENT, FUNDS_REINSTATED_EVENT)),
        (_S.UNDER_REVIEW, _A.LOSE): _CLOSED_LOST,
        (_S.WARNING_NEEDS_RESPONSE, _A.SUBMIT): DisputeMove(
            _S.WARNING_UNDER_REVIEW, (UPDATED_EVENT,)
        ),
        (_S.WARNING_NEEDS_RESPONSE, _A.ACCEPT): _INQUIRY_LOST,
        (_S.WARNING_UNDER_REVIEW, _A.WIN): DisputeMove(_S.WARNING_CLOSED, (CLOSED_EVENT,)),
        (_S.WARNING_UNDER_REVIEW, _A.LOSE): _INQUIRY_LOST,
    }
)

_CLOSED = frozenset({_S.WON, _S.LOST, _S.WARNING_CLOSED})
# The money is with the cardholder: a chargeback not yet reversed.
_FUNDS_WITHDRAWN = frozenset({_S.NEEDS_RESPONSE, _S.UNDER_REVIEW, _S.LOST})
_NEEDS_RESPONSE = frozenset({_S.NEEDS_RESPONSE, _S.WARNING_NEEDS_RESPONSE})


def opening(*, inquiry: bool) -> DisputeMove:
    """How a new dispute starts: an inquiry, or a chargeback that takes the money."""
    if inquiry:
        return DisputeMove(_S.WARNING_NEEDS_RESPONSE, (CREATED_EVENT,))
    return DisputeMove(_S.NEEDS_RESPONSE, (CREATED_EVENT, FUNDS_WITHDRAWN_EVENT))


def dispute_transition(status: DisputeStatus | str, action: DisputeAction) -> DisputeMove:
    """The status `action` leads a dispute to from `status`, with the events it emits.

    Raises `SeikyuError` (`invalid_request_error`) when the move is not allowed; `ValueError`
    for a status that is not a dispute's.
    """
    current = DisputeStatus(status)
    move = DISPUTE_TRANSITIONS.get((current, action))
    if move is None:
        raise refusal(current)
    return move


def refusal(status: DisputeStatus | str) -> SeikyuError:
    """Why a dispute in `status` takes no further evidence or acceptance."""
    current = DisputeStatus(status)
    if current in _CLOSED:
        return SeikyuError("This dispute is already closed.")
    # Stripe takes one submission per dispute: after it, the issuer decides.
    return SeikyuError(
        f"This dispute has a status of {current.value}: its evidence has been submitted "
        "and can no longer be changed."
    )


def is_closed(status: DisputeStatus | str) -> bool:
    return DisputeStatus(status) in _CLOSED


def takes_evidence(status: DisputeStatus | str) -> bool:
    """Whether evidence may still be staged or submitted."""
    return DisputeStatus(status) in _NEEDS_RESPONSE


def charge_refundable(status: DisputeStatus | str) -> bool:
    """Whether the disputed charge may still be refunded: not while the issuer holds the
    money (a refund would pay the cardholder twice)."""
    return DisputeStatus(status) not in _FUNDS_WITHDRAWN
