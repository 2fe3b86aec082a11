"""What makes a price valid, and its terms in one normalized form.

Pure functions over frozen dataclasses: a request's price fields go in as a `PriceInput`,
and either come out as `PriceTerms` (amounts exact, in minor units, defaults filled in) or
raise Stripe's error naming the offending parameter. `at` is the path of the price inside
the request (`("default_price_data",)` for a product's default price), so errors name
`default_price_data[unit_amount]` rather than `unit_amount`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from seikyu.core import money
from seikyu.core.errors import SeikyuError, missing

INTERVALS = ("day", "week", "month", "year")
# Stripe bills at most every three years, however the interval is written.
MAX_INTERVAL_COUNT = {"day": 3 * 365, "week": 3 * 52, "month": 3 * 12, "year": 3}
MAX_DECIMAL_PLACES = 12
MAX_TRIAL_PERIOD_DAYS = 730
MAX_TIERS = 250
TAX_BEHAVIORS = ("exclusive", "inclusive", "unspecified")

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Recurring:
    interval: str
    interval_count: int = 1
    usage_type: str = "licensed"
    meter: str | None = None
    trial_period_days: int | None = None


@dataclass(frozen=True)
class TransformQuantity:
    divide_by: int
    round: str  # "up" | "down"


@dataclass(frozen=True)
class CustomUnitAmount:
    minimum: int | None = None
    maximum: int | None = None
    preset: int | None = None


@dataclass(frozen=True)
class TierInput:
    up_to: int | None  # None is "inf"
    unit_amount: int | None = None
    unit_amount_decimal: Decimal | None = None
    flat_amount: int | None = None
    flat_amount_decimal: Decimal | None = None


@dataclass(frozen=True)
class Tier:
    """One tier, amounts exact in minor units (None when the tier has no such part)."""

    up_to: int | None
    unit_amount: Decimal | None
    flat_amount: Decimal | None

    def to_json(self) -> dict[str, Any]:
        return {
            "up_to": self.up_to,
            "unit_amount_decimal": decimal_text(self.unit_amount),
            "flat_amount_decimal": decimal_text(self.flat_amount),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Tier:
        return cls(
            up_to=data.get("up_to"),
            unit_amount=_decimal_or_none(data.get("unit_amount_decimal")),
            flat_amount=_decimal_or_none(data.get("flat_amount_decimal")),
        )


@dataclass(frozen=True)
class CurrencyOptionInput:
    unit_amount: int | None = None
    unit_amount_decimal: Decimal | None = None
    custom_unit_amount: CustomUnitAmount | None = None
    tiers: tuple[TierInput, ...] | None = None
    tax_behavior: str | None = None


@dataclass(frozen=True)
class PriceInput:
    currency: str
    billing_scheme: str | None = None
    unit_amount: int | None = None
    unit_amount_decimal: Decimal | None = None
    custom_unit_amount: CustomUnitAmount | None = None
    tiers: tuple[TierInput, ...] | None = None
    tiers_mode: str | None = None
    recurring: Recurring | None = None
    transform_quantity: TransformQuantity | None = None
    tax_behavior: str | None = None
    currency_options: Mapping[str, CurrencyOptionInput] | None = None


@dataclass(frozen=True)
class CurrencyTerms:
    """A price's terms in one more currency (Stripe's `currency_options`)."""

    unit_amount: Decimal | None
    custom_unit_amount: CustomUnitAmount | None
    tiers: tuple[Tier, ...] | None
    tax_behavior: str

    def to_json(self) -> dict[str, Any]:
        return {
            "unit_amount_decimal": decimal_text(self.unit_amount),
            "custom_unit_amount": _custom_json(self.custom_unit_amount),
            "tiers": None if self.tiers is None else [tier.to_json() for tier in self.tiers],
            "tax_behavior": self.tax_behavior,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CurrencyTerms:
        tiers = data.get("tiers")
        custom = data.get("custom_unit_amount")
        return cls(
            unit_amount=_decimal_or_none(data.get("unit_amount_decimal")),
            custom_unit_amount=None if custom is None else CustomUnitAmount(**custom),
            tiers=None if tiers is None else tuple(Tier.from_json(t) for t in tiers),
            tax_behavior=str(data.get("tax_behavior") or "unspecified"),
        )


@dataclass(frozen=True)
class PriceTerms:
    """A valid price's terms; `unit_amount` is exact and may have a fraction ("0.5")."""

    currency: str
    type: str  # "one_time" | "recurring"
    billing_scheme: str  # "per_unit" | "tiered"
    unit_amount: Decimal | None
    custom_unit_amount: CustomUnitAmount | None
    tiers: tuple[Tier, ...] | None
    tiers_mode: str | None
    recurring: Recurring | None
    transform_quantity: TransformQuantity | None
    tax_behavior: str
    currency_options: Mapping[str, CurrencyTerms] = field(default_factory=dict)


