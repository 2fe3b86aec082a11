"""The attributes a Radar rule may name, each with the type of value it holds.

A rule writes an attribute as `:name:`. The registry maps the bare name to its `ValueType`;
the parser rejects names not in it and checks that every comparison fits the type.

Strings (compared case-insensitively, see `rule_evaluation`):
    risk_level, card_country, ip_country, billing_address_country,
    shipping_address_country, card_brand, card_funding, card_bin, card_fingerprint,
    card_3d_secure_support, cvc_check, address_line1_check, address_zip_check, email,
    email_domain, ip_address, customer, currency, digital_wallet, destination
Numbers (integers or decimals, never floats):
    risk_score, amount, amount_in_usd, seconds_since_card_first_seen,
    seconds_since_customer_created, seconds_since_email_first_seen, and the velocity counts
    `{total,authorized,declined,blocked}_charges_per_{card_number,ip_address,email,customer}`
    `_{hourly,daily,weekly,all_time}` (64 names, e.g. `declined_charges_per_ip_address_hourly`)
Booleans:
    is_new_card_on_customer, is_3d_secure, is_3d_secure_authenticated, is_setup,
    is_anonymous_ip, is_disposable_email, is_off_session, is_recurring, is_checkout

`:amount:` is in the payment's currency's minor unit, so a rule on it usually also tests
`:currency:`; `:amount_in_usd:` is converted and in dollars (a decimal).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from itertools import product
from types import MappingProxyType


class ValueType(StrEnum):
    STRING = "string"
    NUMBER = "number"
    BOOLEAN = "boolean"


_STRINGS = (
    "risk_level",
    "card_country",
    "ip_country",
    "billing_address_country",
    "shipping_address_country",
    "card_brand",
    "card_funding",
    "card_bin",
    "card_fingerprint",
    "card_3d_secure_support",
    "cvc_check",
    "address_line1_check",
    "address_zip_check",
    "email",
    "email_domain",
    "ip_address",
    "customer",
    "currency",
    "digital_wallet",
    "destination",
)
_NUMBERS = (
    "risk_score",
    "amount",
    "amount_in_usd",
    "seconds_since_card_first_seen",
    "seconds_since_customer_created",
    "seconds_since_email_first_seen",
)
_BOOLEANS = (
    "is_new_card_on_customer",
    "is_3d_secure",
    "is_3d_secure_authenticated",
    "is_setup",
    "is_anonymous_ip",
    "is_disposable_email",
    "is_off_session",
    "is_recurring",
    "is_checkout",
)

VELOCITY_OUTCOMES = ("total", "authorized", "declined", "blocked")
VELOCITY_KEYS = ("card_number", "ip_address", "email", "customer")
VELOCITY_WINDOWS = ("hourly", "daily", "weekly", "all_time")

VELOCITY_ATTRIBUTES = tuple(
    f"{outcome}_charges_per_{key}_{window}"
    for outcome, key, window in product(VELOCITY_OUTCOMES, VELOCITY_KEYS, VELOCITY_WINDOWS)
)

ATTRIBUTES: Mapping[str, ValueType] = MappingProxyType(
    {
        **dict.fromkeys(_STRINGS, ValueType.STRING),
        **dict.fromkeys(_NUMBERS, ValueType.NUMBER),
        **dict.fromkeys(VELOCITY_ATTRIBUTES, ValueType.NUMBER),
        **dict.fromkeys(_BOOLEANS, ValueType.BOOLEAN),
    }
)

# Metadata of the payment itself is `::key::`; these objects' metadata is `::scope:key::`.
METADATA_SCOPES = frozenset({"customer", "destination", "payment_method"})


def attribute_type(name: str) -> ValueType | None:
    """The type of attribute `name` (without colons), or None when Radar has no such one."""
    return ATTRIBUTES.get(name)
