"""Rules for coupons and promotion codes: pure functions over small frozen values.

They decide whether terms are acceptable and whether a coupon or code can still be
redeemed. Nothing here reads a clock or a database: callers pass "now" and the state.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal

from seikyu.catalog.tax_rate_rules import canonical, decimal_places
from seikyu.core import money
from seikyu.core.errors import SeikyuError, missing

DURATIONS = ("once", "repeating", "forever")
MAX_PERCENT_OFF = Decimal(100)
PERCENT_OFF_PLACES = 2
REDEEM_BY_HORIZON_YEARS = 5
# A century. Stripe names no limit; this one keeps discount end dates within a datetime.
MAX_DURATION_IN_MONTHS = 1200

MAX_COUPON_ID_LENGTH = 200
# Coupon ids travel in URL paths (/v1/coupons/{id}): only characters that need no escaping.
_COUPON_ID = re.compile(r"^[A-Za-z0-9_.~-]+$")

MAX_CODE_LENGTH = 500
_CODE = re.compile(r"^[A-Za-z0-9-]+$")


# --- coupons ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CouponTerms:
    """What a coupon takes off, for how long, and how often it may be redeemed."""

    percent_off: Decimal | None = None
    amount_off: int | None = None
    currency: str | None = None
    duration: str = "once"
    duration_in_months: int | None = None
    max_redemptions: int | None = None
    redeem_by: datetime | None = None
    # amount_off in other currencies, by lower-case currency code
    currency_options: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class CouponState:
    """What decides whether a coupon can still be redeemed."""

    deleted: bool = False
    redeem_by: datetime | None = None
    max_redemptions: int | None = None
    times_redeemed: int = 0


def check_coupon_id(coupon_id: str) -> str:
    if len(coupon_id) > MAX_COUPON_ID_LENGTH or not _COUPON_ID.match(coupon_id):
        raise SeikyuError(
            f"Invalid id: {coupon_id[:40]}. A coupon id is 1 to {MAX_COUPON_ID_LENGTH} "
            "letters, digits, '-', '_', '.' or '~'.",
            param="id",
        )
    return coupon_id


def check_coupon_terms(terms: CouponTerms, now: datetime) -> CouponTerms:
    """The terms, normalised (currencies lower-case, percent without trailing zeros).

    Raises the first problem found, naming its parameter, as Stripe reports one at a time.
    """
    if terms.percent_off is not None and terms.amount_off is not None:
        raise SeikyuError(
            "You may only specify one of these parameters: amount_off, percent_off.",
            code="parameters_exclusive",
        )
    if terms.percent_off is None and terms.amount_off is None:
        raise SeikyuError(
            "Missing required param: percent_off or amount_off. A coupon needs exactly one.",
            param="percent_off",
            code="parameter_missing",
        )
    percent_off = None if terms.percent_off is None else check_percent_off(terms.percent_off)
    currency = None if terms.currency is None else check_currency(terms.currency, "currency")
    if terms.amount_off is not None:
        if currency is None:
            raise missing("currency")
        check_amount(terms.amount_off, currency, "amount_off", minimum=1)
    options = check_coupon_currency_options(
        terms.currency_options, amount_off=terms.amount_off, currency=currency
    )
    check_duration(terms.duration, terms.duration_in_months)
    if terms.max_redemptions is not None and terms.max_redemptions < 1:
        raise _too_small("max_redemptions", 1)
    if terms.redeem_by is not None:
        check_redeem_by(terms.redeem_by, now)
    return replace(terms, percent_off=percent_off, currency=currency, currency_options=options)


def check_percent_off(value: Decimal) -> Decimal:
    if not value.is_finite() or value <= 0 or value > MAX_PERCENT_OFF:
        raise SeikyuError(
            f"Invalid percent_off: {value}. It must be greater than 0 and at most 100.",
            param="percent_off",
        )
    if decimal_places(value) > PERCENT_OFF_PLACES:
        raise SeikyuError(
            f"Invalid percent_off: {value}. It can have at most {PERCENT_OFF_PLACES} "
            "decimal places.",
            param="percent_off",
        )
    return canonical(value)


def check_duration(duration: str, duration_in_months: int | None) -> None:
    if duration not in DURATIONS:
        raise SeikyuError(
            f"Invalid duration: must be one of {', '.join(DURATIONS)}",
            param="duration",
            code="parameter_invalid_enum",
        )
    if duration == "repeating":
        if duration_in_months is None:
            raise missing("duration_in_months")
        if duration_in_months < 1:
            raise _too_small("duration_in_months", 1)
        if duration_in_months > MAX_DURATION_IN_MONTHS:
            raise SeikyuError(
                f"Invalid duration_in_months: must be at most {MAX_DURATION_IN_MONTHS}.",
                param="duration_in_months",
                code="parameter_invalid_integer",
            )
    elif duration_in_months is not None:
        raise SeikyuError(
            "duration_in_months can only be set when duration is 'repeating'.",
            param="duration_in_months",
        )


def check_redeem_by(redeem_by: datetime, now: datetime) -> None:
    if redeem_by <= now:
        raise SeikyuError("redeem_by must be in the future.", param="redeem_by")
    if redeem_by > add_years(now, REDEEM_BY_HORIZON_YEARS):
        raise SeikyuError(
            f"redeem_by can be at most {REDEEM_BY_HORIZON_YEARS} years in the future.",
            param="redeem_by",
        )


def check_coupon_currency_options(
    options: Mapping[str, int], *, amount_off: int | None, currency: str | None
) -> dict[str, int]:
    """Per-currency amounts of an amount_off coupon; its own currency must keep its amount."""
    if not options:
        return {}
    if amount_off is None or currency is None:
        raise SeikyuError(
            "currency_options can only be set on a coupon with amount_off.",
            param="currency_options",
        )
    checked: dict[str, int] = {}
    for raw, amount in options.items():
        code = check_currency(raw, f"currency_options[{raw}]")
        param = f"currency_options[{raw}][amount_off]"
        check_amount(amount, code, param, minimum=1)
        if code == currency and amount != amount_off:
            raise SeikyuError(
                f"The amount_off for {code}, the coupon's currency, is {amount_off} and "
                "cannot be changed.",
                param=param,
            )
        if code != currency:
            checked[code] = amount
    return checked


def coupon_valid(state: CouponState, now: datetime) -> bool:
    """Whether the coupon can still be applied to a new customer."""
    if state.deleted:
        return False
    if state.redeem_by is not None and state.redeem_by <= now:
        return False
    return state.max_redemptions is None or state.times_redeemed < state.max_redemptions


# --- promotion codes -------------------------------------------------------------------


@dataclass(frozen=True)
class Restrictions:
    first_time_transaction: bool = False
    minimum_amount: int | None = None
    minimum_amount_currency: str | None = None
    # minimum_amount in other currencies, by lower-case currency code
    currency_options: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class PromotionCodeTerms:
    code: str | None = None  # None: the caller generates one
    customer: str | None = None
    expires_at: datetime | None = None
    max_redemptions: int | None = None
    restrictions: Restrictions = field(default_factory=Restrictions)


def check_code(code: str) -> str:
    if len(code) > MAX_CODE_LENGTH or not _CODE.match(code):
        raise SeikyuError(
            f"Invalid code: {code[:40]}. A promotion code may contain only letters (a-z, "
            f"A-Z), digits (0-9) and dashes (-), at most {MAX_CODE_LENGTH} characters.",
            param="code",
        )
    return code


def fold_code(code: str) -> str:
    """Codes are compared regardless of case."""
    return code.lower()


def codes_clash(customer: str | None, other_customer: str | None) -> bool:
    """Whether two active codes with the same string would be ambiguous at redemption.

    An unrestricted code clashes with any other; codes restricted to customers clash only
    when they are for the same customer.
    """
    return customer is None or other_customer is None or customer == other_customer


def check_promotion_code_terms(
    terms: PromotionCodeTerms, coupon: CouponState, now: datetime
) -> PromotionCodeTerms:
    """The terms with expires_at filled from the coupon's redeem_by when not given."""
    if terms.code is not None:
        check_code(terms.code)
    if not coupon_valid(coupon, now):
        raise SeikyuError(
            "This coupon is no longer valid, so no promotion code can be created for it.",
            param="promotion[coupon]",
        )
    expires_at = terms.expires_at
    if expires_at is not None:
        if expires_at <= now:
            raise SeikyuError("expires_at must be in the future.", param="expires_at")
        if coupon.redeem_by is not None and expires_at > coupon.redeem_by:
            raise SeikyuError(
                "expires_at cannot be later than the coupon's redeem_by "
                f"({int(coupon.redeem_by.timestamp())}).",
                param="expires_at",
            )
    else:
        expires_at = coupon.redeem_by
    if terms.max_redemptions is not None:
        if terms.max_redemptions < 1:
            raise _too_small("max_redemptions", 1)
        if coupon.max_redemptions is not None and terms.max_redemptions > coupon.max_redemptions:
            raise SeikyuError(
                "max_redemptions cannot be greater than the coupon's max_redemptions "
                f"({coupon.max_redemptions}).",
                param="max_redemptions",
            )
    restrictions = check_restrictions(terms.restrictions)
    return replace(terms, expires_at=expires_at, restrictions=restrictions)


