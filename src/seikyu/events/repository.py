"""SQL for events."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from seikyu.db.models import Event
from seikyu.db.models.webhook_deliveries import WebhookDelivery
from seikyu.db.pagination import Page, Window, paginate


def add_all(session: Session, events: list[Event]) -> None:
    session.add_all(events)


def get(session: Session, account_id: str, livemode: bool, event_id: str) -> Event | None:
    return session.scalar(
        select(Event).where(
            Event.id == event_id, Event.account_id == account_id, Event.livemode == livemode
        )
    )


def page(
    session: Session,
    account_id: str,
    livemode: bool,
    window: Window,
    *,
    types: list[str] | None = None,
    object_id: str | None = None,
    delivery_success: bool | None = None,
) -> Page[Event]:
    stmt = select(Event).where(Event.account_id == account_id, Event.livemode == livemode)
    if types:
        stmt = stmt.where(or_(*(_type_matches(pattern) for pattern in types)))
    if object_id is not None:
        stmt = stmt.where(Event.object_id == object_id)
    if delivery_success is not None:
        # An event whose webhooks all succeeded has none pending; one still pending, or
        # whose deliveries gave up, keeps a count.
        pending = Event.pending_webhooks > 0
        stmt = stmt.where(~pending if delivery_success else pending)
    return paginate(session, stmt, Event.id, Event.created, window)


def caused_by(
    session: Session, account_id: str, livemode: bool, request_id: str, limit: int
) -> list[Event]:
    """The events a request caused, in the order they were recorded."""
    stmt = (
        select(Event)
        .where(
            Event.request_id == request_id,
            Event.account_id == account_id,
            Event.livemode == livemode,
        )
        .order_by(Event.id)
        .limit(limit)
    )
    return list(session.scalars(stmt))


def deliveries_about(
    session: Session, account_id: str, livemode: bool, object_id: str, event_type: str
) -> list[tuple[str, datetime | None]]:
    """(status, last attempt) of every delivery of the `event_type` events about the
    object."""
    stmt = (
        select(WebhookDelivery.status, WebhookDelivery.last_attempt_at)
        .join(Event, Event.id == WebhookDelivery.event_id)
        .where(
            Event.object_id == object_id,
            Event.type == event_type,
            Event.account_id == account_id,
            Event.livemode == livemode,
        )
    )
    return [(row.status, row.last_attempt_at) for row in session.execute(stmt)]


def _type_matches(pattern: str) -> ColumnElement[bool]:
    """`customer.created` matches itself; `*` matches any run of characters (`customer.*`)."""
    if "*" not in pattern:
        return Event.type == pattern
    escaped = pattern.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return Event.type.like(escaped.replace("*", "%"), escape="\\")
