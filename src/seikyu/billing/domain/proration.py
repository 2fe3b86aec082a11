"""Proration: credit for unused time, debit for remaining time, to the second.

A change at instant `at` inside the current period [start, end) is billed as two lines:
the old configuration is credited for [at, end) and the new one is charged for [at, end).
Both use the fraction (end - at) / (end - start) and each is rounded on its own, once, from
the exact period amount, so a credit is exactly the negative of the debit it undoes.
Discounts that already shaped the item's price are taken out of the amount before the
fraction; the resulting lines are not discountable again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, localcontext
from enum import StrEnum
from fractions import Fraction

from seikyu.billing.domain.pricing import Pricing, Quantity, exact_amount
from seikyu.billing.domain.tax import TaxRate
from seikyu.core.money import to_minor_units
from seikyu.core.periods import Period

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class ProrationKind(StrEnum):
    UNUSED_TIME = "unused_time"
    REMAINING_TIME = "remaining_time"


@dataclass(frozen=True, slots=True)
class Charge:
    """One subscription item's configuration: what it bills for a whole period."""

    item: str  # the subscription item it belongs to
    pricing: Pricing
    quantity: Quantity = 1
    # The item's share of discounts already built into what it is billed per period: the
    # whole coupon per item under classic billing, the item's last allocated discount
    # amount under flexible billing.
    discount: int = 0
    metered: bool = False
    price: str | None = None
    product: str | None = None
    label: str = ""  # how the line names what is billed, e.g. the product name
    tax_rates: tuple[TaxRate, ...] | None = None  # None: the invoice's default rates

    def period_amount(self) -> Decimal:
        """Exact amount for a full period, net of the discount, never below zero."""
        return max(exact_amount(self.pricing, self.quantity) - self.discount, Decimal(0))


@dataclass(frozen=True, slots=True)
class ProrationLine:
    kind: ProrationKind
    charge: Charge
    amount: int  # negative for unused time
    period: Period  # [at, end of the current period)
    description: str


def remaining_fraction(period: Period, at: datetime) -> Fraction:
    """Share of the period still to run at `at`: 1 at the start, 0 at the end."""
    if not period.start <= at <= period.end:
        raise ValueError("the proration time must fall within the current period")
    remaining = int((period.end - at).total_seconds())
    return Fraction(remaining, period.seconds)


def prorate(amount: Decimal, fraction: Fraction) -> int:
    """`amount × fraction`, rounded once, half away from zero.

    The exact product is a ratio of integers and at most 12 decimal places; 60 digits of
    precision make the one division exact enough that no half-way case can shift.
    """
    with localcontext(prec=60):
        exact = amount * fraction.numerator / fraction.denominator
    return to_minor_units(exact)


def prorate_change(
    before: Charge | None, after: Charge | None, period: Period, at: datetime
) -> tuple[ProrationLine, ...]:
    """The proration lines for changing an item from `before` to `after` at `at`.

    `before=None` is an item added mid-period (debit only), `after=None` an item removed
    (credit only). Metered items are never prorated: usage is billed as it happened. The
    caller decides whether anything changed: under flexible billing the credited
    configuration is the last one billed, which may equal the new one.
    """
    fraction = remaining_fraction(period, at)
    if at == period.end:
        return ()
    remaining = Period(at, period.end)
    lines: list[ProrationLine] = []
    if before is not None and not before.metered:
        amount = -prorate(before.period_amount(), fraction)
        lines.append(_line(ProrationKind.UNUSED_TIME, before, amount, remaining, at))
    if after is not None and not after.metered:
        amount = prorate(after.period_amount(), fraction)
        lines.append(_line(ProrationKind.REMAINING_TIME, after, amount, remaining, at))
    return tuple(lines)


def _line(
    kind: ProrationKind, charge: Charge, amount: int, period: Period, at: datetime
) -> ProrationLine:
    what = charge.label if charge.quantity == 1 else f"{charge.quantity} × {charge.label}"
    when = f"{at.day:02d} {_MONTHS[at.month - 1]} {at.year}"
    verb = "Unused" if kind is ProrationKind.UNUSED_TIME else "Remaining"
    return ProrationLine(kind, charge, amount, period, f"{verb} time on {what} after {when}")
