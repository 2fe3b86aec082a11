"""review -> Stripe JSON."""

from __future__ import annotations

from typing import Any

from seikyu.api.render.common import ts
from seikyu.db.models.reviews import Review

OBJECT = "review"


def render_review(review: Review) -> dict[str, Any]:
    return {
        "id": review.id,
        "object": OBJECT,
        # Screening sees no billing ZIP, browser session or IP geolocation to show.
        "billing_zip": None,
        "charge": review.charge_id,
        "closed_reason": review.closed_reason,
        "created": ts(review.created),
        "ip_address": review.ip_address,
        "ip_address_location": None,
        "livemode": review.livemode,
        "open": review.open,
        "opened_reason": review.opened_reason,
        "payment_intent": review.payment_intent_id,
        "reason": review.reason,
        "session": None,
    }
