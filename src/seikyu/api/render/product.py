"""product -> Stripe JSON."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from seikyu.api.render.common import deleted_stub, json_number, ts
from seikyu.db.models.products import Product

DIMENSIONS = ("height", "length", "weight", "width")


def render_product(product: Product) -> dict[str, Any]:
    return {
        "id": product.id,
        "object": "product",
        "active": product.active,
        "created": ts(product.created),
        "default_price": product.default_price_id,
        "description": product.description,
        "images": list(product.images or []),
        "livemode": product.livemode,
        "marketing_features": [
            {"name": feature.get("name")} for feature in product.marketing_features or []
        ],
        "metadata": dict(product.metadata_),
        "name": product.name,
        "package_dimensions": _dimensions(product.package_dimensions),
        "shippable": product.shippable,
        "statement_descriptor": product.statement_descriptor,
        "tax_code": product.tax_code,
        "type": product.type,
        "unit_label": product.unit_label,
        "updated": ts(product.updated),
        "url": product.url,
    }


def render_deleted_product(product: Product) -> dict[str, Any]:
    return deleted_stub(product.id, "product")


def _dimensions(stored: dict[str, Any] | None) -> dict[str, Any] | None:
    if stored is None:
        return None
    return {name: _number(stored[name]) for name in DIMENSIONS}


def _number(text: str) -> int | float:
    # Inches and ounces, not money: whole values print as integers, as Stripe shows them.
    value = Decimal(text)
    return int(value) if value == value.to_integral_value() else json_number(value)
