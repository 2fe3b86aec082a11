"""Invoice lines for metered subscription items: usage billed in arrears.

A metered item bills, on the invoice cut at the end of a period, what its customer reported
to the price's meter over that period (Stripe's Billing Meters). Its usage window starts at
the period start, or later: when the trial ended (usage during a trial is never billed),
when the item was added, or where an earlier bill for the same period stopped (a price
changed mid-period). Each window billed is recorded as a `UsageBilling`, so that events
reported late (Stripe accepts timestamps up to 35 days back) are billed on a later invoice
as the difference from what was billed. Decreases are never credited: a period's bill
only grows, as on Stripe, which does not revise a finalized invoice either.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from seikyu.billing import price_terms, subscription_lines, usage_describe
from seikyu.billing import usage_billing_repository as repository
from seikyu.billing.domain.pricing import line_amount
from seikyu.billing.invoice_drafts import SUBSCRIPTION_LINE
from seikyu.catalog import prices, products
from seikyu.core.clock import from_unix
from seikyu.core.periods import Period
from seikyu.db.models.billing_meters import BillingMeter
from seikyu.db.models.invoice_lines import InvoiceLine
from seikyu.db.models.invoices import Invoice
from seikyu.db.models.prices import Price
from seikyu.db.models.subscription_items import SubscriptionItem
from seikyu.db.models.subscriptions import Subscription
from seikyu.db.models.usage_billings import UsageBilling
from seikyu.db.uow import UnitOfWork
from seikyu.metering import usage
from seikyu.metering.domain.aggregation import Formula, billable

# Stripe accepts meter events up to 35 days back and 5 minutes ahead: a period that ended
# longer ago than that can no longer change.
LATE_WINDOW = timedelta(days=35, minutes=5)


def metered(items: Sequence[SubscriptionItem]) -> list[SubscriptionItem]:
    """The items billed by usage. Reads only the prices loaded with the items, so a
    subscription without metered items costs no query here."""
    return [item for item in items if item.price.recurring_usage_type == "metered"]


def billing_until(
    subscription: Subscription, items: Sequence[SubscriptionItem], until: datetime
) -> list[SubscriptionItem]:
    """The metered items with time left to bill before `until` (none during a trial), so a
    closing invoice is cut only when there is usage it could bill."""
    return [item for item in metered(items) if usage_window(subscription, item, (), until)]


@dataclass(frozen=True, slots=True)
class Billed:
    """A usage window of an item, aggregated and priced."""

    item: SubscriptionItem
    price: Price
    meter: BillingMeter
    period: Period
    quantity: int
    amount: int


def add_usage_lines(
    uow: UnitOfWork,
    invoice: Invoice,
    subscription: Subscription,
    items: Sequence[SubscriptionItem],
    until: datetime,
) -> None:
    """Add to `invoice` a line per metered item for its usage up to `until` and a line per
    earlier window whose usage grew since it was billed; record what each now bills."""
    found = metered(items)
    if not found:
        return
    history = billed_history(uow, found)
    meters = _meters(uow, found, history)
    by_id = {item.id: item for item in found}
    for row in history:
        _bill_late(uow, invoice, by_id[row.subscription_item_id], row, meters)
    for item in found:
        window = usage_window(subscription, item, history, until)
        meter = meters.get(item.price.recurring_meter or "")
        if window is None or meter is None:
            # A price names its meter when it is created; one that is not this account's
            # measures nothing, so there is nothing to bill.
            continue
        billed = measure(uow, invoice.currency, subscription.customer_id, item, meter, window)
        _append(uow, invoice, billed, _describe(uow, billed, invoice.currency))
        record(uow, billed, subscription.customer_id, invoice.id)


def billed_history(uow: UnitOfWork, items: Sequence[SubscriptionItem]) -> list[UsageBilling]:
    """The items' windows that may still change (ended within the late window) or that
    bound their current window (billed earlier in the current period, however long ago a
    renewal running behind makes that)."""
    since = min([uow.now - LATE_WINDOW, *(item.current_period_start for item in items)])
    return repository.billed_since(uow.session, [item.id for item in items], int(since.timestamp()))


def usage_window(
    subscription: Subscription,
    item: SubscriptionItem,
    history: Sequence[UsageBilling],
    until: datetime,
) -> Period | None:
    """The span of the item's current period whose usage is not billed yet, up to `until`;
    None when it is empty."""
    start = item.current_period_start
    bounds = [subscription.trial_end]
    if item.created > subscription.created:
        # Added after the subscription started: usage from before it belongs to no item.
        bounds.append(item.created)
    bounds += [from_unix(row.period_end) for row in history if row.subscription_item_id == item.id]
    start = max([start, *(bound for bound in bounds if bound is not None)])
    return Period(start, until) if start < until else None


def measure(
    uow: UnitOfWork,
    currency: str,
    customer_id: str,
    item: SubscriptionItem,
    meter: BillingMeter,
    period: Period,
    price: Price | None = None,
) -> Billed:
    """The item's billable usage over `period` and what `price` (default its own) charges."""
    price = price or item.price
    quantity = billable_usage(uow, meter, customer_id, period)
    pricing = price_terms.pricing(price, currency, param="items")
    return Billed(item, price, meter, period, quantity, line_amount(pricing, quantity))


