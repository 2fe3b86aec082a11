"""payment_intent -> Stripe JSON."""

from __future__ import annotations

from typing import Any

from seikyu.api.render.common import ts
from seikyu.db.models.payment_intents import PaymentIntent


def render_payment_intent(intent: PaymentIntent) -> dict[str, Any]:
    return {
        "id": intent.id,
        "object": "payment_intent",
        "amount": intent.amount,
        "amount_capturable": intent.amount_capturable,
        "amount_details": {"tip": {}},
        "amount_received": intent.amount_received,
        "application": None,
        "application_fee_amount": None,
        "automatic_payment_methods": None,
        "canceled_at": ts(intent.canceled_at),
        "cancellation_reason": intent.cancellation_reason,
        "capture_method": intent.capture_method,
        "client_secret": intent.client_secret,
        "confirmation_method": intent.confirmation_method,
        "created": ts(intent.created),
        "currency": intent.currency,
        "customer": intent.customer_id,
        "customer_account": None,
        "description": intent.description,
        "excluded_payment_method_types": None,
        "last_payment_error": intent.last_payment_error,
        "latest_charge": intent.latest_charge_id,
        "livemode": intent.livemode,
        "metadata": dict(intent.metadata_),
        "next_action": intent.next_action,
        "on_behalf_of": None,
        "payment_method": intent.payment_method_id,
        "payment_method_configuration_details": None,
        "payment_method_options": {
            "card": {
                "installments": None,
                "mandate_options": None,
                "network": None,
                "request_three_d_secure": "automatic",
            }
        },
        "payment_method_types": list(intent.payment_method_types),
        "processing": None,
        "receipt_email": intent.receipt_email,
        "review": intent.review_id,
        "setup_future_usage": intent.setup_future_usage,
        "shipping": intent.shipping,
        "source": None,
        "statement_descriptor": intent.statement_descriptor,
        "statement_descriptor_suffix": intent.statement_descriptor_suffix,
        "status": intent.status,
        "transfer_data": None,
        "transfer_group": None,
    }
