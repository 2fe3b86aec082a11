"""What rules read about a payment: Radar's attributes from the payment and its signals.

`:amount_in_usd:` is known only for payments in dollars: Seikyu keeps no exchange rates,
so for another currency the attribute is missing (a rule on it does not match; use
`:amount:` with `:currency:`). `:ip_country:` is missing too unless the integration
passes it: Seikyu ships no IP geolocation database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from seikyu.risk.domain.rule_evaluation import FactValue
from seikyu.risk.domain.signals import KeyVelocity, PaymentSignals, WindowCounts

# Radar's name for each velocity key, and the signals' name for it.
VELOCITY_KEYS = {
    "card_number": "card",
    "ip_address": "ip",
    "email": "email",
    "customer": "customer",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class PaymentFacts:
    """The payment's own attributes, as the payments side knows them."""

    amount: int
    currency: str
    currency_exponent: int
    is_setup: bool
    is_off_session: bool
    card_fingerprint: str
    card_bin: str | None
    card_brand: str
    card_funding: str
    card_country: str | None
    cvc_check: str | None
    billing_country: str | None
    shipping_country: str | None
    ip_address: str | None
    ip_country: str | None
    email: str | None
    customer_id: str | None
    three_d_secure_authenticated: bool


def attributes(
    payment: PaymentFacts,
    signals: PaymentSignals | None,
    all_time: Mapping[str, WindowCounts],
) -> dict[str, FactValue]:
    """Every attribute known for the payment; an unknown one is left out (missing).

    `all_time` holds each velocity key's counts without a window, by the signals' key
    name (`card`, `ip`, `email`, `customer`); without signals no velocity is known."""
    email = payment.email.lower() if payment.email else None
    facts: dict[str, FactValue] = {
        "amount": payment.amount,
        "currency": payment.currency,
        "is_setup": payment.is_setup,
        "is_off_session": payment.is_off_session,
        "is_3d_secure": payment.three_d_secure_authenticated,
        "is_3d_secure_authenticated": payment.three_d_secure_authenticated,
        "card_fingerprint": payment.card_fingerprint,
        "card_bin": payment.card_bin,
        "card_brand": payment.card_brand,
        "card_funding": payment.card_funding,
        "card_country": payment.card_country,
        "cvc_check": payment.cvc_check,
        "billing_address_country": payment.billing_country,
        "shipping_address_country": payment.shipping_country,
        "ip_address": payment.ip_address,
        "ip_country": payment.ip_country,
        "email": email,
        "email_domain": email.rsplit("@", 1)[1] if email and "@" in email else None,
        "customer": payment.customer_id,
    }
    if payment.currency == "usd":
        facts["amount_in_usd"] = Decimal(payment.amount).scaleb(-payment.currency_exponent)
    if signals is not None:
        facts["seconds_since_card_first_seen"] = signals.seconds_since_card_first_seen
        facts["seconds_since_customer_created"] = signals.seconds_since_customer_created
        facts["is_new_card_on_customer"] = signals.is_new_card_on_customer
        for radar_key, key in VELOCITY_KEYS.items():
            if not _has_key(payment, key):
                continue  # no IP, email or customer: its velocities are missing, not zero
            velocity: KeyVelocity = getattr(signals.velocities, key)
            windows = {
                "hourly": velocity.hourly,
                "daily": velocity.daily,
                "weekly": velocity.weekly,
                "all_time": all_time.get(key, WindowCounts()),
            }
            for window, counts in windows.items():
                for outcome in ("total", "authorized", "declined", "blocked"):
                    facts[f"{outcome}_charges_per_{radar_key}_{window}"] = getattr(counts, outcome)
    return {name: value for name, value in facts.items() if value is not None}


def _has_key(payment: PaymentFacts, key: str) -> bool:
    value = {
        "card": payment.card_fingerprint,
        "ip": payment.ip_address,
        "email": payment.email,
        "customer": payment.customer_id,
    }[key]
    return value is not None