# --------------------------------------------------------------------------- numbers


def whole(value: Decimal | None) -> int | None:
    """The amount as an int when it is a whole number of minor units, else None."""
    if value is None or value != value.to_integral_value():
        return None
    return int(value)


def decimal_text(value: Decimal | None) -> str | None:
    """Stripe's decimal string: no exponent, no trailing zeros ("0.5", "700")."""
    if value is None:
        return None
    return format(normalize(value), "f")


def normalize(value: Decimal) -> Decimal:
    """Drop trailing zeros without switching to exponent notation for whole numbers."""
    reduced = value.normalize()
    return reduced.quantize(Decimal(1)) if reduced == reduced.to_integral_value() else reduced


def decimal_places(value: Decimal) -> int:
    """Digits after the point, trailing zeros aside; exact for any number of digits."""
    _, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int) or not any(digits):
        return 0
    kept = list(digits)
    while exponent < 0 and kept[-1] == 0:
        kept.pop()
        exponent += 1
    return max(0, -exponent)


def _decimal_or_none(text: object) -> Decimal | None:
    return None if text is None else Decimal(str(text))


def _custom_json(custom: CustomUnitAmount | None) -> dict[str, Any] | None:
    if custom is None:
        return None
    return {"maximum": custom.maximum, "minimum": custom.minimum, "preset": custom.preset}


# ------------------------------------------------------------------------ validation


def param(at: Path, *names: str | int) -> str:
    """("default_price_data",) + ("tiers", 0, "up_to") -> default_price_data[tiers][0][up_to]."""
    parts = (*at, *names)
    head, *rest = parts
    return str(head) + "".join(f"[{part}]" for part in rest)


def check_currency(currency: str, *, at: Path = (), name: str = "currency") -> str:
    """The currency in lower case, if Stripe supports it."""
    return money.check_currency(currency, param=param(at, name))


def check(draft: PriceInput, *, at: Path = ()) -> PriceTerms:
    """Validate a new price and return its normalized terms."""
    currency = check_currency(draft.currency, at=at)
    recurring = _check_recurring(draft.recurring, at) if draft.recurring else None
    scheme = draft.billing_scheme or "per_unit"
    if scheme not in ("per_unit", "tiered"):
        raise SeikyuError(
            f"Invalid billing_scheme: {scheme}; must be one of per_unit, tiered.",
            param=param(at, "billing_scheme"),
        )
    tax_behavior = _check_tax_behavior(draft.tax_behavior, at, "tax_behavior")
    custom = draft.custom_unit_amount
    if custom is not None and recurring is not None:
        raise SeikyuError(
            "custom_unit_amount is only supported for one-time prices; remove recurring or "
            "custom_unit_amount.",
            param=param(at, "custom_unit_amount"),
        )
    if scheme == "tiered":
        tiers, tiers_mode = _check_tiered(draft, at)
        unit_amount = None
    else:
        if draft.tiers is not None:
            raise SeikyuError(
                "tiers can only be set when billing_scheme is tiered.", param=param(at, "tiers")
            )
        if draft.tiers_mode is not None:
            raise SeikyuError(
                "tiers_mode can only be set when billing_scheme is tiered.",
                param=param(at, "tiers_mode"),
            )
        tiers, tiers_mode = None, None
        unit_amount = _per_unit_amount(
            currency, draft.unit_amount, draft.unit_amount_decimal, custom, at
        )
    transform = draft.transform_quantity
    if transform is not None:
        _check_transform(transform, scheme, at)
    terms = PriceTerms(
        currency=currency,
        type="recurring" if recurring else "one_time",
        billing_scheme=scheme,
        unit_amount=unit_amount,
        custom_unit_amount=custom,
        tiers=tiers,
        tiers_mode=tiers_mode,
        recurring=recurring,
        transform_quantity=transform,
        tax_behavior=tax_behavior,
    )
    options = check_currency_options(terms, draft.currency_options or {}, at=at)
    return replace(terms, currency_options=options)


