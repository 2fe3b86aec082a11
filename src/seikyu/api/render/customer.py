"""customer -> Stripe JSON."""

from __future__ import annotations

from typing import Any

from seikyu.api.render.common import deleted_stub, ts
from seikyu.api.render.discount import render_discount
from seikyu.db.models import Customer

EMPTY_ADDRESS = {
    "city": None,
    "country": None,
    "line1": None,
    "line2": None,
    "postal_code": None,
    "state": None,
}


def render_customer(customer: Customer) -> dict[str, Any]:
    if customer.deleted_at is not None:
        return deleted_stub(customer.id, "customer")
    settings = customer.invoice_settings or {}
    return {
        "id": customer.id,
        "object": "customer",
        "address": _address(customer.address),
        "balance": customer.balance,
        "business_name": customer.business_name,
        "created": ts(customer.created),
        "currency": customer.currency,
        "customer_account": None,
        "default_source": None,
        "delinquent": customer.delinquent,
        "description": customer.description,
        "discount": _discount(customer),
        "email": customer.email,
        "individual_name": customer.individual_name,
        "invoice_prefix": customer.invoice_prefix,
        "invoice_settings": {
            "custom_fields": settings.get("custom_fields"),
            "default_payment_method": settings.get("default_payment_method"),
            "footer": settings.get("footer"),
            "rendering_options": settings.get("rendering_options"),
        },
        "livemode": customer.livemode,
        "metadata": dict(customer.metadata_),
        "name": customer.name,
        "next_invoice_sequence": customer.next_invoice_sequence,
        "phone": customer.phone,
        "preferred_locales": list(customer.preferred_locales or []),
        "shipping": _shipping(customer.shipping),
        "tax_exempt": customer.tax_exempt,
        "test_clock": customer.test_clock,
    }


def _discount(customer: Customer) -> dict[str, Any] | None:
    """The customer's own discount: the first, as Stripe shows one only."""
    own = customer.discounts
    return render_discount(own[0]) if own else None


def _address(address: dict[str, Any] | None) -> dict[str, Any] | None:
    if address is None:
        return None
    return {**EMPTY_ADDRESS, **address}


def _shipping(shipping: dict[str, Any] | None) -> dict[str, Any] | None:
    if shipping is None:
        return None
    return {
        "address": _address(shipping.get("address")) or dict(EMPTY_ADDRESS),
        "name": shipping.get("name"),
        "phone": shipping.get("phone"),
    }
