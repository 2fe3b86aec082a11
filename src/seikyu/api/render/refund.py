"""refund -> Stripe JSON."""

from __future__ import annotations

from typing import Any

from seikyu.api.render.common import ts
from seikyu.db.models.refunds import Refund

# A card refund's acquirer reference number: none until the network has the refund, and
# none ever for one that failed or was canceled.
_REFERENCE_STATUS = {
    "pending": "pending",
    "requires_action": "pending",
    "succeeded": "pending",
    "failed": "unavailable",
    "canceled": "unavailable",
}


def render_refund(refund: Refund) -> dict[str, Any]:
    return {
        "id": refund.id,
        "object": "refund",
        "amount": refund.amount,
        "balance_transaction": None,
        "charge": refund.charge_id,
        "created": ts(refund.created),
        "currency": refund.currency,
        "customer": None,
        "customer_account": None,
        "description": refund.description,
        "destination_details": {
            "card": {
                "reference": None,
                "reference_status": _REFERENCE_STATUS.get(refund.status, "unavailable"),
                "reference_type": "acquirer_reference_number",
                "type": "refund",
            },
            "type": "card",
        },
        "failure_balance_transaction": None,
        "failure_reason": refund.failure_reason,
        "instructions_email": refund.instructions_email,
        "metadata": dict(refund.metadata_),
        "next_action": None,
        "payment_intent": refund.payment_intent_id,
        "payment_method": None,
        "pending_reason": "processing" if refund.status == "pending" else None,
        "presentment_details": None,
        "reason": refund.reason,
        "receipt_number": None,
        "source_transfer_reversal": None,
        "status": refund.status,
        "transfer_reversal": None,
    }
