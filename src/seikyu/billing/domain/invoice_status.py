"""Invoice statuses and the one table that moves an invoice between them.

Every status change of an invoice goes through `transition`, which looks the move up in
`TRANSITIONS` (Stripe's invoice workflow: draft -> open -> paid / uncollectible / void) and
returns the new status with the events the change emits. A move that is not in the table is
refused with Stripe's error fields, so a service never sets `invoice.status` by hand.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from seikyu.core.errors import SeikyuError, invalid


class InvoiceStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    PAID = "paid"
    UNCOLLECTIBLE = "uncollectible"
    VOID = "void"
    # Not a Stripe status: a deleted draft is gone from the API; the row keeps this marker.
    DELETED = "deleted"


class InvoiceAction(StrEnum):
    FINALIZE = "finalize"
    PAY_SUCCEEDED = "pay_succeeded"
    PAY_FAILED = "pay_failed"
    SEND = "send"
    VOID = "void"
    MARK_UNCOLLECTIBLE = "mark_uncollectible"
    DELETE = "delete"


@dataclass(frozen=True, slots=True)
class Transition:
    """Where an action leaves an invoice, and the event types to emit, in order."""

    status: InvoiceStatus
    events: tuple[str, ...]


# Stripe's wording and code for a refused move are not documented per action; this code is
# the documented generic one ("the requested status transition is not valid").
STATUS_TRANSITION_INVALID = "status_transition_invalid"

_PAID = ("invoice.paid", "invoice.payment_succeeded")
_PAYMENT_FAILED = ("invoice.payment_failed",)
_VOIDED = ("invoice.voided",)

TRANSITIONS: Mapping[tuple[InvoiceStatus, InvoiceAction], Transition] = MappingProxyType(
    {
        (InvoiceStatus.DRAFT, InvoiceAction.FINALIZE): Transition(
            InvoiceStatus.OPEN, ("invoice.finalized",)
        ),
        (InvoiceStatus.DRAFT, InvoiceAction.DELETE): Transition(
            InvoiceStatus.DELETED, ("invoice.deleted",)
        ),
        (InvoiceStatus.OPEN, InvoiceAction.PAY_SUCCEEDED): Transition(InvoiceStatus.PAID, _PAID),
        # A failed attempt leaves the invoice collectable; retries and dunning follow.
        (InvoiceStatus.OPEN, InvoiceAction.PAY_FAILED): Transition(
            InvoiceStatus.OPEN, _PAYMENT_FAILED
        ),
        (InvoiceStatus.OPEN, InvoiceAction.SEND): Transition(InvoiceStatus.OPEN, ("invoice.sent",)),
        (InvoiceStatus.OPEN, InvoiceAction.VOID): Transition(InvoiceStatus.VOID, _VOIDED),
        (InvoiceStatus.OPEN, InvoiceAction.MARK_UNCOLLECTIBLE): Transition(
            InvoiceStatus.UNCOLLECTIBLE, ("invoice.marked_uncollectible",)
        ),
        # Uncollectible is a write-off, not a dead end: the customer may still pay.
        (InvoiceStatus.UNCOLLECTIBLE, InvoiceAction.PAY_SUCCEEDED): Transition(
            InvoiceStatus.PAID, _PAID
        ),
        (InvoiceStatus.UNCOLLECTIBLE, InvoiceAction.PAY_FAILED): Transition(
            InvoiceStatus.UNCOLLECTIBLE, _PAYMENT_FAILED
        ),
        (InvoiceStatus.UNCOLLECTIBLE, InvoiceAction.VOID): Transition(InvoiceStatus.VOID, _VOIDED),
    }
)

_TERMINAL = frozenset(
    status for status in InvoiceStatus if not any(key[0] is status for key in TRANSITIONS)
)

_VERBS = {
    InvoiceAction.FINALIZE: "finalize",
    InvoiceAction.PAY_SUCCEEDED: "pay",
    InvoiceAction.PAY_FAILED: "pay",
    InvoiceAction.SEND: "send",
    InvoiceAction.VOID: "void",
    InvoiceAction.MARK_UNCOLLECTIBLE: "mark as uncollectible",
    InvoiceAction.DELETE: "delete",
}

_DESCRIBED = {
    InvoiceStatus.DRAFT: "a draft",
    InvoiceStatus.OPEN: "open",
    InvoiceStatus.PAID: "paid",
    InvoiceStatus.UNCOLLECTIBLE: "uncollectible",
    InvoiceStatus.VOID: "void",
    InvoiceStatus.DELETED: "deleted",
}


def is_terminal(status: InvoiceStatus) -> bool:
    """True when no action moves an invoice out of `status` (paid, void, deleted)."""
    return status in _TERMINAL


def transition(
    status: InvoiceStatus, action: InvoiceAction, *, from_subscription: bool = False
) -> Transition:
    """The status `action` leads to from `status`, with the event types it emits.

    `from_subscription` says the invoice was created by a subscription; such a draft cannot
    be deleted. Raises `SeikyuError` (`invalid_request_error`, code
    `status_transition_invalid`, no param) when the move is not allowed; the message names
    the action, the statuses it needs and the invoice's current status.
    """
    move = TRANSITIONS.get((status, action))
    if move is None:
        raise _refused(status, action)
    if action is InvoiceAction.DELETE and from_subscription:
        # Stripe lets only one-off drafts be deleted (reference section 5.1).
        raise invalid(
            "You can't delete an invoice created by a subscription. "
            "Finalize it and void it instead.",
            code=STATUS_TRANSITION_INVALID,
        )
    return move


def _refused(status: InvoiceStatus, action: InvoiceAction) -> SeikyuError:
    allowed = [s for s in InvoiceStatus if (s, action) in TRANSITIONS]
    needed = " or ".join(_DESCRIBED[s] for s in allowed)
    return invalid(
        f"You can only {_VERBS[action]} an invoice that is {needed}. "
        f"This invoice is {_DESCRIBED[status]}.",
        code=STATUS_TRANSITION_INVALID,
    )
