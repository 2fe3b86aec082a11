"""Webhook delivery statuses and the table that moves a delivery between them.

A delivery is one event owed to one endpoint. It is pending until an attempt succeeds, the
retries run out (failed), or its endpoint goes away or is disabled (canceled). A resend
makes any of them pending again. Each move also says how the event's `pending_webhooks`
changes, so that it always counts the event's deliveries that have not succeeded, as on
Stripe (a delivery that gave up still counts: the event was never received).

No event is recorded for these moves: deliveries are not API objects, and an event about a
delivery would itself be owed as a delivery.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from seikyu.core.errors import SeikyuError

# Deliveries are rows of their own, with ids of their own.
DELIVERY_PREFIX = "whdel"


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELED = "canceled"


class DeliveryAction(StrEnum):
    SUCCEED = "succeed"
    RETRY = "retry"
    GIVE_UP = "give_up"
    CANCEL = "cancel"
    RESEND = "resend"


@dataclass(frozen=True, slots=True)
class Move:
    status: DeliveryStatus
    pending_webhooks: int  # added to the event's count


_PENDING = DeliveryStatus.PENDING

TRANSITIONS: dict[tuple[DeliveryStatus, DeliveryAction], Move] = {
    (_PENDING, DeliveryAction.SUCCEED): Move(DeliveryStatus.SUCCEEDED, -1),
    (_PENDING, DeliveryAction.RETRY): Move(_PENDING, 0),
    (_PENDING, DeliveryAction.GIVE_UP): Move(DeliveryStatus.FAILED, 0),
    (_PENDING, DeliveryAction.CANCEL): Move(DeliveryStatus.CANCELED, 0),
    (_PENDING, DeliveryAction.RESEND): Move(_PENDING, 0),
    (DeliveryStatus.SUCCEEDED, DeliveryAction.RESEND): Move(_PENDING, 1),
    (DeliveryStatus.FAILED, DeliveryAction.RESEND): Move(_PENDING, 0),
    (DeliveryStatus.CANCELED, DeliveryAction.RESEND): Move(_PENDING, 0),
}


def transition(status: DeliveryStatus, action: DeliveryAction) -> Move:
    move = TRANSITIONS.get((status, action))
    if move is None:
        raise SeikyuError(
            f"A webhook delivery cannot {action.value.replace('_', ' ')} while its status "
            f"is {status.value}.",
            code="webhook_delivery_status_invalid",
        )
    return move
