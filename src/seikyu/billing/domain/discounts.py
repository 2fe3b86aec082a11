"""Discounts on invoice lines: when a discount is in effect, how much it takes, from which line.

The rules `apply_discounts` follows (Stripe documents the first three; where it is silent,
the rule is the one an accountant can reproduce by hand):

1. Eligibility. Only lines with `discountable=True` and a positive amount can be discounted
   (proration lines are not discountable). A coupon with `applies_to_products` reaches only
   lines whose product is in that set; a discount with no eligible line takes nothing.
2. Order. Item-level discounts (`line.discounts`) come first, each on its own line only, in
   the order given; then the invoice-level discounts, in the order given, each across every
   eligible line.
3. Stacking is sequential. Each discount works on what is left of each line after the
   discounts before it, so order matters when percent and amount coupons mix (G-6.3).
4. Size, then spread. A discount's size is computed once, on its eligible base B (the sum of
   what is left of its eligible lines): `percent_off` takes `B * p / 100` rounded half up to
   a minor unit; `amount_off` takes `min(amount_off, B)`, so no discount ever makes a line or
   the invoice negative (G-6.2). The size is then spread over the eligible lines with
   `allocate`, weighted by what is left of each, so the per-line amounts add up exactly to
   the size and the invoice total matches the sum of the lines (G-6.4).
5. Output. Per line, one `DiscountAmount` per discount that took something from it, in
   application order; zero amounts are left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Literal

from seikyu.core.money import Rounding, to_minor_units
from seikyu.core.periods import add_months

_DURATIONS = frozenset({"once", "repeating", "forever"})


@dataclass(frozen=True, slots=True)
class Coupon:
    """A coupon's money terms, already resolved to the invoice currency."""

    percent_off: Decimal | None = None
    amount_off: int | None = None
    applies_to_products: frozenset[str] | None = None

    def __post_init__(self) -> None:
        if (self.percent_off is None) == (self.amount_off is None):
            raise ValueError("a coupon needs exactly one of percent_off and amount_off")
        if self.percent_off is not None and not (
            self.percent_off.is_finite() and 0 < self.percent_off <= 100
        ):
            raise ValueError(f"percent_off must be in (0, 100], got {self.percent_off}")
        if self.amount_off is not None and self.amount_off <= 0:
            raise ValueError(f"amount_off must be positive, got {self.amount_off}")


@dataclass(frozen=True, slots=True)
class Discount:
    """A coupon applied to a customer, subscription, item or invoice.

    For `repeating`, `end` is `start` plus the coupon's `duration_in_months`: see
    `discount_end`.
    """

    id: str
    coupon: Coupon
    duration: Literal["once", "repeating", "forever"] = "once"
    start: datetime | None = None
    end: datetime | None = None

    def __post_init__(self) -> None:
        if self.duration not in _DURATIONS:
            raise ValueError(f"unknown discount duration {self.duration!r}")
        if self.duration == "repeating" and (self.start is None or self.end is None):
            raise ValueError("a repeating discount needs both start and end")
        if self.start is not None and self.end is not None and self.end <= self.start:
            raise ValueError("a discount's end must be after its start")


def discount_end(start: datetime, duration_in_months: int) -> datetime:
    """When a repeating discount stops: `duration_in_months` calendar months after it
    started, on the same day clamped to the month's length (Jan 31 + 1 month = Feb 29)."""
    if duration_in_months < 1:
        raise ValueError("duration_in_months must be positive")
    return add_months(start, duration_in_months)


def in_effect(discount: Discount, *, invoice_at: datetime, already_applied: bool) -> bool:
    """Whether the discount still applies to an invoice dated `invoice_at`.

    `once` applies only if it has not been applied to an invoice yet; `repeating` applies
    when start <= invoice_at < end (the end instant itself is full price, G-6.6); `forever`
    always applies.
    """
    if invoice_at.tzinfo is None:
        raise ValueError("invoice_at must be an aware datetime")
    if discount.duration == "once":
        return not already_applied
    if discount.duration == "repeating":
        assert discount.start is not None
        assert discount.end is not None
        return discount.start <= invoice_at < discount.end
    return True