def check_currency_options(
    terms: PriceTerms, options: Mapping[str, CurrencyOptionInput], *, at: Path = ()
) -> dict[str, CurrencyTerms]:
    """Validate `currency_options` against the price they extend."""
    out: dict[str, CurrencyTerms] = {}
    for given, option in options.items():
        where = (*at, "currency_options", given)
        code = check_currency(given, at=(*at, "currency_options"), name=given)
        if code == terms.currency or code in out:
            raise SeikyuError(
                f"currency_options cannot repeat the currency {code}.",
                param=param(at, "currency_options", given),
            )
        tax_behavior = _check_tax_behavior(
            option.tax_behavior or terms.tax_behavior, where, "tax_behavior"
        )
        if terms.billing_scheme == "tiered":
            for name in ("unit_amount", "unit_amount_decimal", "custom_unit_amount"):
                if getattr(option, name) is not None:
                    raise SeikyuError(
                        f"{name} cannot be set on a tiered price; use tiers.",
                        param=param(where, name),
                    )
            if option.tiers is None:
                raise missing(param(where, "tiers"))
            tiers = _check_tiers(code, option.tiers, where)
            out[code] = CurrencyTerms(None, None, tiers, tax_behavior)
            continue
        if option.tiers is not None:
            raise SeikyuError(
                "tiers can only be set when billing_scheme is tiered.",
                param=param(where, "tiers"),
            )
        if option.custom_unit_amount is not None and terms.custom_unit_amount is None:
            raise SeikyuError(
                "custom_unit_amount in currency_options needs custom_unit_amount on the price.",
                param=param(where, "custom_unit_amount"),
            )
        amount = _per_unit_amount(
            code, option.unit_amount, option.unit_amount_decimal, option.custom_unit_amount, where
        )
        out[code] = CurrencyTerms(amount, option.custom_unit_amount, None, tax_behavior)
    return out


def check_tax_behavior_change(current: str, new: str) -> None:
    """Once inclusive or exclusive, a price's tax behavior is fixed."""
    if current not in (new, "unspecified"):
        raise SeikyuError(
            f"tax_behavior cannot be changed once it is {current}.", param="tax_behavior"
        )


def _check_tax_behavior(value: str | None, at: Path, name: str) -> str:
    chosen = value or "unspecified"
    if chosen not in TAX_BEHAVIORS:
        raise SeikyuError(
            f"Invalid {name}: {chosen}; must be one of {', '.join(TAX_BEHAVIORS)}.",
            param=param(at, name),
        )
    return chosen


def _check_recurring(recurring: Recurring, at: Path) -> Recurring:
    if recurring.interval not in INTERVALS:
        raise SeikyuError(
            f"Invalid recurring[interval]: {recurring.interval}; must be one of "
            f"{', '.join(INTERVALS)}.",
            param=param(at, "recurring", "interval"),
        )
    limit = MAX_INTERVAL_COUNT[recurring.interval]
    if not 1 <= recurring.interval_count <= limit:
        raise SeikyuError(
            f"Invalid recurring[interval_count]: must be between 1 and {limit} for "
            f"interval={recurring.interval}; the longest billing interval is 3 years "
            "(3 years, 36 months, 156 weeks or 1095 days).",
            param=param(at, "recurring", "interval_count"),
            code="parameter_invalid_integer",
        )
    if recurring.usage_type not in ("licensed", "metered"):
        raise SeikyuError(
            f"Invalid recurring[usage_type]: {recurring.usage_type}; must be one of "
            "licensed, metered.",
            param=param(at, "recurring", "usage_type"),
        )
    # Since 2025-03-31.basil usage is reported to Billing Meters: a metered price names one.
    if recurring.usage_type == "metered" and not recurring.meter:
        raise missing(param(at, "recurring", "meter"))
    if recurring.usage_type == "licensed" and recurring.meter:
        raise SeikyuError(
            "recurring[meter] can only be set when recurring[usage_type] is metered.",
            param=param(at, "recurring", "meter"),
        )
    days = recurring.trial_period_days
    if days is not None and not 0 <= days <= MAX_TRIAL_PERIOD_DAYS:
        raise SeikyuError(
            f"Invalid recurring[trial_period_days]: must be between 0 and {MAX_TRIAL_PERIOD_DAYS}.",
            param=param(at, "recurring", "trial_period_days"),
            code="parameter_invalid_integer",
        )
    return recurring


