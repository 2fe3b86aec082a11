"""invoice, line_item and invoice_payment -> Stripe JSON."""

from __future__ import annotations

from typing import Any

from seikyu.api.render.common import ts
from seikyu.api.render.tax_rate import render_tax_rate
from seikyu.billing import shown_tax_rates
from seikyu.db.models.invoice_lines import InvoiceLine
from seikyu.db.models.invoice_payments import InvoicePayment
from seikyu.db.models.invoices import Invoice

# Stripe embeds the first lines and leaves the rest to /v1/invoices/{id}/lines.
EMBEDDED_LINES = 10


def render_invoice(invoice: Invoice) -> dict[str, Any]:
    if invoice.deleted:
        return {"id": invoice.id, "object": "invoice", "deleted": True}
    customer = invoice.customer_details
    issuer = invoice.issuer_details
    lines = invoice.lines
    paid_off = invoice.amount_paid if invoice.paid_out_of_band else 0
    return {
        "id": invoice.id,
        "object": "invoice",
        "account_country": None,
        "account_name": None,
        "account_tax_ids": None,
        "amount_due": invoice.amount_due,
        "amount_overpaid": invoice.amount_overpaid,
        "amount_paid": invoice.amount_paid,
        "amount_paid_off_stripe": paid_off,
        "amount_remaining": max(invoice.amount_due - invoice.amount_paid, 0),
        "amount_shipping": 0,
        "application": None,
        "attempt_count": invoice.attempt_count,
        "attempted": invoice.attempted,
        "auto_advance": invoice.auto_advance,
        "automatic_tax": {
            "disabled_reason": None,
            "enabled": False,
            "liability": None,
            "provider": None,
            "status": None,
        },
        "automatically_finalizes_at": ts(invoice.next_action_at)
        if invoice.status == "draft"
        else None,
        "billing_reason": invoice.billing_reason,
        "collection_method": invoice.collection_method,
        "created": ts(invoice.created),
        "currency": invoice.currency,
        "custom_fields": None,
        "customer": invoice.customer_id,
        "customer_account": None,
        "customer_address": customer.get("address"),
        "customer_email": customer.get("email"),
        "customer_name": customer.get("name"),
        "customer_phone": customer.get("phone"),
        "customer_shipping": customer.get("shipping"),
        "customer_tax_exempt": customer.get("tax_exempt", "none"),
        "customer_tax_ids": [],
        "default_payment_method": invoice.default_payment_method_id,
        "default_source": None,
        "default_tax_rates": [
            render_tax_rate(rate)
            for rate in shown_tax_rates.of(invoice, invoice.default_tax_rate_ids)
        ],
        "description": invoice.description,
        "discounts": list(invoice.discount_ids),
        "due_date": ts(invoice.due_date),
        "effective_at": ts(invoice.effective_at),
        "ending_balance": invoice.ending_balance,
        "footer": invoice.footer,
        "from_invoice": None,
        "hosted_invoice_url": None,
        "invoice_pdf": None,
        "issuer": {"type": "self"},
        "last_finalization_error": invoice.last_finalization_error,
        "latest_revision": None,
        "lines": {
            "object": "list",
            "data": [render_line(line, invoice) for line in lines[:EMBEDDED_LINES]],
            "has_more": len(lines) > EMBEDDED_LINES,
            "total_count": len(lines),
            "url": f"/v1/invoices/{invoice.id}/lines",
        },
        "livemode": invoice.livemode,
        "metadata": dict(invoice.metadata_),
        "next_payment_attempt": ts(invoice.next_payment_attempt),
        "number": invoice.number,
        "on_behalf_of": None,
        "parent": _parent(invoice),
        "payment_settings": {
            "default_mandate": None,
            "payment_method_options": None,
            "payment_method_types": None,
        },
        "period_end": ts(invoice.period_end),
        "period_start": ts(invoice.period_start),
        "post_payment_credit_notes_amount": invoice.post_payment_credit_notes_amount,
        "pre_payment_credit_notes_amount": invoice.pre_payment_credit_notes_amount,
        # Seikyu's own: the issuer's registration under Japan's qualified invoice system.
        "qualified_invoice": {"registration_number": issuer.get("registration_number")}
        if issuer.get("qualified_invoice")
        else None,
        "receipt_number": None,
        "rendering": None,
        "shipping_cost": None,
        "shipping_details": None,
        "starting_balance": invoice.starting_balance,
        "statement_descriptor": invoice.statement_descriptor,
        "status": invoice.status,
        "status_transitions": {
            "finalized_at": ts(invoice.finalized_at),
            "marked_uncollectible_at": ts(invoice.marked_uncollectible_at),
            "paid_at": ts(invoice.paid_at),
            "voided_at": ts(invoice.voided_at),
        },
        "subtotal": invoice.subtotal,
        "subtotal_excluding_tax": invoice.subtotal_excluding_tax,
        "test_clock": invoice.test_clock,
        "threshold_reason": None,
        "total": invoice.total,
        "total_discount_amounts": list(invoice.total_discount_amounts),
        "total_excluding_tax": invoice.total_excluding_tax,
        "total_pretax_credit_amounts": [],
        "total_taxes": [_public_tax(tax, with_rate=True) for tax in invoice.total_taxes],
        "webhooks_delivered_at": None,
    }


