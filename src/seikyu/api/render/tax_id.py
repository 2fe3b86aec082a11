"""tax_id -> Stripe JSON."""

from __future__ import annotations

from typing import Any

from seikyu.api.render.common import deleted_stub, ts
from seikyu.db.models.tax_ids import TaxId


def render_tax_id(tax_id: TaxId) -> dict[str, Any]:
    if tax_id.deleted_at is not None:
        return deleted_stub(tax_id.id, "tax_id")
    owner: dict[str, Any]
    if tax_id.customer_id is None:
        owner = {"type": "self"}
    else:
        owner = {"type": "customer", "customer": tax_id.customer_id, "customer_account": None}
    return {
        "id": tax_id.id,
        "object": "tax_id",
        "country": tax_id.country,
        "created": ts(tax_id.created),
        "customer": tax_id.customer_id,
        "customer_account": None,
        "livemode": tax_id.livemode,
        "owner": owner,
        "type": tax_id.type,
        "value": tax_id.value,
        "verification": {
            "status": tax_id.verification_status,
            "verified_address": tax_id.verified_address,
            "verified_name": tax_id.verified_name,
        },
    }
