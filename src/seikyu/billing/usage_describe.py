"""How metered lines describe themselves, in the words licensed lines use."""

from __future__ import annotations

from datetime import datetime

from seikyu.billing.domain.pricing import BillingScheme, Pricing, TiersMode, billable_quantity
from seikyu.billing.subscription_lines import shown_unit
from seikyu.core.periods import Period
from seikyu.db.models.prices import Price


def describe(name: str, price: Price, pricing: Pricing, quantity: int, currency: str) -> str:
    """`40 × API calls (at 0.04 USD / month)`; a package price names its size, a volume
    price the tier the whole quantity fell in, a graduated one that tiers apply."""
    head = f"{quantity} × {name}"
    interval = price.recurring_interval or ""
    if pricing.billing_scheme is BillingScheme.PER_UNIT:
        unit = shown_unit(pricing.unit_amount, currency)
        transform = pricing.transform_quantity
        if transform is not None and transform.divide_by > 1:
            return f"{head} (at {unit} per {transform.divide_by} / {interval})"
        return f"{head} (at {unit} / {interval})"
    if pricing.tiers_mode is TiersMode.VOLUME:
        billed = billable_quantity(pricing, quantity)
        number, tier = next(
            (n, t)
            for n, t in enumerate(pricing.tiers, start=1)
            if t.up_to is None or billed <= t.up_to
        )
        return f"{head} (Tier {number} at {shown_unit(tier.unit_amount, currency)} / {interval})"
    return f"{head} (graduated tiers / {interval})"


def late(name: str, period: Period) -> str:
    """`Usage reported late for API calls (Mar 1 - Apr 1, 2025)`."""
    span = f"{_day(period.start)} - {_day(period.end)}, {period.end.year}"
    return f"Usage reported late for {name} ({span})"


def _day(at: datetime) -> str:
    return f"{at.strftime('%b')} {at.day}"