def _check_tiered(draft: PriceInput, at: Path) -> tuple[tuple[Tier, ...], str]:
    for name in ("unit_amount", "unit_amount_decimal", "custom_unit_amount"):
        if getattr(draft, name) is not None:
            raise SeikyuError(
                f"{name} cannot be set when billing_scheme is tiered; put amounts in tiers.",
                param=param(at, name),
            )
    if draft.transform_quantity is not None:
        raise SeikyuError(
            "transform_quantity cannot be combined with tiers.",
            param=param(at, "transform_quantity"),
        )
    if draft.tiers is None:
        raise missing(param(at, "tiers"))
    if draft.tiers_mode is None:
        raise missing(param(at, "tiers_mode"))
    if draft.tiers_mode not in ("graduated", "volume"):
        raise SeikyuError(
            f"Invalid tiers_mode: {draft.tiers_mode}; must be one of graduated, volume.",
            param=param(at, "tiers_mode"),
        )
    return _check_tiers(draft.currency.lower(), draft.tiers, at), draft.tiers_mode


def _check_tiers(currency: str, tiers: tuple[TierInput, ...], at: Path) -> tuple[Tier, ...]:
    if not tiers:
        raise missing(param(at, "tiers"))
    if len(tiers) > MAX_TIERS:
        raise SeikyuError(
            f"Invalid array: tiers must have at most {MAX_TIERS} elements.",
            param=param(at, "tiers"),
            code="parameter_invalid_array",
        )
    out: list[Tier] = []
    previous = 0
    for index, tier in enumerate(tiers):
        where = (*at, "tiers", index)
        last = index == len(tiers) - 1
        if tier.up_to is None and not last:
            raise SeikyuError("Only the last tier can have up_to=inf.", param=param(where, "up_to"))
        if tier.up_to is not None and last:
            raise SeikyuError(
                'The last tier must have up_to="inf", so that every quantity has a tier.',
                param=param(where, "up_to"),
            )
        if tier.up_to is not None and tier.up_to <= previous:
            raise SeikyuError(
                f"Invalid tiers: up_to must increase from tier to tier; tier {index} has "
                f"up_to={tier.up_to} after {previous}.",
                param=param(where, "up_to"),
            )
        previous = tier.up_to or previous
        unit = _amount(currency, tier.unit_amount, tier.unit_amount_decimal, where, "unit_amount")
        flat = _amount(currency, tier.flat_amount, tier.flat_amount_decimal, where, "flat_amount")
        if flat is not None and flat != flat.to_integral_value():
            raise SeikyuError(
                "Invalid flat_amount_decimal: it must be a whole number of minor units.",
                param=param(where, "flat_amount_decimal"),
            )
        if unit is None and flat is None:
            raise SeikyuError(
                "Each tier needs unit_amount, unit_amount_decimal, flat_amount or "
                "flat_amount_decimal.",
                param=param(where, "unit_amount"),
                code="parameter_missing",
            )
        out.append(Tier(tier.up_to, unit, flat))
    return tuple(out)


