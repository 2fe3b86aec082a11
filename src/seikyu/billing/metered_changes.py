"""Metered usage billed when a subscription change ends a metered price mid-period.

When an update removes a metered item, moves it to another price, or restarts the period
(`billing_cycle_anchor=now`, a trial starting), the usage reported so far under the old
price would otherwise never be billed: the next renewal bills the item's current price from
the change on. As Stripe does for flexible billing mode, the usage so far becomes a pending
invoice item at the old price, billed on the subscription's next invoice (the one the
change cuts, if it cuts one). Seikyu does this in classic mode too, where Stripe drops that
usage; `proration_behavior=none` opts out, as on Stripe.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from seikyu.billing import invoice_item_repository as item_store
from seikyu.billing import invoice_items, metered_lines, price_terms, usage_describe
from seikyu.billing.metered_lines import Billed
from seikyu.billing.subscription_changes import SubscriptionChanges
from seikyu.billing.subscription_item_changes import ItemMove
from seikyu.db.models.invoice_items import InvoiceItem
from seikyu.db.models.prices import Price
from seikyu.db.models.subscription_items import SubscriptionItem
from seikyu.db.models.subscriptions import Subscription
from seikyu.db.uow import UnitOfWork


def bill_ended_prices(
    uow: UnitOfWork,
    subscription: Subscription,
    changes: SubscriptionChanges,
    moves: Sequence[ItemMove],
    old_prices: Mapping[str, Price],
) -> None:
    """Bill the usage so far of items the update deleted or moved off a metered price."""
    if changes.proration_behavior == "none":
        return
    # A deleted item's `clear_usage` drops its usage instead, as on Stripe.
    cleared = {change.id for change in changes.items if change.clear_usage}
    ended = [
        (move.item, old_prices[move.item.id])
        for move in moves
        if move.item.id in old_prices
        and move.item.id not in cleared
        and (move.item.deleted_at is not None or move.item.price_id != old_prices[move.item.id].id)
    ]
    bill_to_date(uow, subscription, ended)


def bill_before_new_period(
    uow: UnitOfWork, subscription: Subscription, changes: SubscriptionChanges
) -> None:
    """A new period starts now: the usage so far is billed before its window closes."""
    if changes.proration_behavior != "none":
        bill_to_date(uow, subscription, [(item, item.price) for item in subscription.items])


def bill_to_date(
    uow: UnitOfWork, subscription: Subscription, ended: Iterable[tuple[SubscriptionItem, Price]]
) -> None:
    """For each (item, price it billed by until now) whose price is metered, a pending
    invoice item for the usage not billed yet, recorded so later windows start after it."""
    ended = [(item, price) for item, price in ended if price.recurring_usage_type == "metered"]
    if not ended:
        return
    history = metered_lines.billed_history(uow, [item for item, _ in ended])
    for item, price in ended:
        window = metered_lines.usage_window(subscription, item, history, uow.now)
        meter = metered_lines.meter_of(uow, price)
        if window is None or meter is None:
            continue
        billed = metered_lines.measure(
            uow, subscription.currency, subscription.customer_id, item, meter, window, price
        )
        pending = _pending_item(uow, subscription, billed)
        metered_lines.record(uow, billed, subscription.customer_id, pending.id)


def _pending_item(uow: UnitOfWork, subscription: Subscription, billed: Billed) -> InvoiceItem:
    price = billed.price
    name = metered_lines.product_name(uow, price)
    pricing = price_terms.pricing(price, subscription.currency, param="items")
    item = InvoiceItem(
        id=uow.new_id("ii"),
        account_id=uow.account_id,
        livemode=uow.livemode,
        created=uow.now,
        customer_id=subscription.customer_id,
        invoice_id=None,
        subscription_id=subscription.id,
        subscription_item_id=billed.item.id,
        amount=billed.amount,
        currency=subscription.currency,
        quantity=billed.quantity,
        unit_amount_decimal=None,
        price_id=price.id,
        description=usage_describe.describe(
            name, price, pricing, billed.quantity, subscription.currency
        ),
        date=uow.now,
        period_start=billed.period.start,
        period_end=billed.period.end,
        discountable=True,
        tax_rate_ids=None if billed.item.tax_rate_ids is None else list(billed.item.tax_rate_ids),
        proration=False,
        proration_details=None,
        metadata_={},
        deleted_at=None,
    )
    item_store.add(uow.session, item)
    uow.emit(invoice_items.CREATED_EVENT, item)
    return item
