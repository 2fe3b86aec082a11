"""Billing meter statuses and the table that moves a meter between them.

An active meter accepts events for its event name; an inactive one accepts none and
cannot be attached to a new price. Unlike webhook endpoints, asking for the status a
meter already has is refused, as Stripe refuses it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from seikyu.core.errors import SeikyuError


class MeterStatus(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"


class MeterAction(StrEnum):
    DEACTIVATE = "deactivate"
    REACTIVATE = "reactivate"


@dataclass(frozen=True, slots=True)
class Move:
    status: MeterStatus
    event: str


TRANSITIONS: dict[tuple[MeterStatus, MeterAction], Move] = {
    (MeterStatus.ACTIVE, MeterAction.DEACTIVATE): Move(
        MeterStatus.INACTIVE, "billing.meter.deactivated"
    ),
    (MeterStatus.INACTIVE, MeterAction.REACTIVATE): Move(
        MeterStatus.ACTIVE, "billing.meter.reactivated"
    ),
}


def transition(status: MeterStatus, action: MeterAction) -> Move:
    move = TRANSITIONS.get((status, action))
    if move is None:
        raise SeikyuError(
            f"This meter cannot be {action.value}d because it is already {status.value}.",
            code="billing_meter_status_invalid",
        )
    return move