def _per_unit_amount(
    currency: str,
    unit_amount: int | None,
    unit_amount_decimal: Decimal | None,
    custom: CustomUnitAmount | None,
    at: Path,
) -> Decimal | None:
    if custom is not None:
        for name, value in (
            ("unit_amount", unit_amount),
            ("unit_amount_decimal", unit_amount_decimal),
        ):
            if value is not None:
                raise _exclusive(at, name, "custom_unit_amount")
        _check_custom(currency, custom, at)
        return None
    amount = _amount(currency, unit_amount, unit_amount_decimal, at, "unit_amount")
    if amount is None:
        raise SeikyuError(
            "A per_unit price needs one of unit_amount, unit_amount_decimal or custom_unit_amount.",
            param=param(at, "unit_amount"),
            code="parameter_missing",
        )
    return amount


def _amount(
    currency: str, whole_value: int | None, decimal_value: Decimal | None, at: Path, name: str
) -> Decimal | None:
    """`name` or `name_decimal`, at most one, as an exact Decimal in minor units."""
    if whole_value is not None and decimal_value is not None:
        raise _exclusive(at, name, f"{name}_decimal")
    if whole_value is not None:
        _check_whole_amount(currency, whole_value, param(at, name))
        return Decimal(whole_value)
    if decimal_value is not None:
        where = param(at, f"{name}_decimal")
        if not decimal_value.is_finite() or decimal_value < 0:
            raise SeikyuError(
                f"Invalid decimal: {decimal_value}; must be zero or positive.", param=where
            )
        # The limit first: it bounds the digits, so normalizing below is exact.
        _check_limit(currency, decimal_value, where)
        if decimal_places(decimal_value) > MAX_DECIMAL_PLACES:
            raise SeikyuError(
                f"Invalid decimal: {decimal_value}; at most {MAX_DECIMAL_PLACES} decimal "
                "places are allowed.",
                param=where,
            )
        return normalize(decimal_value)
    return None


def _check_whole_amount(currency: str, value: int, where: str) -> None:
    if value < 0:
        raise SeikyuError(
            f"Invalid integer: {value}; must be zero or positive.",
            param=where,
            code="parameter_invalid_integer",
        )
    _check_limit(currency, Decimal(value), where)
    if money.exponent(currency) == 3 and value % 10 != 0:
        raise SeikyuError(
            f"Invalid amount: {value}. Amounts in {currency.upper()} must end in 0 "
            "(three-decimal currencies are charged in multiples of 10).",
            param=where,
        )


def _check_limit(currency: str, value: Decimal, where: str) -> None:
    limit = money.max_amount(currency)
    if value > limit:
        raise SeikyuError(
            f"Amount must be no more than {limit} {currency} in minor units.",
            param=where,
            code="amount_too_large",
        )


def _check_custom(currency: str, custom: CustomUnitAmount, at: Path) -> None:
    where = (*at, "custom_unit_amount")
    for name in ("minimum", "maximum", "preset"):
        value = getattr(custom, name)
        if value is not None:
            _check_whole_amount(currency, value, param(where, name))
    low, high = custom.minimum, custom.maximum
    if low is not None and high is not None and low > high:
        raise SeikyuError(
            "custom_unit_amount[minimum] must not be greater than custom_unit_amount[maximum].",
            param=param(where, "minimum"),
        )
    preset = custom.preset
    if preset is not None and (
        (low is not None and preset < low) or (high is not None and preset > high)
    ):
        raise SeikyuError(
            "custom_unit_amount[preset] must lie between minimum and maximum.",
            param=param(where, "preset"),
        )


def _check_transform(transform: TransformQuantity, scheme: str, at: Path) -> None:
    where = (*at, "transform_quantity")
    if scheme == "tiered":
        raise SeikyuError(
            "transform_quantity cannot be combined with tiers.",
            param=param(at, "transform_quantity"),
        )
    if transform.divide_by < 1:
        raise SeikyuError(
            f"Invalid transform_quantity[divide_by]: {transform.divide_by}; must be a "
            "positive integer.",
            param=param(where, "divide_by"),
            code="parameter_invalid_integer",
        )
    if transform.round not in ("up", "down"):
        raise SeikyuError(
            f"Invalid transform_quantity[round]: {transform.round}; must be one of up, down.",
            param=param(where, "round"),
        )


def _exclusive(at: Path, first: str, second: str) -> SeikyuError:
    return SeikyuError(
        f"You may only specify one of these parameters: {param(at, first)}, {param(at, second)}.",
        param=param(at, first),
        code="parameters_exclusive",
    )
