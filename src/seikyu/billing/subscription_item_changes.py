"""Applying `items[]` of a subscription update: add, change, delete.

Returns, for every item whose billed configuration changed, its charge before and after
(None for an item added or deleted), so the caller can prorate exactly those. The charges
before are taken from `before`, computed by the caller ahead of any discount change.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from seikyu.billing import discounts, price_terms
from seikyu.billing import subscription_prorations as prorations
from seikyu.billing import subscription_repository as repository
from seikyu.billing.discounts import Owner
from seikyu.billing.domain.proration import Charge
from seikyu.billing.subscription_changes import ItemChange
from seikyu.core import metadata
from seikyu.core.errors import invalid, no_such
from seikyu.core.periods import Interval, Unit
from seikyu.db.models.prices import Price
from seikyu.db.models.subscription_items import SubscriptionItem
from seikyu.db.models.subscriptions import Subscription
from seikyu.db.uow import UnitOfWork

MAX_ITEMS = 20


@dataclass(frozen=True)
class ItemMove:
    item: SubscriptionItem
    before: Charge | None
    after: Charge | None


def apply(
    uow: UnitOfWork,
    subscription: Subscription,
    changes: Sequence[ItemChange],
    before: Mapping[str, Charge | None],
) -> list[ItemMove]:
    live = {item.id: item for item in subscription.items}
    touched: list[tuple[SubscriptionItem, bool]] = []  # (item, its billing changed)
    seen: set[str] = set()
    for index, change in enumerate(changes):
        where = f"items[{index}]"
        if change.id is not None:
            if change.id in seen:
                raise invalid(
                    f"The subscription item {change.id} appears more than once in items.",
                    param=f"{where}[id]",
                )
            seen.add(change.id)
            item = live.get(change.id)
            if item is None:
                raise no_such("subscription_item", change.id, param=f"{where}[id]")
            if change.deleted:
                item.deleted_at = uow.now
                del live[item.id]
                touched.append((item, True))
                continue
            touched.append((item, _change(uow, subscription, item, change, where)))
        else:
            if change.deleted:
                raise invalid(
                    "You must specify the id of the subscription item to delete.",
                    param=f"{where}[id]",
                )
            item = add(uow, subscription, change, where)
            live[item.id] = item
            touched.append((item, True))
    if not live:
        raise invalid("A subscription must have at least one active item.", param="items")
    if len(live) > MAX_ITEMS:
        raise invalid(f"A subscription can have at most {MAX_ITEMS} items.", param="items")
    _refuse_repeated_prices(list(live.values()))
    uow.session.flush()
    moves = []
    for item, changed in touched:
        if not changed:
            continue
        uow.session.expire(item, ["price"])
        after = (
            None if item.deleted_at is not None else prorations.charge_of(uow, subscription, item)
        )
        moves.append(ItemMove(item, before.get(item.id), after))
    return moves


def add(
    uow: UnitOfWork, subscription: Subscription, change: ItemChange, where: str
) -> SubscriptionItem:
    price = _price(uow, change, where, required=True)
    assert price is not None
    price_terms.pricing(price, subscription.currency, param=f"{where}[price]")
    metered = price.recurring_usage_type == "metered"
    _check_quantity(change, metered, where)
    item = SubscriptionItem(
        id=uow.new_id("si"),
        account_id=uow.account_id,
        livemode=uow.livemode,
        created=uow.now,
        subscription_id=subscription.id,
        price_id=price.id,
        quantity=None if metered else (change.quantity if change.quantity is not None else 1),
        tax_rate_ids=None
        if not change.tax_rates
        else price_terms.check_tax_rates(uow, change.tax_rates, param=f"{where}[tax_rates]"),
        current_period_start=subscription.current_period_start,
        current_period_end=subscription.current_period_end,
        last_billed=None,
        metadata_=metadata.initial(change.metadata),
    )
    repository.add(uow.session, item)
    uow.session.flush()
    if change.discounts:
        discounts.replace(
            uow,
            Owner(customer_id=subscription.customer_id, subscription_item_id=item.id),
            change.discounts,
            param=f"{where}[discounts]",
            currency=subscription.currency,
            item_level=True,
        )
    return item


def _change(
    uow: UnitOfWork,
    subscription: Subscription,
    item: SubscriptionItem,
    change: ItemChange,
    where: str,
) -> bool:
    """Apply one change to an existing item; True when what it bills changed."""
    billed = (item.price_id, item.quantity)
    price = _price(uow, change, where, required=False)
    if price is not None and price.id != item.price_id:
        price_terms.pricing(price, subscription.currency, param=f"{where}[price]")
        item.price_id = price.id
    metered = (price or item.price).recurring_usage_type == "metered"
    _check_quantity(change, metered, where)
    if metered:
        item.quantity = None
    elif change.quantity is not None:
        item.quantity = change.quantity
    elif item.quantity is None:
        item.quantity = 1
    if change.tax_rates is not None:
        item.tax_rate_ids = (
            price_terms.check_tax_rates(uow, change.tax_rates, param=f"{where}[tax_rates]")
            if change.tax_rates
            else None
        )
    if change.metadata is not None:
        item.metadata_ = metadata.merge(item.metadata_, change.metadata)
    if change.discounts is not None:
        discounts.replace(
            uow,
            Owner(customer_id=subscription.customer_id, subscription_item_id=item.id),
            change.discounts,
            param=f"{where}[discounts]",
            currency=subscription.currency,
            item_level=True,
        )
        uow.session.expire(item, ["discounts"])
    return (item.price_id, item.quantity) != billed


def _price(uow: UnitOfWork, change: ItemChange, where: str, *, required: bool) -> Price | None:
    if change.price is not None and change.price_data is not None:
        raise invalid(
            f"You may only specify one of `price` or `price_data` in {where}.",
            param=f"{where}[price]",
        )
    if change.price is not None:
        return price_terms.recurring_price(uow, change.price, param=f"{where}[price]")
    if change.price_data is not None:
        return price_terms.price_from_data(
            uow, change.price_data, param=f"{where}[price_data]", recurring=True
        )
    if required:
        raise invalid(
            f"You must specify either `price` or `price_data` in {where}.",
            param=f"{where}[price]",
        )
    return None


def _check_quantity(change: ItemChange, metered: bool, where: str) -> None:
    if metered and change.quantity is not None:
        raise invalid(
            "Quantity should not be specified where usage_type is `metered`.",
            param=f"{where}[quantity]",
        )


def _refuse_repeated_prices(items: list[SubscriptionItem]) -> None:
    seen: set[str] = set()
    for item in items:
        if item.price_id in seen:
            raise invalid(
                f"Cannot add multiple subscription items with the same price: {item.price_id}",
                param="items",
            )
        seen.add(item.price_id)


def interval_of(items: Sequence[SubscriptionItem]) -> Interval:
    """The one interval all the items bill on; refused (param `items`) when they differ."""
    intervals = {
        Interval(Unit(str(item.price.recurring_interval)), item.price.recurring_interval_count or 1)
        for item in items
    }
    if len(intervals) != 1:
        raise invalid(
            "All prices on a subscription must have the same `recurring.interval` and "
            "`recurring.interval_count`.",
            param="items",
        )
    return intervals.pop()
