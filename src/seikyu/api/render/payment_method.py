"""payment_method -> Stripe JSON."""

from __future__ import annotations

from typing import Any

from seikyu.api.render.common import ts
from seikyu.api.render.customer import EMPTY_ADDRESS
from seikyu.db.models.payment_methods import PaymentMethod
from seikyu.payments.domain.cards import display_brand

EMPTY_BILLING_DETAILS: dict[str, Any] = {
    "address": EMPTY_ADDRESS,
    "email": None,
    "name": None,
    "phone": None,
    "tax_id": None,
}


def render_billing_details(details: dict[str, Any] | None) -> dict[str, Any]:
    """Every field Stripe shows, null where not given."""
    details = details or {}
    address = {**EMPTY_BILLING_DETAILS["address"], **(details.get("address") or {})}
    return {**EMPTY_BILLING_DETAILS, **details, "address": address}


def render_payment_method(payment_method: PaymentMethod) -> dict[str, Any]:
    return {
        "id": payment_method.id,
        "object": "payment_method",
        "allow_redisplay": payment_method.allow_redisplay,
        "billing_details": render_billing_details(payment_method.billing_details),
        "card": _card(payment_method),
        "created": ts(payment_method.created),
        "customer": payment_method.customer_id,
        "customer_account": None,
        "livemode": payment_method.livemode,
        "metadata": dict(payment_method.metadata_),
        "type": payment_method.type,
    }


def _card(payment_method: PaymentMethod) -> dict[str, Any]:
    brand = payment_method.card_brand
    return {
        "brand": brand,
        "checks": {
            "address_line1_check": None,
            "address_postal_code_check": None,
            "cvc_check": payment_method.cvc_check,
        },
        "country": payment_method.card_country,
        "display_brand": display_brand(brand),  # type: ignore[arg-type]
        "exp_month": payment_method.card_exp_month,
        "exp_year": payment_method.card_exp_year,
        "fingerprint": payment_method.card_fingerprint,
        "funding": payment_method.card_funding,
        "generated_from": None,
        "last4": payment_method.card_last4,
        "networks": {"available": [brand], "preferred": None},
        "regulated_status": "unregulated",
        "three_d_secure_usage": {"supported": True},
        "wallet": None,
    }
