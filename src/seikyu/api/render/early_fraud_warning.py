"""radar.early_fraud_warning -> Stripe JSON."""

from __future__ import annotations

from typing import Any

from seikyu.api.render.common import ts
from seikyu.db.models.early_fraud_warnings import EarlyFraudWarning

OBJECT = "radar.early_fraud_warning"


def render_early_fraud_warning(warning: EarlyFraudWarning) -> dict[str, Any]:
    return {
        "id": warning.id,
        "object": OBJECT,
        "actionable": warning.actionable,
        "charge": warning.charge_id,
        "created": ts(warning.created),
        "fraud_type": warning.fraud_type,
        "livemode": warning.livemode,
        "payment_intent": warning.payment_intent_id,
    }
