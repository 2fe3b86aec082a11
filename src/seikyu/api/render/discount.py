"""discount -> Stripe JSON (current API: the coupon sits in `source`)."""

from __future__ import annotations

from typing import Any

from seikyu.api.render.common import ts
from seikyu.db.models.discounts import Discount


def render_discount(discount: Discount) -> dict[str, Any]:
    """`source.coupon` is the coupon's id; `expand[]=source.coupon` shows the coupon.

    A deleted discount has Stripe's `deleted: true` shape, which has no `end`.
    """
    rendered: dict[str, Any] = {
        "id": discount.id,
        "object": "discount",
        "checkout_session": None,
        "customer": discount.customer_id,
        "customer_account": None,
        "end": ts(discount.end),
        "invoice": discount.invoice_id,
        "invoice_item": discount.invoice_item_id,
        "promotion_code": discount.promotion_code_id,
        "source": {"coupon": discount.coupon_id, "type": "coupon"},
        "start": ts(discount.start),
        "subscription": discount.subscription_id,
        "subscription_item": discount.subscription_item_id,
    }
    if discount.deleted_at is not None:
        del rendered["end"]
        rendered["deleted"] = True
    return rendered
