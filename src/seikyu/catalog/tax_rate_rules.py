"""Rules for manual tax rates: pure functions over plain values, importable anywhere."""

from __future__ import annotations

import re
from decimal import Decimal

from seikyu.core.errors import SeikyuError

MAX_PERCENTAGE = Decimal(100)
PERCENTAGE_PLACES = 4

# Stripe's `tax_type` values for API 2026-10-28 (the pinned SDK's enum).
TAX_TYPES = frozenset(
    """
    admissions_tax amusement_tax attendance_tax communications_tax digital_excise_tax
    entertainment_tax get_fund gross_receipts_tax gst hospitality_tax hst igst jct lease_tax
    luxury_tax mass_transit_parking_tax nhil parking_tax pst qst resort_tax
    retail_delivery_fee rst sales_tax service_tax tourism_tax utility_users_tax vat
    """.split()
)

_COUNTRY = re.compile(r"^[A-Za-z]{2}$")
# ISO 3166-2 subdivision codes without the country prefix are one to three letters or digits.
_STATE = re.compile(r"^[A-Za-z0-9]{1,3}$")


def decimal_places(value: Decimal) -> int:
    """Digits after the point that carry meaning: 8.50 has one, 100 has none."""
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def canonical(value: Decimal) -> Decimal:
    """The same number without trailing zeros or an exponent, so it is stored one way."""
    if value == value.to_integral_value():
        return Decimal(int(value))
    return value.normalize()


def check_percentage(value: Decimal) -> Decimal:
    if not value.is_finite() or value < 0 or value > MAX_PERCENTAGE:
        raise SeikyuError(
            f"Invalid percentage: {value}. Percentage must be between 0 and 100.",
            param="percentage",
        )
    if decimal_places(value) > PERCENTAGE_PLACES:
        raise SeikyuError(
            f"Invalid percentage: {value}. Percentage can have at most "
            f"{PERCENTAGE_PLACES} decimal places.",
            param="percentage",
        )
    return canonical(value)


def check_tax_type(value: str | None) -> str | None:
    if value is not None and value not in TAX_TYPES:
        raise SeikyuError(
            f"Invalid tax_type: must be one of {', '.join(sorted(TAX_TYPES))}",
            param="tax_type",
            code="parameter_invalid_enum",
        )
    return value


def check_country(value: str | None) -> str | None:
    """A two-letter ISO 3166-1 code, stored upper-case."""
    if value is None:
        return None
    if not _COUNTRY.match(value):
        raise SeikyuError(
            f"Invalid country: {value}. Use a two-letter ISO 3166-1 country code.",
            param="country",
        )
    return value.upper()


def check_state(value: str | None) -> str | None:
    """An ISO 3166-2 subdivision code without its country prefix ("NY", "13")."""
    if value is None:
        return None
    if not _STATE.match(value):
        raise SeikyuError(
            f"Invalid state: {value}. Use an ISO 3166-2 subdivision code without the "
            "country prefix, for example NY.",
            param="state",
        )
    return value.upper()
