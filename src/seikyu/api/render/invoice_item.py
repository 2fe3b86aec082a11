"""invoiceitem -> Stripe JSON."""

from __future__ import annotations

from typing import Any

from seikyu.api.render.common import deleted_stub, ts
from seikyu.api.render.tax_rate import render_tax_rate
from seikyu.billing import invoice_items
from seikyu.billing.invoice_items import Shown
from seikyu.catalog import price_rules
from seikyu.db.models.invoice_items import InvoiceItem


def render_invoice_item(item: InvoiceItem, shown: Shown | None = None) -> dict[str, Any]:
    """The item as Stripe shows it; `shown` (from `invoice_items.shown`) spares a query per
    item when many are rendered together."""
    if item.deleted_at is not None:
        return deleted_stub(item.id, "invoiceitem")
    if shown is None:
        shown = invoice_items.shown_alone(item)
    return {
        "id": item.id,
        "object": "invoiceitem",
        "amount": item.amount,
        "currency": item.currency,
        "customer": item.customer_id,
        "customer_account": None,
        "date": ts(item.date),
        "description": item.description,
        "discountable": item.discountable,
        "discounts": list(shown.discounts),
        "frozen_fields": None,
        "invoice": item.invoice_id,
        "invoicing_rules": None,
        "livemode": item.livemode,
        "metadata": dict(item.metadata_),
        # Stripe fills this in only for items discounts cannot reach.
        "net_amount": None if item.discountable else item.amount,
        "parent": _parent(item),
        "period": {"end": ts(item.period_end), "start": ts(item.period_start)},
        "pricing": {
            "price_details": None
            if item.price_id is None
            else {"price": item.price_id, "product": shown.product},
            "type": "price_details",
            "unit_amount_decimal": price_rules.decimal_text(item.unit_amount_decimal),
        },
        "proration": item.proration,
        "proration_details": _proration_details(item),
        "quantity": item.quantity,
        "quantity_decimal": str(item.quantity),
        "tax_rates": [render_tax_rate(rate) for rate in shown.tax_rates],
        "test_clock": None,
    }


def _parent(item: InvoiceItem) -> dict[str, Any] | None:
    if item.subscription_id is None:
        return None
    return {
        "subscription_details": {
            "subscription": item.subscription_id,
            "subscription_item": item.subscription_item_id,
        },
        "type": "subscription_details",
    }


def _proration_details(item: InvoiceItem) -> dict[str, Any] | None:
    if not item.proration:
        return None
    details = item.proration_details or {}
    return {
        "credited_items": details.get("credited_items"),
        "discount_amounts": list(details.get("discount_amounts") or []),
    }
