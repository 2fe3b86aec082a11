"""SQL for subscriptions and their items."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from seikyu.db import row_locks, scoped
from seikyu.db.models.subscription_items import SubscriptionItem
from seikyu.db.models.subscriptions import Subscription
from seikyu.db.pagination import Page, Window, paginate


@dataclass(frozen=True, slots=True)
class SubscriptionFilter:
    customer_id: str | None = None
    price_id: str | None = None
    # A status, "all" (canceled ones included) or None (every status but canceled and
    # incomplete_expired, as Stripe lists by default).
    status: str | None = None
    collection_method: str | None = None


_HIDDEN_BY_DEFAULT = ("canceled", "incomplete_expired")


def add(session: Session, row: Subscription | SubscriptionItem) -> None:
    session.add(row)


def _scoped(account_id: str, livemode: bool) -> Select[Subscription]:
    return select(Subscription).where(
        Subscription.account_id == account_id, Subscription.livemode == livemode
    )


def get(
    session: Session,
    account_id: str,
    livemode: bool,
    subscription_id: str,
    *,
    for_update: bool = False,
) -> Subscription | None:
    if for_update:
        return row_locks.lock(
            session,
            lambda: _scoped(account_id, livemode).where(Subscription.id == subscription_id),
            Subscription,
            subscription_id,
        )
    return scoped.by_id(session, Subscription, subscription_id, account_id, livemode)


def collection_state(
    session: Session, account_id: str, livemode: bool, subscription_id: str
) -> tuple[str, dict[str, Any] | None] | None:
    """The status and the collection pause alone, without the items and discounts a whole
    subscription loads with it (unless this transaction holds it locked already)."""
    held = row_locks.held(session, Subscription, subscription_id)
    if held is not None:
        return held.status, held.pause_collection
    row = session.execute(
        select(Subscription.status, Subscription.pause_collection).where(
            Subscription.id == subscription_id,
            Subscription.account_id == account_id,
            Subscription.livemode == livemode,
        )
    ).first()
    return None if row is None else (row.status, row.pause_collection)


def page(
    session: Session, account_id: str, livemode: bool, window: Window, where: SubscriptionFilter
) -> Page[Subscription]:
    stmt = _scoped(account_id, livemode)
    if where.customer_id is not None:
        stmt = stmt.where(Subscription.customer_id == where.customer_id)
    if where.collection_method is not None:
        stmt = stmt.where(Subscription.collection_method == where.collection_method)
    if where.status is None:
        stmt = stmt.where(Subscription.status.not_in(_HIDDEN_BY_DEFAULT))
    elif where.status == "ended":
        stmt = stmt.where(Subscription.status.in_(_HIDDEN_BY_DEFAULT))
    elif where.status != "all":
        stmt = stmt.where(Subscription.status == where.status)
    if where.price_id is not None:
        with_price = select(SubscriptionItem.subscription_id).where(
            SubscriptionItem.price_id == where.price_id,
            SubscriptionItem.deleted_at.is_(None),
        )
        stmt = stmt.where(Subscription.id.in_(with_price))
    return paginate(session, stmt, Subscription.id, Subscription.created, window)


def items(session: Session, subscription_id: str) -> list[SubscriptionItem]:
    stmt = (
        select(SubscriptionItem)
        .where(
            SubscriptionItem.subscription_id == subscription_id,
            SubscriptionItem.deleted_at.is_(None),
        )
        .order_by(SubscriptionItem.id)
    )
    return list(session.scalars(stmt))


def items_of(session: Session, subscription_ids: list[str]) -> dict[str, list[SubscriptionItem]]:
    found: dict[str, list[SubscriptionItem]] = {sid: [] for sid in subscription_ids}
    if not subscription_ids:
        return found
    stmt = (
        select(SubscriptionItem)
        .where(
            SubscriptionItem.subscription_id.in_(subscription_ids),
            SubscriptionItem.deleted_at.is_(None),
        )
        .order_by(SubscriptionItem.subscription_id, SubscriptionItem.id)
    )
    for item in session.scalars(stmt):
        found[item.subscription_id].append(item)
    return found


def item(
    session: Session, account_id: str, livemode: bool, item_id: str, *, for_update: bool = False
) -> SubscriptionItem | None:
    stmt = select(SubscriptionItem).where(
        SubscriptionItem.account_id == account_id,
        SubscriptionItem.livemode == livemode,
        SubscriptionItem.id == item_id,
        SubscriptionItem.deleted_at.is_(None),
    )
    if for_update:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return session.scalar(stmt)


def item_page(session: Session, subscription_id: str, window: Window) -> Page[SubscriptionItem]:
    stmt = select(SubscriptionItem).where(
        SubscriptionItem.subscription_id == subscription_id,
        SubscriptionItem.deleted_at.is_(None),
    )
    return paginate(session, stmt, SubscriptionItem.id, SubscriptionItem.created, window)


def count_live(session: Session, account_id: str, livemode: bool, customer_id: str) -> int:
    """The customer's subscriptions that have not ended (Stripe allows 500)."""
    stmt = select(func.count()).where(
        Subscription.account_id == account_id,
        Subscription.livemode == livemode,
        Subscription.customer_id == customer_id,
        Subscription.status.not_in(_HIDDEN_BY_DEFAULT),
    )
    return int(session.scalar(stmt) or 0)


def live_ids(session: Session, account_id: str, livemode: bool, customer_id: str) -> list[str]:
    """The ids of the customer's subscriptions that have not ended."""
    stmt = select(Subscription.id).where(
        Subscription.account_id == account_id,
        Subscription.livemode == livemode,
        Subscription.customer_id == customer_id,
        Subscription.status.not_in(_HIDDEN_BY_DEFAULT),
    )
    return list(session.scalars(stmt.order_by(Subscription.id)))
