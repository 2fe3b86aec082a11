"""SQL for webhook deliveries and their attempts: claiming what is due, recording outcomes,
and listing attempts."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, bindparam, or_, select, update
from sqlalchemy.orm import Session

from seikyu.db.models import Event
from seikyu.db.models.webhook_attempts import WebhookAttempt
from seikyu.db.models.webhook_deliveries import WebhookDelivery
from seikyu.db.models.webhook_endpoints import WebhookEndpoint
from seikyu.db.pagination import Page, Window, paginate


@dataclass(frozen=True, slots=True)
class Candidate:
    id: str
    endpoint_id: str


def _due(now: datetime) -> list[ColumnElement[bool]]:
    return [
        WebhookDelivery.status == "pending",
        WebhookDelivery.next_attempt_at <= now,
        or_(WebhookDelivery.claimed_until.is_(None), WebhookDelivery.claimed_until <= now),
    ]


def lock_due(
    session: Session,
    now: datetime,
    limit: int,
    *,
    skip_endpoints: Collection[str] = (),
    account_id: str | None = None,
) -> list[Candidate]:
    """Up to `limit` deliveries due at `now` and claimed by nobody, soonest first, locked
    until the transaction ends. On PostgreSQL rows another worker holds are skipped
    (SKIP LOCKED); on SQLite the transaction already holds the only write lock, and the
    conditions are checked again by `mark_claimed`'s UPDATE."""
    stmt = (
        select(WebhookDelivery.id, WebhookDelivery.endpoint_id)
        .where(*_due(now))
        .order_by(WebhookDelivery.next_attempt_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    if skip_endpoints:
        stmt = stmt.where(WebhookDelivery.endpoint_id.not_in(list(skip_endpoints)))
    if account_id is not None:
        stmt = stmt.where(WebhookDelivery.account_id == account_id)
    return [Candidate(row.id, row.endpoint_id) for row in session.execute(stmt)]


def mark_claimed(
    session: Session, ids: list[str], now: datetime, until: datetime
) -> list[WebhookDelivery]:
    """Claim the deliveries still due among `ids` until `until`; returns those claimed."""
    if not ids:
        return []
    session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id.in_(ids), *_due(now))
        .values(claimed_until=until)
        .execution_options(synchronize_session=False)
    )
    stmt = (
        select(WebhookDelivery)
        .where(WebhookDelivery.id.in_(ids), WebhookDelivery.claimed_until == until)
        .execution_options(populate_existing=True)
    )
    return list(session.scalars(stmt))


def endpoints_by_id(session: Session, ids: Collection[str]) -> dict[str, WebhookEndpoint]:
    """Endpoints whatever their state, deleted ones included: a delivery outlives them."""
    if not ids:
        return {}
    stmt = select(WebhookEndpoint).where(WebhookEndpoint.id.in_(list(ids)))
    return {endpoint.id: endpoint for endpoint in session.scalars(stmt)}


def events_by_id(session: Session, ids: Collection[str]) -> dict[str, Event]:
    if not ids:
        return {}
    stmt = select(Event).where(Event.id.in_(list(ids)))
    return {event.id: event for event in session.scalars(stmt)}


