"""Proration invoice items for a subscription's changes, under classic billing.

An item's configuration is a `Charge`: what it bills for a whole period, net of the
discounts in effect on it now. Classic billing counts each discount whole against each item
(Stripe's G-2.4: a 500 coupon on a 1000 item prorates as 500), so an item's discount is
what the discounts would take from that item were it alone on the invoice.
"""

from __future__ import annotations

from datetime import datetime

from seikyu.billing import discounts, invoice_items, price_terms
from seikyu.billing.discounts import Owner
from seikyu.billing.domain import discounts as rules
from seikyu.billing.domain.pricing import exact_amount
from seikyu.billing.domain.proration import Charge, prorate_change
from seikyu.catalog import prices, products
from seikyu.core.money import to_minor_units
from seikyu.core.periods import Period
from seikyu.db.models.discounts import Discount
from seikyu.db.models.prices import Price
from seikyu.db.models.subscription_items import SubscriptionItem
from seikyu.db.models.subscriptions import Subscription
from seikyu.db.uow import UnitOfWork


def charge_of(
    uow: UnitOfWork,
    subscription: Subscription,
    item: SubscriptionItem,
    *,
    price: Price | None = None,
    quantity: int | None = None,
) -> Charge:
    """The item's charge as it is, or with `price` / `quantity` in place of its own."""
    price = price or item.price
    metered = price.recurring_usage_type == "metered"
    if quantity is None:
        quantity = item.quantity if item.quantity is not None else 1
    pricing = price_terms.pricing(price, subscription.currency, param="items")
    whole = to_minor_units(exact_amount(pricing, quantity))
    return Charge(
        item=item.id,
        pricing=pricing,
        quantity=quantity,
        discount=0 if metered else _discount(uow, subscription, item, price, whole),
        metered=metered,
        price=price.id,
        product=price.product_id,
        label=products.get(uow, price.product_id).name,
    )


def billed_charge_of(
    uow: UnitOfWork, subscription: Subscription, item: SubscriptionItem
) -> Charge | None:
    """Under flexible billing, the configuration last billed for the item, with the discount
    its line was allocated; None when nothing was billed for it yet (nothing to credit)."""
    billed = item.last_billed
    if billed is None:
        return None
    price = item.price if billed["price"] == item.price_id else prices.get(uow, billed["price"])
    pricing = price_terms.pricing(price, subscription.currency, param="items")
    return Charge(
        item=item.id,
        pricing=pricing,
        quantity=int(billed["quantity"]),
        discount=int(billed.get("discount") or 0),
        metered=price.recurring_usage_type == "metered",
        price=price.id,
        product=price.product_id,
        label=products.get(uow, price.product_id).name,
    )


def before_charge_of(
    uow: UnitOfWork, subscription: Subscription, item: SubscriptionItem
) -> Charge | None:
    """What a change credits the item for: its current configuration under classic
    billing, the last one billed under flexible billing (G-2.3, G-2.4)."""
    if subscription.billing_mode == "flexible":
        return billed_charge_of(uow, subscription, item)
    return charge_of(uow, subscription, item)


def _discount(
    uow: UnitOfWork, subscription: Subscription, item: SubscriptionItem, price: Price, whole: int
) -> int:
    if whole <= 0:
        return 0
    owned = discounts.of_owner(
        uow, Owner(customer_id=subscription.customer_id, subscription_item_id=item.id)
    )
    above = discounts.of_owner(
        uow, Owner(customer_id=subscription.customer_id, subscription_id=subscription.id)
    ) or _customer_discounts(uow, subscription.customer_id)
    used = discounts.used_once([*owned, *above])

    def live(found: list[rules.Discount]) -> tuple[rules.Discount, ...]:
        return tuple(
            d for d in found if rules.in_effect(d, invoice_at=uow.now, already_applied=d.id in used)
        )

    line = rules.DiscountableLine(
        amount=whole,
        product=price.product_id,
        discounts=live(list(discounts.to_domain(uow, owned, subscription.currency))),
    )
    taken = rules.apply_discounts(
        [line], live(list(discounts.to_domain(uow, above, subscription.currency)))
    )
    return sum(share.amount for share in taken[0])


def _customer_discounts(uow: UnitOfWork, customer_id: str) -> list[Discount]:
    found = discounts.customer_discount(uow, customer_id)
    return [] if found is None else [found]


def create(
    uow: UnitOfWork,
    subscription: Subscription,
    item: SubscriptionItem,
    before: Charge | None,
    after: Charge | None,
    *,
    at: datetime,
    period: Period | None = None,
) -> int:
    """Pending proration items for moving `item` from `before` to `after` at `at` within the
    current period (or `period`); returns how many were created."""
    period = period or Period(subscription.current_period_start, subscription.current_period_end)
    lines = prorate_change(before, after, period, at)
    for line in lines:
        invoice_items.create_proration(
            uow,
            customer_id=subscription.customer_id,
            subscription_id=subscription.id,
            subscription_item_id=item.id,
            amount=line.amount,
            currency=subscription.currency,
            quantity=line.charge.quantity if isinstance(line.charge.quantity, int) else 1,
            price_id=line.charge.price,
            description=line.description,
            period_start=line.period.start,
            period_end=line.period.end,
            tax_rate_ids=item.tax_rate_ids,
        )
    return len(lines)


def credit_unused_time(
    uow: UnitOfWork, subscription: Subscription, *, at: datetime | None = None
) -> int:
    """Credit every item for the rest of the current period from `at` (default now)."""
    at = at or uow.now
    period = Period(subscription.current_period_start, subscription.current_period_end)
    if not period.start <= at < period.end:
        return 0
    created = 0
    for item in subscription.items:
        before = before_charge_of(uow, subscription, item)
        created += create(uow, subscription, item, before, None, at=at)
    return created