def check_restrictions(restrictions: Restrictions) -> Restrictions:
    amount, currency = restrictions.minimum_amount, restrictions.minimum_amount_currency
    if amount is not None and currency is None:
        raise missing("restrictions[minimum_amount_currency]")
    if currency is not None and amount is None:
        raise missing("restrictions[minimum_amount]")
    if currency is not None and amount is not None:
        currency = check_currency(currency, "restrictions[minimum_amount_currency]")
        check_amount(amount, currency, "restrictions[minimum_amount]", minimum=0)
    options = check_minimum_amount_options(restrictions.currency_options, currency)
    return replace(restrictions, minimum_amount_currency=currency, currency_options=options)


def check_minimum_amount_options(
    options: Mapping[str, int], minimum_amount_currency: str | None
) -> dict[str, int]:
    if not options:
        return {}
    if minimum_amount_currency is None:
        raise SeikyuError(
            "restrictions[currency_options] needs restrictions[minimum_amount] and "
            "restrictions[minimum_amount_currency] on the promotion code.",
            param="restrictions[currency_options]",
        )
    checked: dict[str, int] = {}
    for raw, amount in options.items():
        code = check_currency(raw, f"restrictions[currency_options][{raw}]")
        if code == minimum_amount_currency:
            raise SeikyuError(
                f"restrictions[currency_options] cannot include {code}, the promotion "
                "code's minimum_amount_currency.",
                param=f"restrictions[currency_options][{raw}]",
            )
        check_amount(
            amount, code, f"restrictions[currency_options][{raw}][minimum_amount]", minimum=0
        )
        checked[code] = amount
    return checked