def lock_endpoint(session: Session, endpoint_id: str) -> WebhookEndpoint | None:
    stmt = (
        select(WebhookEndpoint)
        .where(WebhookEndpoint.id == endpoint_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return session.scalar(stmt)


def lock_deliveries(session: Session, ids: Collection[str]) -> dict[str, WebhookDelivery]:
    """The deliveries among `ids` that exist, locked in id order."""
    if not ids:
        return {}
    stmt = (
        select(WebhookDelivery)
        .where(WebhookDelivery.id.in_(sorted(ids)))
        .order_by(WebhookDelivery.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return {delivery.id: delivery for delivery in session.scalars(stmt)}


def lock_delivery_of(session: Session, event_id: str, endpoint_id: str) -> WebhookDelivery | None:
    stmt = (
        select(WebhookDelivery)
        .where(WebhookDelivery.event_id == event_id, WebhookDelivery.endpoint_id == endpoint_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return session.scalar(stmt)


def lock_event(session: Session, account_id: str, livemode: bool, event_id: str) -> Event | None:
    stmt = (
        select(Event)
        .where(Event.id == event_id, Event.account_id == account_id, Event.livemode == livemode)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return session.scalar(stmt)


def add_delivery(session: Session, delivery: WebhookDelivery) -> None:
    session.add(delivery)


def add_attempt(session: Session, attempt: WebhookAttempt) -> None:
    session.add(attempt)


def adjust_pending_webhooks(session: Session, changes: Mapping[str, int]) -> None:
    """Add each change to its event's count, in event id order. Each is an increment in
    SQL, so that outcomes recorded at once for one event never lose a count."""
    rows = [
        {"event_id": event_id, "delta": delta}
        for event_id, delta in sorted(changes.items())
        if delta
    ]
    if rows:
        # On the connection: the session would take a list of rows for an ORM bulk update
        # by primary key, which cannot increment.
        session.connection().execute(
            update(Event)
            .where(Event.id == bindparam("event_id"))
            .values(pending_webhooks=Event.pending_webhooks + bindparam("delta")),
            rows,
        )


def nth_latest_attempt_at(session: Session, delivery: WebhookDelivery, n: int) -> datetime | None:
    """When the `n`-th most recent attempt of the delivery was sent (1 is the latest)."""
    stmt = (
        select(WebhookAttempt.created)
        .where(
            WebhookAttempt.event_id == delivery.event_id,
            WebhookAttempt.delivery_id == delivery.id,
        )
        .order_by(WebhookAttempt.created.desc(), WebhookAttempt.id.desc())
        .offset(n - 1)
        .limit(1)
    )
    return session.scalar(stmt)


def _attempts(account_id: str, livemode: bool) -> Select[WebhookAttempt]:
    return select(WebhookAttempt).where(
        WebhookAttempt.account_id == account_id, WebhookAttempt.livemode == livemode
    )


def get_attempt(
    session: Session, account_id: str, livemode: bool, attempt_id: str
) -> WebhookAttempt | None:
    return session.scalar(_attempts(account_id, livemode).where(WebhookAttempt.id == attempt_id))


def attempts_page(
    session: Session,
    account_id: str,
    livemode: bool,
    window: Window,
    *,
    endpoint_id: str | None = None,
    event_id: str | None = None,
    succeeded: bool | None = None,
) -> Page[WebhookAttempt]:
    stmt = _attempts(account_id, livemode)
    if endpoint_id is not None:
        stmt = stmt.where(WebhookAttempt.endpoint_id == endpoint_id)
    if event_id is not None:
        stmt = stmt.where(WebhookAttempt.event_id == event_id)
    if succeeded is not None:
        stmt = stmt.where(WebhookAttempt.succeeded.is_(succeeded))
    return paginate(session, stmt, WebhookAttempt.id, WebhookAttempt.created, window)


def endpoint_exists(session: Session, account_id: str, livemode: bool, endpoint_id: str) -> bool:
    """Deleted endpoints included: their attempts stay listed."""
    stmt = select(WebhookEndpoint.id).where(
        WebhookEndpoint.id == endpoint_id,
        WebhookEndpoint.account_id == account_id,
        WebhookEndpoint.livemode == livemode,
    )
    return session.scalar(stmt) is not None


def any_due(session: Session, now: datetime, account_id: str | None = None) -> bool:
    """Whether a claim would find anything: a read that takes no lock, so that an idle
    worker polling does not queue behind writers (SQLite's single write lock)."""
    stmt = select(WebhookDelivery.id).where(*_due(now)).limit(1)
    if account_id is not None:
        stmt = stmt.where(WebhookDelivery.account_id == account_id)
    return session.scalar(stmt) is not None
