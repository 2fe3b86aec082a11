"""Whether the merchant's endpoints have acknowledged an event about an object.

Stripe holds a subscription's new invoice in draft until every webhook endpoint has
acknowledged its `invoice.created` (so the merchant can still edit it), then finalizes it an
hour later; endpoints that never answer are waited for at most 72 hours. Billing asks here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from seikyu.db.uow import UnitOfWork
from seikyu.events import endpoints, event_types, repository
from seikyu.events.delivery_status import DeliveryStatus


@dataclass(frozen=True, slots=True)
class Acknowledgement:
    waiting: bool  # a delivery is still being tried
    at: datetime | None  # when the last endpoint acknowledged, if any did


def awaited(uow: UnitOfWork, event_type: str) -> bool:
    """Whether an enabled endpoint of the unit's account takes events of `event_type`."""
    return any(
        event_types.matches(enabled, event_type) for _, enabled in endpoints.subscriptions(uow)
    )


def of(uow: UnitOfWork, object_id: str, event_type: str) -> Acknowledgement | None:
    """How the deliveries of the `event_type` events about `object_id` stand; None when no
    enabled endpoint takes that type now (a disabled or deleted one is not waited for)."""
    if not awaited(uow, event_type):
        return None
    rows = repository.deliveries_about(
        uow.session, uow.account_id, uow.livemode, object_id, event_type
    )
    waiting = any(status == DeliveryStatus.PENDING for status, _ in rows)
    done = [at for status, at in rows if status == DeliveryStatus.SUCCEEDED and at is not None]
    return Acknowledgement(waiting, max(done) if done else None)
