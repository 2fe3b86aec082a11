"""setup_intent -> Stripe JSON."""

from __future__ import annotations

from typing import Any

from seikyu.api.render.common import ts
from seikyu.db.models.setup_intents import SetupIntent


def render_setup_intent(intent: SetupIntent) -> dict[str, Any]:
    return {
        "id": intent.id,
        "object": "setup_intent",
        "allowed_payment_method_types": None,
        "application": None,
        "attach_to_self": None,
        "automatic_payment_methods": None,
        "cancellation_reason": intent.cancellation_reason,
        "client_secret": intent.client_secret,
        "created": ts(intent.created),
        "customer": intent.customer_id,
        "customer_account": None,
        "description": intent.description,
        "excluded_payment_method_types": None,
        "flow_directions": None,
        "last_setup_error": intent.last_setup_error,
        # Seikyu keeps no SetupAttempt objects: each attempt is the intent's `attempts` count.
        "latest_attempt": None,
        "livemode": intent.livemode,
        "managed_payments": None,
        "mandate": None,
        "metadata": dict(intent.metadata_),
        "next_action": intent.next_action,
        "on_behalf_of": None,
        "payment_method": intent.payment_method_id,
        "payment_method_configuration_details": None,
        "payment_method_options": {
            "card": {
                "mandate_options": None,
                "network": None,
                "request_three_d_secure": "automatic",
            }
        },
        "payment_method_types": list(intent.payment_method_types),
        "single_use_mandate": None,
        "status": intent.status,
        "usage": intent.usage,
    }