def billable_usage(uow: UnitOfWork, meter: BillingMeter, customer_id: str, period: Period) -> int:
    formula = Formula(meter.formula)
    found = usage.period_usage(uow, meter.id, customer_id, period.start, period.end, formula)
    return billable(found.value(formula))


def meter_of(uow: UnitOfWork, price: Price) -> BillingMeter | None:
    if price.recurring_meter is None:
        return None
    found = repository.meters(uow.session, uow.account_id, uow.livemode, [price.recurring_meter])
    return found.get(price.recurring_meter)


def record(uow: UnitOfWork, billed: Billed, customer_id: str, billed_by: str) -> None:
    """Remember what the window was billed, and by which invoice (or pending invoice item)."""
    start = int(billed.period.start.timestamp())
    row = repository.get(uow.session, billed.item.id, start)
    if row is None:
        row = UsageBilling(
            subscription_item_id=billed.item.id,
            period_start=start,
            account_id=uow.account_id,
            livemode=uow.livemode,
            created=uow.now,
        )
        repository.add(uow.session, row)
    row.period_end = int(billed.period.end.timestamp())
    row.meter_id = billed.meter.id
    row.customer_id = customer_id
    row.price_id = billed.price.id
    row.quantity = billed.quantity
    row.invoice_id = billed_by


def _meters(
    uow: UnitOfWork, items: Sequence[SubscriptionItem], history: Sequence[UsageBilling]
) -> dict[str, BillingMeter]:
    wanted = {item.price.recurring_meter for item in items if item.price.recurring_meter}
    wanted.update(row.meter_id for row in history)
    return repository.meters(uow.session, uow.account_id, uow.livemode, wanted)


def _bill_late(
    uow: UnitOfWork,
    invoice: Invoice,
    item: SubscriptionItem,
    row: UsageBilling,
    meters: dict[str, BillingMeter],
) -> None:
    meter = meters.get(row.meter_id)
    if meter is None:
        return
    period = Period(from_unix(row.period_start), from_unix(row.period_end))
    price = item.price if item.price_id == row.price_id else prices.find(uow, row.price_id)
    if price is None:
        return
    now = measure(uow, invoice.currency, row.customer_id, item, meter, period, price)
    if now.quantity <= row.quantity:
        return
    pricing = price_terms.pricing(price, invoice.currency, param="items")
    # The difference of the two totals, so that tiers and packages price the whole period.
    late = Billed(
        item,
        price,
        meter,
        period,
        now.quantity - row.quantity,
        now.amount - line_amount(pricing, row.quantity),
    )
    _append(uow, invoice, late, usage_describe.late(product_name(uow, price), period))
    row.quantity = now.quantity
    row.invoice_id = invoice.id


def _append(uow: UnitOfWork, invoice: Invoice, billed: Billed, description: str) -> None:
    item, price = billed.item, billed.price
    invoice.lines.append(
        InvoiceLine(
            id=uow.new_id("il"),
            account_id=invoice.account_id,
            livemode=invoice.livemode,
            created=uow.now,
            position=len(invoice.lines),
            parent_type=SUBSCRIPTION_LINE,
            invoice_item_id=None,
            subscription_id=item.subscription_id,
            subscription_item_id=item.id,
            proration=False,
            amount=billed.amount,
            currency=invoice.currency,
            description=description,
            period_start=billed.period.start,
            period_end=billed.period.end,
            quantity=billed.quantity,
            price_id=price.id,
            product_id=price.product_id,
            unit_amount_decimal=price_terms.unit_amount_in(price, invoice.currency),
            discountable=True,
            discount_ids=subscription_lines.item_discount_ids(uow, invoice, item),
            tax_rate_ids=None if item.tax_rate_ids is None else list(item.tax_rate_ids),
            discount_amounts=[],
            taxes=[],
            metadata_={},
        )
    )


def product_name(uow: UnitOfWork, price: Price) -> str:
    return products.get(uow, price.product_id).name


def _describe(uow: UnitOfWork, billed: Billed, currency: str) -> str:
    price = billed.price
    pricing = price_terms.pricing(price, currency, param="items")
    name = product_name(uow, price)
    return usage_describe.describe(name, price, pricing, billed.quantity, currency)
