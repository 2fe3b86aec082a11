"""charge -> Stripe JSON."""

from __future__ import annotations

from typing import Any

from seikyu.api.render.common import ts
from seikyu.api.render.payment_method import render_billing_details
from seikyu.db.models.charges import Charge


def render_charge(charge: Charge) -> dict[str, Any]:
    return {
        "id": charge.id,
        "object": "charge",
        "amount": charge.amount,
        "amount_captured": charge.amount_captured,
        "amount_refunded": charge.amount_refunded,
        "application": None,
        "application_fee": None,
        "application_fee_amount": None,
        "balance_transaction": None,
        "billing_details": render_billing_details(charge.billing_details),
        "calculated_statement_descriptor": charge.statement_descriptor,
        "captured": charge.captured,
        "created": ts(charge.created),
        "currency": charge.currency,
        "customer": charge.customer_id,
        "description": charge.description,
        "disputed": charge.disputed,
        "failure_balance_transaction": None,
        "failure_code": charge.failure_code,
        "failure_message": charge.failure_message,
        "fraud_details": dict(charge.fraud_details or {}),
        "livemode": charge.livemode,
        "metadata": dict(charge.metadata_),
        "on_behalf_of": None,
        "outcome": charge.outcome,
        "paid": charge.status == "succeeded",
        "payment_intent": charge.payment_intent_id,
        "payment_method": charge.payment_method_id,
        "payment_method_details": charge.payment_method_details,
        "receipt_email": charge.receipt_email,
        "receipt_number": None,
        "receipt_url": None,
        "refunded": charge.amount_refunded == charge.amount,
        "review": charge.review_id,
        "shipping": None,
        "source": None,
        "source_transfer": None,
        "statement_descriptor": charge.statement_descriptor,
        "statement_descriptor_suffix": None,
        "status": charge.status,
        "transfer_data": None,
        "transfer_group": None,
    }
