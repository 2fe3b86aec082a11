"""/v1/subscription_items: one item added, changed or deleted is a subscription update of
that one item, with the same prorations, invoices and payment rules. Errors name the item
endpoint's own parameters (`price`, not `items[0][price]`)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from seikyu.billing import subscription_pending_updates as pending_updates
from seikyu.billing import subscription_repository as repository
from seikyu.billing import subscription_update, subscriptions
from seikyu.billing.subscription_changes import ItemChange, SubscriptionChanges
from seikyu.core.errors import SeikyuError, no_such
from seikyu.db.models.subscription_items import SubscriptionItem
from seikyu.db.models.subscriptions import Subscription
from seikyu.db.pagination import Page, Window
from seikyu.db.uow import UnitOfWork
from seikyu.payments.domain.processor import Processor
from seikyu.payments.payment_intents import Redirect

_PREFIX = "items[0]"


def get(uow: UnitOfWork, item_id: str) -> SubscriptionItem:
    found = repository.item(uow.session, uow.account_id, uow.livemode, item_id)
    if found is None:
        raise no_such("subscription_item", item_id, param="id")
    return found


def page(uow: UnitOfWork, subscription_id: str, window: Window) -> Page[SubscriptionItem]:
    subscriptions.get(uow, subscription_id, param="subscription")
    return repository.item_page(uow.session, subscription_id, window)


def create(
    uow: UnitOfWork,
    processor: Processor,
    subscription_id: str,
    change: ItemChange,
    *,
    proration_behavior: str,
    proration_date: datetime | None,
    payment_behavior: str,
    redirect: Redirect,
) -> SubscriptionItem:
    subscriptions.get(uow, subscription_id, param="subscription")
    before = {item.id for item in repository.items(uow.session, subscription_id)}
    subscription = _update(
        uow, processor, subscription_id, change,
        proration_behavior=proration_behavior, proration_date=proration_date,
        payment_behavior=payment_behavior, redirect=redirect,
    )  # fmt: skip
    return next(item for item in _resulting(subscription) if item.id not in before)


def update(
    uow: UnitOfWork,
    processor: Processor,
    item_id: str,
    change: ItemChange,
    *,
    proration_behavior: str,
    proration_date: datetime | None,
    payment_behavior: str,
    redirect: Redirect,
) -> SubscriptionItem:
    item = get(uow, item_id)
    subscription = _update(
        uow, processor, item.subscription_id, change,
        proration_behavior=proration_behavior, proration_date=proration_date,
        payment_behavior=payment_behavior, redirect=redirect,
    )  # fmt: skip
    return next(i for i in _resulting(subscription) if i.id == item_id)


def _resulting(subscription: Subscription) -> list[SubscriptionItem]:
    """The items as the request left them: those of its pending update when the update is
    held there (payment_behavior=pending_if_incomplete, invoice unpaid)."""
    pending = pending_updates.shown(subscription)
    return subscription.items if pending is None else pending.items


def delete(
    uow: UnitOfWork,
    processor: Processor,
    item_id: str,
    *,
    proration_behavior: str,
    proration_date: datetime | None,
    clear_usage: bool,
    redirect: Redirect,
) -> SubscriptionItem:
    item = get(uow, item_id)
    _update(
        uow, processor, item.subscription_id,
        ItemChange(id=item_id, deleted=True, clear_usage=clear_usage),
        proration_behavior=proration_behavior, proration_date=proration_date,
        payment_behavior="allow_incomplete", redirect=redirect,
    )  # fmt: skip
    return item


def _update(
    uow: UnitOfWork,
    processor: Processor,
    subscription_id: str,
    change: ItemChange,
    *,
    proration_behavior: str,
    proration_date: datetime | None,
    payment_behavior: str,
    redirect: Redirect,
) -> Subscription:
    changes = SubscriptionChanges(
        items=[change],
        proration_behavior=proration_behavior,
        proration_date=proration_date,
        payment_behavior=payment_behavior,
    )
    with _own_params():
        return subscription_update.update(
            uow, processor, subscription_id, changes, fields=["items"], redirect=redirect
        )


@contextmanager
def _own_params() -> Iterator[None]:
    try:
        yield
    except SeikyuError as error:
        error.param = _unprefixed(error.param)
        raise


def _unprefixed(param: str | None) -> str | None:
    if param is None:
        return None
    if param.startswith(_PREFIX + "["):
        inner = param[len(_PREFIX) + 1 :]
        name, _, rest = inner.partition("]")
        return name + rest
    if param == "items":
        return None
    return param
