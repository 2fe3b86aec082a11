"""SQL for webhook endpoints, and for the deliveries written with events."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, insert, select, update
from sqlalchemy.orm import Session

from seikyu.db.models.webhook_deliveries import WebhookDelivery
from seikyu.db.models.webhook_endpoints import WebhookEndpoint
from seikyu.db.pagination import Page, Window, paginate


def add(session: Session, endpoint: WebhookEndpoint) -> None:
    session.add(endpoint)


def _scoped(account_id: str, livemode: bool) -> Select[WebhookEndpoint]:
    return select(WebhookEndpoint).where(
        WebhookEndpoint.account_id == account_id,
        WebhookEndpoint.livemode == livemode,
        WebhookEndpoint.deleted_at.is_(None),
    )


def get(
    session: Session,
    account_id: str,
    livemode: bool,
    endpoint_id: str,
    *,
    for_update: bool = False,
) -> WebhookEndpoint | None:
    stmt = _scoped(account_id, livemode).where(WebhookEndpoint.id == endpoint_id)
    if for_update:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return session.scalar(stmt)


def page(
    session: Session, account_id: str, livemode: bool, window: Window
) -> Page[WebhookEndpoint]:
    return paginate(
        session,
        _scoped(account_id, livemode),
        WebhookEndpoint.id,
        WebhookEndpoint.created,
        window,
    )


def count_live(session: Session, account_id: str, livemode: bool) -> int:
    stmt = select(func.count()).where(
        WebhookEndpoint.account_id == account_id,
        WebhookEndpoint.livemode == livemode,
        WebhookEndpoint.deleted_at.is_(None),
    )
    return int(session.scalar(stmt) or 0)


def enabled_subscriptions(
    session: Session, account_id: str, livemode: bool
) -> list[tuple[str, list[str]]]:
    """(id, enabled_events) of every endpoint owed events: live and enabled. Only the two
    columns, since this runs for every unit of work that records an event."""
    stmt = (
        select(WebhookEndpoint.id, WebhookEndpoint.enabled_events)
        .where(
            WebhookEndpoint.account_id == account_id,
            WebhookEndpoint.livemode == livemode,
            WebhookEndpoint.deleted_at.is_(None),
            WebhookEndpoint.status == "enabled",
        )
        .order_by(WebhookEndpoint.id)
    )
    return [(row.id, list(row.enabled_events)) for row in session.execute(stmt)]


def add_deliveries(session: Session, rows: list[dict[str, Any]]) -> None:
    """One INSERT for all of them (executemany), without building ORM objects."""
    if rows:
        session.execute(insert(WebhookDelivery), rows)


def cancel_pending_deliveries(session: Session, endpoint_id: str) -> None:
    session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == endpoint_id, WebhookDelivery.status == "pending")
        .values(status="canceled", next_attempt_at=None)
        .execution_options(synchronize_session=False)
    )
