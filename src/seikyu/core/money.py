"""Money in integer minor units, with one rounding function.

Amounts are `int` in the currency's minor unit everywhere (JPY has none: 700 is ¥700).
`Decimal` appears only for rates and sub-minor-unit prices, and becomes an `int` only
through `to_minor_units`.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, ROUND_UP, Decimal
from enum import StrEnum

from seikyu.core.errors import SeikyuError

# Stripe's zero-decimal currencies: the amount is in whole units.
ZERO_DECIMAL = frozenset("bif clp djf gnf jpy kmf krw mga pyg rwf ugx vnd vuv xaf xof xpf".split())
# Three-decimal currencies: the last digit of an amount must be 0.
THREE_DECIMAL = frozenset("bhd jod kwd omr tnd".split())

# Currencies Stripe accepts for presentment (ISO 4217, lower case).
SUPPORTED = frozenset(
    """
    usd aed afn all amd ang aoa ars aud awg azn bam bbd bdt bgn bhd bif bmd bnd bob brl
    bsd bwp byn bzd cad cdf chf clp cny cop crc cve czk djf dkk dop dzd egp etb eur fjd
    fkp gbp gel gip gmd gnf gtq gyd hkd hnl htg huf idr ils inr isk jmd jod jpy kes kgs
    khr kmf krw kwd kyd kzt lak lbp lkr lrd lsl mad mdl mga mkd mmk mnt mop mur mvr mwk
    mxn myr mzn nad ngn nio nok npr nzd omr pab pen pgk php pkr pln pyg qar ron rsd rub
    rwf sar sbd scr sek sgd shp sle sos srd std szl thb tjs tnd top try ttd twd tzs uah
    ugx uyu uzs vnd vuv wst xaf xcd xof xpf yer zar zmw
    """.split()
)

# Largest amount Stripe accepts in one charge-like field, in minor units (8 digits by default).
MAX_AMOUNT = 99_999_999
MAX_AMOUNT_BY_CURRENCY = {"idr": 999_999_999_999, "inr": 999_999_999}


# Stripe's minimum charge per currency, in minor units. A non-zero amount due below it is
# not charged: the invoice is marked paid and the amount carried to the customer balance.
MINIMUM_CHARGE = {
    "usd": 50, "aed": 200, "aud": 50, "bgn": 100, "brl": 50, "cad": 50, "chf": 50,
    "czk": 1500, "dkk": 250, "eur": 50, "gbp": 30, "hkd": 400, "huf": 17500, "inr": 50,
    "jpy": 50, "mxn": 1000, "myr": 200, "nok": 300, "nzd": 50, "pln": 200, "ron": 200,
    "sek": 300, "sgd": 50, "thb": 1000,
}  # fmt: skip


class Rounding(StrEnum):
    """How a Decimal becomes a whole minor unit.

    Every mode is symmetric around zero, so a credit rounds to exactly the negative of the
    matching debit: "down" truncates (JCT's 切り捨て), "up" rounds away from zero.
    """

    HALF_UP = "half_up"
    HALF_EVEN = "half_even"
    DOWN = "down"
    UP = "up"


_MODES = {
    Rounding.HALF_UP: ROUND_HALF_UP,
    Rounding.HALF_EVEN: ROUND_HALF_EVEN,
    Rounding.DOWN: ROUND_DOWN,
    Rounding.UP: ROUND_UP,
}


def exponent(currency: str) -> int:
    """Digits after the decimal point in the currency's major unit."""
    code = currency.lower()
    if code in ZERO_DECIMAL:
        return 0
    if code in THREE_DECIMAL:
        return 3
    return 2


def is_supported(currency: str) -> bool:
    return currency.lower() in SUPPORTED


def check_currency(currency: str, *, param: str) -> str:
    """The currency in lower case, or Stripe's error naming `param` if it is not supported."""
    code = currency.lower()
    if code not in SUPPORTED:
        raise SeikyuError(
            f"Invalid currency: {currency}. See https://stripe.com/docs/currencies for the "
            "supported currencies.",
            param=param,
        )
    return code


def to_minor_units(value: Decimal, rounding: Rounding = Rounding.HALF_UP) -> int:
    """Round a Decimal amount already expressed in minor units to a whole minor unit.

    The single rounding point of the system: every Decimal becomes money here.
    """
    return int(value.quantize(Decimal(1), rounding=_MODES[rounding]))


def max_amount(currency: str) -> int:
    return MAX_AMOUNT_BY_CURRENCY.get(currency.lower(), MAX_AMOUNT)


def charge_step(currency: str) -> int:
    """The granularity a charge must have, in minor units.

    Three-decimal currencies are charged in multiples of 10 (the last digit must be 0).
    ISK is written with two decimals on the wire but has no minor unit in use, so its
    charges are whole krónur: multiples of 100.
    """
    code = currency.lower()
    if code in THREE_DECIMAL:
        return 10
    return 100 if code == "isk" else 1


def from_major_units(amount: Decimal, currency: str) -> int:
    """An amount in the currency's major unit (10 USD) as the API's integer (1000).

    Refuses amounts finer than the minor unit instead of rounding them silently.
    """
    minor = amount.scaleb(exponent(currency))
    if minor != minor.to_integral_value():
        raise ValueError(f"{amount} {currency} has more decimals than the currency allows")
    return int(minor)


def minimum_charge(currency: str) -> int:
    """The smallest non-zero amount Stripe would charge, in minor units.

    Currencies outside Stripe's published table get the equivalent of half a major unit,
    or one whole unit where the currency has no minor unit.
    """
    code = currency.lower()
    if code in MINIMUM_CHARGE:
        return MINIMUM_CHARGE[code]
    return 1 if exponent(code) == 0 else 10 ** exponent(code) // 2


def format_major(amount: int, currency: str) -> str:
    """An amount in minor units written in major units for people: 123450 usd -> "1,234.50"."""
    digits = exponent(currency)
    return f"{Decimal(amount).scaleb(-digits):,.{digits}f}"
