"""coupon -> Stripe JSON."""

from __future__ import annotations

from typing import Any

from seikyu.api.render.common import deleted_stub, json_number, ts
from seikyu.db.models.coupons import Coupon


def render_coupon(coupon: Coupon) -> dict[str, Any]:
    """`applies_to` and `currency_options` appear only when asked for with expand[]."""
    if coupon.deleted_at is not None:
        return deleted_stub(coupon.id, "coupon")
    return {
        "id": coupon.id,
        "object": "coupon",
        "amount_off": coupon.amount_off,
        "created": ts(coupon.created),
        "currency": coupon.currency,
        "duration": coupon.duration,
        "duration_in_months": coupon.duration_in_months,
        "livemode": coupon.livemode,
        "max_redemptions": coupon.max_redemptions,
        "metadata": dict(coupon.metadata_),
        "name": coupon.name,
        "percent_off": None if coupon.percent_off is None else json_number(coupon.percent_off),
        "redeem_by": ts(coupon.redeem_by),
        "times_redeemed": coupon.times_redeemed,
        "valid": coupon.valid,
    }


def render_applies_to(coupon: Coupon) -> dict[str, Any] | None:
    if coupon.applies_to_products is None:
        return None
    return {"products": list(coupon.applies_to_products)}


def render_currency_options(coupon: Coupon) -> dict[str, Any] | None:
    """Every currency the coupon can be used in, its own currency first."""
    if coupon.amount_off is None or coupon.currency is None:
        return None
    options = {coupon.currency: {"amount_off": coupon.amount_off}}
    for currency, amount in sorted(coupon.currency_options.items()):
        options[currency] = {"amount_off": amount}
    return options
