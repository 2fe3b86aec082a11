"""Invoice lines for a subscription's items over a span of service."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from seikyu.billing import discounts, price_terms
from seikyu.billing.domain.pricing import exact_amount
from seikyu.billing.domain.subscription_timing import BilledSpan
from seikyu.billing.invoice_drafts import SUBSCRIPTION_LINE
from seikyu.catalog import products
from seikyu.core.money import format_major
from seikyu.db.models.invoice_lines import InvoiceLine
from seikyu.db.models.invoices import Invoice
from seikyu.db.models.subscription_items import SubscriptionItem
from seikyu.db.uow import UnitOfWork


def add_item_lines(
    uow: UnitOfWork,
    invoice: Invoice,
    items: Sequence[SubscriptionItem],
    spans: Sequence[BilledSpan],
    owned: discounts.Owned,
) -> None:
    """One line per licensed item and span, priced in the invoice's currency and rounded
    once from the exact period amount. Metered items bill usage in arrears, not here.
    `owned` holds the items' live discounts."""
    for span in spans:
        for item in items:
            price = item.price
            if price.recurring_usage_type == "metered":
                continue
            quantity = item.quantity if item.quantity is not None else 1
            pricing = price_terms.pricing(price, invoice.currency, param="items")
            amount = span.amount(exact_amount(pricing, quantity))
            line_id = uow.new_id("il")
            if span.fraction > 0:
                # What flexible billing credits on a later change: this configuration, and
                # (for a whole period) the discount its line is allocated once computed.
                item.last_billed = {
                    "price": price.id,
                    "quantity": quantity,
                    "discount": 0,
                    "line": line_id if span.fraction == 1 else None,
                }
            invoice.lines.append(
                InvoiceLine(
                    id=line_id,
                    account_id=invoice.account_id,
                    livemode=invoice.livemode,
                    created=uow.now,
                    position=len(invoice.lines),
                    parent_type=SUBSCRIPTION_LINE,
                    invoice_item_id=None,
                    subscription_id=item.subscription_id,
                    subscription_item_id=item.id,
                    proration=False,
                    amount=amount,
                    currency=invoice.currency,
                    description=_describe(uow, item, quantity, span, invoice.currency),
                    period_start=span.period.start,
                    period_end=span.period.end,
                    quantity=quantity,
                    price_id=price.id,
                    product_id=price.product_id,
                    unit_amount_decimal=price_terms.unit_amount_in(price, invoice.currency),
                    discountable=True,
                    discount_ids=[d.id for d in owned[_item_owner(invoice.customer_id, item.id)]],
                    tax_rate_ids=None if item.tax_rate_ids is None else list(item.tax_rate_ids),
                    discount_amounts=[],
                    taxes=[],
                    metadata_={},
                )
            )


def remember_discounts(invoice: Invoice, items: Sequence[SubscriptionItem]) -> None:
    """After the invoice is computed: each item billed a whole period on it keeps the
    discount its line was allocated, which flexible billing nets out of its next credit."""
    lines = {line.id: line for line in invoice.lines}
    for item in items:
        billed = item.last_billed
        line = None if billed is None else lines.get(billed.get("line") or "")
        if billed is not None and line is not None:
            discount = sum(int(share["amount"]) for share in line.discount_amounts)
            item.last_billed = {**billed, "discount": discount}


def item_discount_ids(uow: UnitOfWork, invoice: Invoice, item: SubscriptionItem) -> list[str]:
    owner = _item_owner(invoice.customer_id, item.id)
    return [d.id for d in discounts.of_owner(uow, owner)]


def _item_owner(customer_id: str, item_id: str) -> discounts.Owner:
    return discounts.Owner(customer_id=customer_id, subscription_item_id=item_id)


def _describe(
    uow: UnitOfWork, item: SubscriptionItem, quantity: int, span: BilledSpan, currency: str
) -> str:
    name = products.get(uow, item.price.product_id).name
    if span.fraction == 0:
        return f"Trial period for {name}"
    unit = price_terms.unit_amount_in(item.price, currency)
    interval = item.price.recurring_interval or ""
    if unit is None:
        return f"{quantity} × {name}"
    return f"{quantity} × {name} (at {shown_unit(unit, currency)} / {interval})"


def shown_unit(unit: Decimal, currency: str) -> str:
    """A unit amount as line descriptions write it: `0.04 USD`, or exact minor units."""
    shown = format_major(int(unit), currency) if unit == int(unit) else f"{unit} (minor units)"
    return f"{shown} {currency.upper()}"
