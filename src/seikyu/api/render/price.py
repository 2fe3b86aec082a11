"""price -> Stripe JSON. `tiers` and `currency_options` appear only when expanded."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from seikyu.api.render.common import ts
from seikyu.catalog import price_rules
from seikyu.catalog.price_rules import CurrencyTerms, CustomUnitAmount, Tier
from seikyu.db.models.prices import Price


def render_price(price: Price) -> dict[str, Any]:
    return {
        "id": price.id,
        "object": "price",
        "active": price.active,
        "billing_scheme": price.billing_scheme,
        "created": ts(price.created),
        "currency": price.currency,
        "custom_unit_amount": _custom(price.custom_unit_amount),
        "livemode": price.livemode,
        "lookup_key": price.lookup_key,
        "metadata": dict(price.metadata_),
        "nickname": price.nickname,
        "product": price.product_id,
        "recurring": _recurring(price),
        "tax_behavior": price.tax_behavior,
        "tiers_mode": price.tiers_mode,
        "transform_quantity": _transform(price.transform_quantity),
        "type": price.type,
        **_unit_amount(price.unit_amount_decimal),
    }


def render_tiers(price: Price) -> list[dict[str, Any]] | None:
    """The includable `tiers` field."""
    if price.tiers is None:
        return None
    return [_tier(Tier.from_json(tier)) for tier in price.tiers]


def render_currency_options(price: Price) -> dict[str, Any]:
    """The includable `currency_options` field: the price's own currency, then the others."""
    own = CurrencyTerms(
        unit_amount=price.unit_amount_decimal,
        custom_unit_amount=None
        if price.custom_unit_amount is None
        else CustomUnitAmount(**price.custom_unit_amount),
        tiers=None if price.tiers is None else tuple(Tier.from_json(tier) for tier in price.tiers),
        tax_behavior=price.tax_behavior,
    )
    out = {price.currency: _option(own)}
    for code, stored in sorted((price.currency_options or {}).items()):
        out[code] = _option(CurrencyTerms.from_json(stored))
    return out


def _option(option: CurrencyTerms) -> dict[str, Any]:
    custom = option.custom_unit_amount
    out: dict[str, Any] = {
        "custom_unit_amount": None
        if custom is None
        else {"maximum": custom.maximum, "minimum": custom.minimum, "preset": custom.preset},
        "tax_behavior": option.tax_behavior,
        **_unit_amount(option.unit_amount),
    }
    if option.tiers is not None:
        out["tiers"] = [_tier(tier) for tier in option.tiers]
    return out


def _unit_amount(amount: Decimal | None) -> dict[str, Any]:
    return {
        "unit_amount": price_rules.whole(amount),
        "unit_amount_decimal": price_rules.decimal_text(amount),
    }


def _tier(tier: Tier) -> dict[str, Any]:
    return {
        "flat_amount": price_rules.whole(tier.flat_amount),
        "flat_amount_decimal": price_rules.decimal_text(tier.flat_amount),
        "unit_amount": price_rules.whole(tier.unit_amount),
        "unit_amount_decimal": price_rules.decimal_text(tier.unit_amount),
        "up_to": tier.up_to,
    }


def _custom(stored: dict[str, Any] | None) -> dict[str, Any] | None:
    if stored is None:
        return None
    return {key: stored.get(key) for key in ("maximum", "minimum", "preset")}


def _recurring(price: Price) -> dict[str, Any] | None:
    if price.recurring_interval is None:
        return None
    return {
        "interval": price.recurring_interval,
        "interval_count": price.recurring_interval_count,
        "meter": price.recurring_meter,
        "trial_period_days": price.recurring_trial_period_days,
        "usage_type": price.recurring_usage_type,
    }


def _transform(stored: dict[str, Any] | None) -> dict[str, Any] | None:
    if stored is None:
        return None
    return {"divide_by": stored["divide_by"], "round": stored["round"]}
