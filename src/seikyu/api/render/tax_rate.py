"""tax_rate -> Stripe JSON."""

from __future__ import annotations

from typing import Any

from seikyu.api.render.common import json_number, ts
from seikyu.db.models.tax_rates import TaxRate


def render_tax_rate(tax_rate: TaxRate) -> dict[str, Any]:
    percentage = json_number(tax_rate.percentage)
    return {
        "id": tax_rate.id,
        "object": "tax_rate",
        "active": tax_rate.active,
        "country": tax_rate.country,
        "created": ts(tax_rate.created),
        "description": tax_rate.description,
        "display_name": tax_rate.display_name,
        # A manual rate always applies in full, so Stripe shows its percentage here too.
        "effective_percentage": percentage,
        "flat_amount": None,
        "inclusive": tax_rate.inclusive,
        "jurisdiction": tax_rate.jurisdiction,
        "jurisdiction_level": None,
        "livemode": tax_rate.livemode,
        "metadata": dict(tax_rate.metadata_),
        "percentage": percentage,
        "rate_type": None,
        "state": tax_rate.state,
        "tax_type": tax_rate.tax_type,
    }
