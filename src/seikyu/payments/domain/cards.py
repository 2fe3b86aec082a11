"""Card numbers, expiry dates and CVCs: validation with Stripe's card errors, and the few
facts Seikyu may keep about a card (brand, country, funding, last4, expiry, fingerprint).

A full card number is never stored or logged: it lives only in the request that carries it,
long enough to be checked, fingerprinted and mapped to a processor's handle.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import date
from typing import Literal

from seikyu.core.errors import ErrorType, Kind, SeikyuError

Brand = Literal["visa", "mastercard", "amex", "discover", "diners", "jcb", "unionpay", "unknown"]
Funding = Literal["credit", "debit", "prepaid", "unknown"]

BRANDS: tuple[Brand, ...] = (
    "visa",
    "mastercard",
    "amex",
    "discover",
    "diners",
    "jcb",
    "unionpay",
    "unknown",
)
FUNDINGS: tuple[Funding, ...] = ("credit", "debit", "prepaid", "unknown")

MIN_LENGTH = 12
MAX_LENGTH = 19
# Stripe rejects expiry years further out than this with invalid_expiry_year; the exact
# horizon is not documented, 50 mirrors the 50-year window Stripe uses for past years.
MAX_YEARS_AHEAD = 50

_DIGITS = frozenset("0123456789")

# IIN prefixes as Stripe's own client SDKs recognise them: (first digits, low, high, brand).
# Ranges are compared on the leading `first digits` digits, inclusive.
_IIN_RANGES: tuple[tuple[int, int, int, Brand], ...] = (
    (2, 34, 34, "amex"),
    (2, 37, 37, "amex"),
    (2, 30, 30, "diners"),
    (2, 36, 36, "diners"),
    (2, 38, 39, "diners"),
    (2, 35, 35, "jcb"),
    (1, 4, 4, "visa"),
    (2, 51, 55, "mastercard"),
    (4, 2221, 2720, "mastercard"),
    (2, 60, 60, "discover"),
    (2, 64, 65, "discover"),
    (2, 62, 62, "unionpay"),
    (2, 81, 81, "unionpay"),
)

# Stripe's `display_brand` spells some brands out in full.
_DISPLAY_BRANDS: dict[Brand, str] = {
    "amex": "american_express",
    "diners": "diners_club",
    "unionpay": "union_pay",
    "unknown": "other",
}

_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
FINGERPRINT_LENGTH = 16


@dataclass(frozen=True, slots=True)
class CardDetails:
    """What Seikyu keeps about a card: everything Stripe shows, nothing that can charge it."""

    brand: Brand
    country: str | None
    funding: Funding
    last4: str
    exp_month: int
    exp_year: int


def card_error(
    message: str, *, code: str, param: str | None = None, decline_code: str | None = None
) -> SeikyuError:
    """A Stripe `card_error`: the request was valid but the card cannot be used (HTTP 402)."""
    return SeikyuError(
        message,
        type=ErrorType.CARD,
        kind=Kind.REQUEST_FAILED,
        code=code,
        param=param,
        decline_code=decline_code,
    )


def _is_digits(value: str) -> bool:
    return bool(value) and set(value) <= _DIGITS


def _require_digits(number: str) -> None:
    if not _is_digits(number):
        raise ValueError(f"a card number must be ASCII digits only, got {len(number)} chars")


def luhn_valid(number: str) -> bool:
    """True when `number` is all digits and passes the Luhn checksum; never raises."""
    if not _is_digits(number):
        return False
    total = 0
    for position, char in enumerate(reversed(number)):
        digit = ord(char) - ord("0")
        if position % 2 == 1:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def brand_of(number: str) -> Brand:
    """Stripe's brand name for a card number, from its IIN prefix; "unknown" if none fits."""
    _require_digits(number)
    for width, low, high, brand in _IIN_RANGES:
        if len(number) >= width and low <= int(number[:width]) <= high:
            return brand
    return "unknown"