def lapse_reason(
    *,
    expires_at: datetime | None,
    max_redemptions: int | None,
    times_redeemed: int,
    coupon_is_valid: bool,
    now: datetime,
) -> str | None:
    """Why a promotion code can never be redeemed again, or None while it still can be.

    Each reason is permanent: time only moves forward, redemptions are never returned,
    and an invalid coupon never becomes valid again.
    """
    if not coupon_is_valid:
        return "its coupon is no longer valid"
    if expires_at is not None and expires_at <= now:
        return "it has expired"
    if max_redemptions is not None and times_redeemed >= max_redemptions:
        return "it has reached its max_redemptions"
    return None


def refuse_reactivation(code: str, reason: str) -> SeikyuError:
    return SeikyuError(
        f"The promotion code {code} cannot be reactivated because {reason}.",
        param="active",
    )


# --- shared ----------------------------------------------------------------------------


def check_currency(currency: str, param: str) -> str:
    return money.check_currency(currency, param=param)


def check_amount(amount: int, currency: str, param: str, *, minimum: int) -> None:
    if amount < minimum:
        raise _too_small(param, minimum)
    ceiling = money.max_amount(currency)
    if amount > ceiling:
        raise SeikyuError(
            f"Invalid {param}: must be at most {ceiling} for {currency}.",
            param=param,
            code="parameter_invalid_integer",
        )


def add_years(at: datetime, years: int) -> datetime:
    """The same instant `years` later; 29 February becomes 28 February in common years."""
    try:
        return at.replace(year=at.year + years)
    except ValueError:
        return at.replace(year=at.year + years, day=28)


def _too_small(param: str, minimum: int) -> SeikyuError:
    words = "a positive integer" if minimum == 1 else f"at least {minimum}"
    return SeikyuError(
        f"Invalid {param}: must be {words}.", param=param, code="parameter_invalid_integer"
    )
