"""Webhook endpoint statuses and the table that moves an endpoint between them.

An enabled endpoint is owed every event it subscribes to; a disabled one is owed none. The
account disables and re-enables an endpoint with `disabled`; Seikyu disables one on its
own after its deliveries have failed for too long, and says so with an event, because
the account did not ask for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from seikyu.core.errors import SeikyuError


class EndpointStatus(StrEnum):
    ENABLED = "enabled"
    DISABLED = "disabled"


class EndpointAction(StrEnum):
    ENABLE = "enable"
    DISABLE = "disable"
    DISABLE_FOR_FAILURES = "disable_for_failures"


@dataclass(frozen=True, slots=True)
class Move:
    status: EndpointStatus
    event: str | None


DISABLED_EVENT = "webhook_endpoint.disabled"

TRANSITIONS: dict[tuple[EndpointStatus, EndpointAction], Move] = {
    (EndpointStatus.ENABLED, EndpointAction.DISABLE): Move(EndpointStatus.DISABLED, None),
    (EndpointStatus.ENABLED, EndpointAction.DISABLE_FOR_FAILURES): Move(
        EndpointStatus.DISABLED, DISABLED_EVENT
    ),
    (EndpointStatus.DISABLED, EndpointAction.ENABLE): Move(EndpointStatus.ENABLED, None),
    # Asking for the status an endpoint already has is a harmless repeat, as on Stripe.
    (EndpointStatus.ENABLED, EndpointAction.ENABLE): Move(EndpointStatus.ENABLED, None),
    (EndpointStatus.DISABLED, EndpointAction.DISABLE): Move(EndpointStatus.DISABLED, None),
}


def transition(status: EndpointStatus, action: EndpointAction) -> Move:
    move = TRANSITIONS.get((status, action))
    if move is None:
        raise SeikyuError(
            f"The webhook endpoint cannot {action.value.replace('_', ' ')} while its status "
            f"is {status.value}.",
            code="webhook_endpoint_status_invalid",
        )
    return move