def display_brand(brand: Brand) -> str:
    """Stripe's `card.display_brand` for a brand (`amex` is shown as `american_express`)."""
    return _DISPLAY_BRANDS.get(brand, brand)


def incorrect_number() -> SeikyuError:
    return card_error("Your card number is incorrect.", code="incorrect_number", param="number")


def normalize_number(raw: str) -> str:
    """The digits of a card number as typed: spaces and dashes dropped.

    Raises Stripe's `incorrect_number` card error when anything but digits remains or the
    length is outside 12-19; the Luhn checksum is `check_card`'s concern.
    """
    digits = raw.replace(" ", "").replace("-", "")
    if not _is_digits(digits) or not MIN_LENGTH <= len(digits) <= MAX_LENGTH:
        raise incorrect_number()
    return digits


def last4(number: str) -> str:
    """The last four digits, the only part of the number Seikyu shows or keeps."""
    _require_digits(number)
    if len(number) < 4:
        raise ValueError("a card number has at least four digits")
    return number[-4:]


def full_expiry_year(exp_year: int, *, today: date) -> int:
    """A four-digit expiry year; a two-digit one is read within 50 years either side of today.

    Stripe reads a two-digit year such as 95 as a past year (1995), so the century is the one
    that puts the year closest to today.
    """
    if not 0 <= exp_year <= 99:
        return exp_year
    year = today.year - today.year % 100 + exp_year
    if year > today.year + 49:
        year -= 100
    elif year < today.year - 50:
        year += 100
    return year


def check_card(number: str, exp_month: int, exp_year: int, cvc: str | None, *, today: date) -> None:
    """Raise the card error Stripe gives for the first invalid detail; return if all are valid.

    In Stripe's order: number (`incorrect_number`), month (`invalid_expiry_month`), year
    (`invalid_expiry_year`), CVC (`invalid_cvc`: 3 digits, 4 for American Express). A card
    is valid through the last day of its expiry month. A missing CVC is not checked, as Stripe.
    """
    digits = normalize_number(number)
    if not luhn_valid(digits):
        raise incorrect_number()
    check_expiry(exp_month, exp_year, today=today)
    if cvc is not None:
        expected = 4 if brand_of(digits) == "amex" else 3
        if len(cvc) != expected or not _is_digits(cvc):
            raise card_error(
                "Your card's security code is invalid.", code="invalid_cvc", param="cvc"
            )


def check_expiry(exp_month: int, exp_year: int, *, today: date) -> None:
    """Raise Stripe's card error for an impossible or past expiry."""
    if not 1 <= exp_month <= 12:
        raise _invalid_month()
    year = full_expiry_year(exp_year, today=today)
    if year < today.year or year > today.year + MAX_YEARS_AHEAD:
        raise card_error(
            "Your card's expiration year is invalid.",
            code="invalid_expiry_year",
            param="exp_year",
        )
    # Stripe documents the past-year case only; a past month of this year is its month twin.
    if year == today.year and exp_month < today.month:
        raise _invalid_month()


def _invalid_month() -> SeikyuError:
    return card_error(
        "Your card's expiration month is invalid.", code="invalid_expiry_month", param="exp_month"
    )


def fingerprint(number: str, key: bytes) -> str:
    """A keyed fingerprint of a card number: 16 characters from [0-9A-Za-z].

    The same number and key always give the same fingerprint, so duplicates can be found
    without keeping the number; without the key it cannot be reversed or recomputed.
    """
    _require_digits(number)
    if not key:
        raise ValueError("a fingerprint key must not be empty")
    value = int.from_bytes(hmac.new(key, number.encode("ascii"), hashlib.sha256).digest(), "big")
    chars = []
    for _ in range(FINGERPRINT_LENGTH):
        value, index = divmod(value, len(_BASE62))
        chars.append(_BASE62[index])
    return "".join(chars)