def render_line(line: InvoiceLine, invoice: Invoice) -> dict[str, Any]:
    return {
        "id": line.id,
        "object": "line_item",
        "amount": line.amount,
        "currency": line.currency,
        "description": line.description,
        "discount_amounts": list(line.discount_amounts),
        "discountable": line.discountable,
        "discounts": list(line.discount_ids),
        "invoice": invoice.id,
        "livemode": line.livemode,
        "metadata": dict(line.metadata_),
        "parent": _line_parent(line),
        "period": {"end": ts(line.period_end), "start": ts(line.period_start)},
        "pretax_credit_amounts": [],
        "pricing": {
            "price_details": {"price": line.price_id, "product": line.product_id}
            if line.price_id
            else None,
            "type": "price_details",
            "unit_amount_decimal": None
            if line.unit_amount_decimal is None
            else str(line.unit_amount_decimal),
        },
        "quantity": line.quantity,
        "quantity_decimal": None if line.quantity is None else str(line.quantity),
        "subscription": line.subscription_id,
        "subtotal": line.amount,
        "taxes": [_public_tax(tax, with_rate=False) for tax in line.taxes],
    }


def render_payment(payment: InvoicePayment) -> dict[str, Any]:
    return {
        "id": payment.id,
        "object": "invoice_payment",
        "amount_paid": payment.amount_paid,
        "amount_requested": payment.amount_requested,
        "created": ts(payment.created),
        "currency": payment.currency,
        "invoice": payment.invoice_id,
        "is_default": payment.is_default,
        "livemode": payment.livemode,
        "payment": {"payment_intent": payment.payment_intent_id, "type": "payment_intent"}
        if payment.payment_intent_id
        else {"type": "out_of_band_payment"},
        "status": payment.status,
        "status_transitions": {
            "canceled_at": ts(payment.canceled_at),
            "paid_at": ts(payment.paid_at),
        },
    }


def _public_tax(tax: dict[str, Any], *, with_rate: bool) -> dict[str, Any]:
    shown = {key: value for key, value in tax.items() if key != "percentage"}
    if with_rate and "percentage" in tax:
        # Seikyu's own, for Japan's per-rate totals: the rate's percentage beside its tax.
        shown["tax_rate_details"] = {**shown["tax_rate_details"], "percentage": tax["percentage"]}
    return shown


def _parent(invoice: Invoice) -> dict[str, Any] | None:
    if invoice.subscription_id is None:
        return None
    return {
        "quote_details": None,
        "subscription_details": {"metadata": None, "subscription": invoice.subscription_id},
        "type": "subscription_details",
    }


def _line_parent(line: InvoiceLine) -> dict[str, Any]:
    # An item a subscription created (a proration) shows as the subscription item's line.
    if line.parent_type == "subscription_item_details" or line.subscription_item_id:
        return {
            "invoice_item_details": None,
            "subscription_item_details": {
                "invoice_item": line.invoice_item_id,
                "proration": line.proration,
                "proration_details": {"credited_items": None},
                "subscription": line.subscription_id,
                "subscription_item": line.subscription_item_id,
            },
            "type": "subscription_item_details",
        }
    return {
        "invoice_item_details": {
            "invoice_item": line.invoice_item_id,
            "proration": line.proration,
            "proration_details": {"credited_items": None},
            "subscription": line.subscription_id,
        },
        "subscription_item_details": None,
        "type": "invoice_item_details",
    }