@dataclass(frozen=True, slots=True)
class DiscountableLine:
    """An invoice line as discounts see it: its amount before any discount."""

    amount: int
    product: str | None = None
    discountable: bool = True
    discounts: tuple[Discount, ...] = ()


@dataclass(frozen=True, slots=True)
class DiscountAmount:
    """What one discount took from one line (Stripe's `discount_amounts[]` entry)."""

    discount: str
    amount: int

    def __post_init__(self) -> None:
        if self.amount <= 0:
            raise ValueError(f"a discount amount must be positive, got {self.amount}")


def allocate(total: int, weights: Sequence[int]) -> tuple[int, ...]:
    """Split `total` over `weights` so the shares sum exactly to `total`.

    Each share is first floor(total * w / sum(weights)); the remainder then goes one minor
    unit at a time to the largest weights first (ties: the later line first), cycling until
    placed, never giving a share more than its weight. Requires 0 <= total <= sum(weights)
    and every weight >= 0, else ValueError. G-6.4: allocate(500, [1000, 2000]) == (166, 334).
    """
    if total < 0:
        raise ValueError(f"total must not be negative, got {total}")
    if any(weight < 0 for weight in weights):
        raise ValueError("weights must not be negative")
    weight_sum = sum(weights)
    if total > weight_sum:
        raise ValueError(f"total {total} exceeds the sum of the weights {weight_sum}")
    if total == 0:
        return tuple(0 for _ in weights)
    shares = [total * weight // weight_sum for weight in weights]
    remainder = total - sum(shares)
    # Stripe's own example (G-6.4) puts the leftover unit on the last and largest line;
    # breaking ties towards the later line keeps that pattern for equal weights.
    order = sorted(range(len(weights)), key=lambda index: (weights[index], index), reverse=True)
    while remainder:
        for index in order:
            if remainder == 0:
                break
            if shares[index] < weights[index]:
                shares[index] += 1
                remainder -= 1
    return tuple(shares)


def _reaches(coupon: Coupon, product: str | None) -> bool:
    return coupon.applies_to_products is None or product in coupon.applies_to_products


def _size(coupon: Coupon, base: int) -> int:
    """What the coupon takes from an eligible base of `base` minor units: 0 <= size <= base."""
    if base <= 0:
        return 0
    if coupon.percent_off is not None:
        # p <= 100, so half-up rounding of B * p / 100 can never exceed B.
        return to_minor_units(base * coupon.percent_off / 100, Rounding.HALF_UP)
    assert coupon.amount_off is not None
    return min(coupon.amount_off, base)


def apply_discounts(
    lines: Sequence[DiscountableLine], invoice_discounts: Sequence[Discount]
) -> tuple[tuple[DiscountAmount, ...], ...]:
    """Per line, the amounts each discount takes from it, in application order.

    Follows the five rules of the module docstring: item-level before invoice-level, each
    discount sized once on what is left of its eligible lines and spread with `allocate`.
    For every line the amounts add up to at most its amount, and to 0 for a line that is not
    discountable or not positive.
    """
    remaining = [line.amount for line in lines]
    taken: list[list[DiscountAmount]] = [[] for _ in lines]

    def apply(discount: Discount, candidates: Sequence[int]) -> None:
        eligible = [
            index
            for index in candidates
            if lines[index].discountable
            and remaining[index] > 0
            and _reaches(discount.coupon, lines[index].product)
        ]
        weights = [remaining[index] for index in eligible]
        size = _size(discount.coupon, sum(weights))
        for index, share in zip(eligible, allocate(size, weights), strict=True):
            if share:
                remaining[index] -= share
                taken[index].append(DiscountAmount(discount=discount.id, amount=share))

    for index, line in enumerate(lines):
        for discount in line.discounts:
            apply(discount, (index,))
    every_line = range(len(lines))
    for discount in invoice_discounts:
        apply(discount, every_line)
    return tuple(tuple(amounts) for amounts in taken)
