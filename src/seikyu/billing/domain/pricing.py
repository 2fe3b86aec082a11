"""What a price charges for a quantity: per unit, package, volume and graduated tiers.

Amounts here are exact `Decimal`s in minor units, because a price may be quoted in
fractions of a minor unit (`unit_amount_decimal="0.05"`). A line rounds once, at the end
(`line_amount`), never per unit or per tier: thirty units at 0.05¢ are 2¢, not 30 × 0¢.
Proration multiplies the exact amount by a time fraction before that single rounding.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from seikyu.core.money import to_minor_units

Quantity = int | Decimal


class BillingScheme(StrEnum):
    PER_UNIT = "per_unit"
    TIERED = "tiered"


class TiersMode(StrEnum):
    VOLUME = "volume"
    GRADUATED = "graduated"


class PackageRounding(StrEnum):
    UP = "up"
    DOWN = "down"


@dataclass(frozen=True, slots=True)
class Tier:
    up_to: int | None  # inclusive upper bound; None is Stripe's "inf"
    unit_amount: Decimal = Decimal(0)
    flat_amount: Decimal = Decimal(0)


@dataclass(frozen=True, slots=True)
class TransformQuantity:
    divide_by: int
    round: PackageRounding

    def __post_init__(self) -> None:
        if self.divide_by < 1:
            raise ValueError("divide_by must be a positive integer")


@dataclass(frozen=True, slots=True)
class Pricing:
    """The money terms of a price in one currency."""

    billing_scheme: BillingScheme = BillingScheme.PER_UNIT
    unit_amount: Decimal = Decimal(0)
    tiers_mode: TiersMode | None = None
    tiers: tuple[Tier, ...] = ()
    transform_quantity: TransformQuantity | None = None

    def __post_init__(self) -> None:
        if self.billing_scheme is BillingScheme.PER_UNIT:
            if self.tiers or self.tiers_mode is not None:
                raise ValueError("per_unit pricing has no tiers")
            return
        if self.transform_quantity is not None:
            raise ValueError("transform_quantity cannot be combined with tiers")
        if self.tiers_mode is None or not self.tiers:
            raise ValueError("tiered pricing needs tiers_mode and tiers")
        if self.tiers[-1].up_to is not None:
            raise ValueError("the last tier must be up_to=inf")
        bounds = [tier.up_to for tier in self.tiers[:-1]]
        finite = [bound for bound in bounds if bound is not None]
        if len(finite) < len(bounds) or finite != sorted(set(finite)):
            raise ValueError("tier bounds must be finite and strictly increasing")


def per_unit(unit_amount: int | Decimal, transform: TransformQuantity | None = None) -> Pricing:
    return Pricing(unit_amount=Decimal(unit_amount), transform_quantity=transform)


def billable_quantity(pricing: Pricing, quantity: Quantity) -> Quantity:
    """The quantity the unit price applies to: packages after transform_quantity."""
    if quantity < 0:
        raise ValueError("quantity cannot be negative")
    transform = pricing.transform_quantity
    if transform is None:
        return quantity
    whole, rest = divmod(quantity, transform.divide_by)
    if rest and transform.round is PackageRounding.UP:
        whole += 1
    return int(whole)


def exact_amount(pricing: Pricing, quantity: Quantity) -> Decimal:
    """What the price charges for `quantity` in one period, exact and unrounded."""
    billable = billable_quantity(pricing, quantity)
    if pricing.billing_scheme is BillingScheme.PER_UNIT:
        return pricing.unit_amount * billable
    if pricing.tiers_mode is TiersMode.VOLUME:
        return _volume(pricing.tiers, billable)
    return _graduated(pricing.tiers, billable)


def line_amount(pricing: Pricing, quantity: Quantity) -> int:
    """What one invoice line for `quantity` bills, rounded once to a whole minor unit."""
    return to_minor_units(exact_amount(pricing, quantity))


def _volume(tiers: tuple[Tier, ...], quantity: Quantity) -> Decimal:
    # The whole quantity is billed at the rate of the tier it falls in; quantity 0 falls in
    # the first tier, so its flat amount is still billed (Stripe's documented edge case).
    tier = next(t for t in tiers if t.up_to is None or quantity <= t.up_to)
    return tier.unit_amount * quantity + tier.flat_amount


def _graduated(tiers: tuple[Tier, ...], quantity: Quantity) -> Decimal:
    total = Decimal(0)
    lower: Quantity = 0
    for index, tier in enumerate(tiers):
        # A tier is reached once the quantity passes its lower bound; the first tier is
        # always reached, which bills its flat amount even at quantity 0.
        if index and quantity <= lower:
            break
        upper = quantity if tier.up_to is None else min(quantity, tier.up_to)
        total += tier.unit_amount * max(upper - lower, 0) + tier.flat_amount
        if tier.up_to is not None:
            lower = tier.up_to
    return total
