"""subscription and subscription_item -> Stripe JSON."""

from __future__ import annotations

from typing import Any

from seikyu.api.render.common import ts
from seikyu.api.render.price import render_price
from seikyu.api.render.tax_rate import render_tax_rate
from seikyu.billing import shown_tax_rates
from seikyu.billing import subscription_pending_updates as pending_updates
from seikyu.db.models.prices import Price
from seikyu.db.models.subscription_items import SubscriptionItem
from seikyu.db.models.subscriptions import Subscription

EMBEDDED_ITEMS = 10


def render_subscription(subscription: Subscription) -> dict[str, Any]:
    items = subscription.items
    pause = subscription.pause_collection
    return {
        "id": subscription.id,
        "object": "subscription",
        "application": None,
        "application_fee_percent": None,
        "automatic_tax": {"disabled_reason": None, "enabled": False, "liability": None},
        "billing_cycle_anchor": ts(subscription.billing_cycle_anchor),
        "billing_cycle_anchor_config": subscription.billing_cycle_anchor_config,
        "billing_mode": {
            "flexible": {"proration_discounts": "included"}
            if subscription.billing_mode == "flexible"
            else None,
            "type": subscription.billing_mode,
        },
        "billing_thresholds": None,
        "cancel_at": ts(subscription.cancel_at),
        "cancel_at_period_end": subscription.cancel_at_period_end,
        "canceled_at": ts(subscription.canceled_at),
        "cancellation_details": dict(subscription.cancellation_details),
        "collection_method": subscription.collection_method,
        "created": ts(subscription.created),
        "currency": subscription.currency,
        "customer": subscription.customer_id,
        "customer_account": None,
        "days_until_due": subscription.days_until_due,
        "default_payment_method": subscription.default_payment_method_id,
        "default_source": None,
        "default_tax_rates": [
            render_tax_rate(rate)
            for rate in shown_tax_rates.of(subscription, subscription.default_tax_rate_ids)
        ],
        "description": subscription.description,
        "discounts": [d.id for d in subscription.discounts],
        "ended_at": ts(subscription.ended_at),
        "invoice_settings": {"account_tax_ids": None, "issuer": {"type": "self"}},
        "items": {
            "object": "list",
            "data": [render_item(item) for item in items[:EMBEDDED_ITEMS]],
            "has_more": len(items) > EMBEDDED_ITEMS,
            "total_count": len(items),
            "url": f"/v1/subscription_items?subscription={subscription.id}",
        },
        "latest_invoice": subscription.latest_invoice_id,
        "livemode": subscription.livemode,
        "metadata": dict(subscription.metadata_),
        "next_pending_invoice_item_invoice": None,
        "on_behalf_of": None,
        "pause_collection": None
        if pause is None
        else {"behavior": pause["behavior"], "resumes_at": pause.get("resumes_at")},
        "payment_settings": {
            "payment_method_options": None,
            "payment_method_types": None,
            "save_default_payment_method": subscription.payment_settings.get(
                "save_default_payment_method", "off"
            ),
        },
        "pending_invoice_item_interval": None,
        "pending_setup_intent": None,
        "pending_update": _pending_update(subscription),
        "schedule": None,
        "start_date": ts(subscription.start_date),
        "status": subscription.status,
        "test_clock": subscription.test_clock,
        "transfer_data": None,
        "trial_end": ts(subscription.trial_end),
        "trial_settings": {
            "end_behavior": {"missing_payment_method": subscription.trial_missing_payment_method}
        },
        "trial_start": ts(subscription.trial_start),
    }


def _pending_update(subscription: Subscription) -> dict[str, Any] | None:
    pending = pending_updates.shown(subscription)
    if pending is None:
        return None
    return {
        "billing_cycle_anchor": ts(pending.billing_cycle_anchor),
        "cancel_at_period_end": None,
        "discount": None,
        "discounts": None,
        "expires_at": ts(pending.expires_at),
        "metadata": pending.metadata,
        "subscription_items": [render_item(item, via=subscription) for item in pending.items],
        "trial_end": ts(pending.trial_end),
        "trial_from_plan": pending.trial_from_plan,
    }


def render_item(item: SubscriptionItem, *, via: object | None = None) -> dict[str, Any]:
    """`via`: an object of the same session, for an item shown before it is saved."""
    rates = shown_tax_rates.of(via or item, item.tax_rate_ids)
    return {
        "id": item.id,
        "object": "subscription_item",
        "billing_thresholds": None,
        "created": ts(item.created),
        "current_period_end": ts(item.current_period_end),
        "current_period_start": ts(item.current_period_start),
        "discounts": [d.id for d in item.discounts],
        "metadata": dict(item.metadata_),
        "plan": render_plan(item.price),
        "price": render_price(item.price),
        "quantity": item.quantity,
        "subscription": item.subscription_id,
        "tax_rates": [render_tax_rate(rate) for rate in rates],
    }


def render_plan(price: Price) -> dict[str, Any]:
    """The legacy `plan` view of a recurring price, which Stripe still shows on items."""
    shown = render_price(price)
    return {
        "id": price.id,
        "object": "plan",
        "active": price.active,
        "amount": shown["unit_amount"],
        "amount_decimal": shown["unit_amount_decimal"],
        "billing_scheme": price.billing_scheme,
        "created": shown["created"],
        "currency": price.currency,
        "interval": price.recurring_interval,
        "interval_count": price.recurring_interval_count,
        "livemode": price.livemode,
        "metadata": shown["metadata"],
        "meter": price.recurring_meter,
        "nickname": price.nickname,
        "product": price.product_id,
        "tiers_mode": price.tiers_mode,
        "transform_usage": shown["transform_quantity"],
        "trial_period_days": price.recurring_trial_period_days,
        "usage_type": price.recurring_usage_type,
    }
