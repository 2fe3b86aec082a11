"""credit_note and credit_note_line_item -> Stripe JSON."""

from __future__ import annotations

from typing import Any

from seikyu.api.render.common import ts
from seikyu.db.models.credit_notes import CreditNote

# Stripe embeds the first lines and leaves the rest to /v1/credit_notes/{id}/lines.
EMBEDDED_LINES = 10


def render_credit_note(note: CreditNote, *, lines_url: str | None = None) -> dict[str, Any]:
    lines = note.lines
    return {
        "id": note.id,
        "object": "credit_note",
        "amount": note.amount,
        "amount_shipping": 0,
        "created": ts(note.created),
        "currency": note.currency,
        "customer": note.customer_id,
        "customer_account": None,
        "customer_balance_transaction": note.customer_balance_transaction_id,
        "discount_amount": note.discount_amount,
        "discount_amounts": [dict(share) for share in note.discount_amounts],
        "effective_at": ts(note.effective_at),
        "invoice": note.invoice_id,
        "lines": {
            "object": "list",
            "data": [render_line(line, note) for line in lines[:EMBEDDED_LINES]],
            "has_more": len(lines) > EMBEDDED_LINES,
            "url": lines_url or f"/v1/credit_notes/{note.id}/lines",
        },
        "livemode": note.livemode,
        "memo": note.memo,
        "metadata": dict(note.metadata_),
        "number": note.number,
        "out_of_band_amount": note.out_of_band_amount,
        "pdf": None,
        "post_payment_amount": note.post_payment_amount,
        "pre_payment_amount": note.pre_payment_amount,
        "pretax_credit_amounts": _pretax(note.discount_amounts),
        "reason": note.reason,
        "refunds": [
            {
                "amount_refunded": note.refund_amount,
                "payment_record_refund": None,
                "refund": note.refund_id,
                "type": "refund",
            }
        ]
        if note.refund_id
        else [],
        "shipping_cost": None,
        "status": note.status,
        "subtotal": note.subtotal,
        "subtotal_excluding_tax": note.subtotal_excluding_tax,
        "total": note.total,
        "total_excluding_tax": note.total_excluding_tax,
        "total_taxes": [dict(tax) for tax in note.total_taxes],
        "type": note.type,
        "voided_at": ts(note.voided_at),
    }


def render_line(line: dict[str, Any], note: CreditNote) -> dict[str, Any]:
    shown: dict[str, Any] = {
        "id": line["id"],
        "object": "credit_note_line_item",
        "amount": line["amount"],
        "description": line["description"],
        "discount_amount": sum(share["amount"] for share in line["discount_amounts"]),
        "discount_amounts": [dict(share) for share in line["discount_amounts"]],
        "livemode": note.livemode,
        "metadata": dict(line["metadata"]),
        "pretax_credit_amounts": _pretax(line["discount_amounts"]),
        "quantity": line["quantity"],
        "tax_rates": [dict(rate) for rate in line["tax_rates"]],
        "taxes": [dict(tax) for tax in line["taxes"]],
        "type": line["type"],
        "unit_amount": line["unit_amount"],
        "unit_amount_decimal": line["unit_amount_decimal"],
    }
    # As on Stripe, only a line crediting an invoice line has the field.
    if line["type"] == "invoice_line_item":
        shown["invoice_line_item"] = line["invoice_line_item"]
    return shown


def _pretax(shares: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "amount": share["amount"],
            "credit_balance_transaction": None,
            "discount": share["discount"],
            "type": "discount",
        }
        for share in shares
    ]
