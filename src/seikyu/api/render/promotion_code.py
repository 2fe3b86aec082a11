"""promotion_code -> Stripe JSON (API 2025-09-30 and later: the coupon sits in `promotion`)."""

from __future__ import annotations

from typing import Any

from seikyu.api.render.common import ts
from seikyu.db.models.promotion_codes import PromotionCode


def render_promotion_code(promotion_code: PromotionCode) -> dict[str, Any]:
    """`restrictions.currency_options` appears only when asked for with expand[]."""
    return {
        "id": promotion_code.id,
        "object": "promotion_code",
        "active": promotion_code.active,
        "code": promotion_code.code,
        "created": ts(promotion_code.created),
        "customer": promotion_code.customer,
        "customer_account": None,
        "expires_at": ts(promotion_code.expires_at),
        "livemode": promotion_code.livemode,
        "max_redemptions": promotion_code.max_redemptions,
        "metadata": dict(promotion_code.metadata_),
        "promotion": {"coupon": promotion_code.coupon_id, "type": "coupon"},
        "restrictions": {
            "first_time_transaction": promotion_code.first_time_transaction,
            "minimum_amount": promotion_code.minimum_amount,
            "minimum_amount_currency": promotion_code.minimum_amount_currency,
        },
        "times_redeemed": promotion_code.times_redeemed,
    }


def render_minimum_amounts(promotion_code: PromotionCode) -> dict[str, Any]:
    """`restrictions.currency_options`: the minimum in every currency, its own first."""
    options: dict[str, Any] = {}
    currency, amount = promotion_code.minimum_amount_currency, promotion_code.minimum_amount
    if currency is not None and amount is not None:
        options[currency] = {"minimum_amount": amount}
    for other, minimum in sorted(promotion_code.currency_options.items()):
        options[other] = {"minimum_amount": minimum}
    return options
