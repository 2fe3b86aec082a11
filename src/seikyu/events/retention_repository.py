"""SQL for retention: the oldest events, webhook deliveries and attempts, deleted in batches."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Delete, delete, exists, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from seikyu.core.ids import LENGTH, first_id_at
from seikyu.db.models import Event
from seikyu.db.models.webhook_attempts import WebhookAttempt
from seikyu.db.models.webhook_deliveries import WebhookDelivery
from seikyu.events.delivery_status import DeliveryStatus


def prune_attempts(session: Session, older_than: datetime, limit: int) -> int:
    """Delete up to `limit` attempts made before `older_than` whose delivery is over."""
    pending = exists().where(
        WebhookDelivery.id == WebhookAttempt.delivery_id,
        WebhookDelivery.status == DeliveryStatus.PENDING.value,
    )
    ids = _oldest(session, WebhookAttempt.id, older_than, limit, ~pending)
    return _delete(session, delete(WebhookAttempt).where(WebhookAttempt.id.in_(ids)), ids)


def prune_deliveries(session: Session, older_than: datetime, limit: int) -> int:
    """Delete up to `limit` finished deliveries created before `older_than`."""
    finished = WebhookDelivery.status != DeliveryStatus.PENDING.value
    ids = _oldest(session, WebhookDelivery.id, older_than, limit, finished)
    return _delete(session, delete(WebhookDelivery).where(WebhookDelivery.id.in_(ids)), ids)


def prune_events(session: Session, older_than: datetime, limit: int) -> int:
    """Delete up to `limit` events written before `older_than`, none still being delivered."""
    pending = exists().where(
        WebhookDelivery.event_id == Event.id,
        WebhookDelivery.status == DeliveryStatus.PENDING.value,
    )
    ids = _oldest(session, Event.id, older_than, limit, ~pending)
    return _delete(session, delete(Event).where(Event.id.in_(ids)), ids)


def _oldest(
    session: Session,
    id_column: InstrumentedAttribute[str],
    older_than: datetime,
    limit: int,
    keep: object,
) -> list[str]:
    """Ids of up to `limit` rows made before `older_than` that pass `keep`, oldest first."""
    oldest = session.scalar(select(id_column).order_by(id_column).limit(1))
    if oldest is None:
        return []
    # Every id in a table has the same prefix and a fixed-length time-ordered tail.
    cutoff = first_id_at(oldest[: -LENGTH - 1], older_than)
    stmt = (
        select(id_column)
        .where(id_column < cutoff, keep)  # type: ignore[arg-type]
        .order_by(id_column)
        .limit(limit)
    )
    return list(session.scalars(stmt))


def _delete(session: Session, stmt: Delete, ids: list[str]) -> int:
    if not ids:
        return 0
    session.execute(stmt.execution_options(synchronize_session=False))
    return len(ids)
