"""Tax on invoice lines with manual tax rates, rounded per line item or after subtotaling.

Rules (reference sections 6.3, 7.1, 7.2):

- Tax is computed on each line's amount after its discounts; the caller passes that amount.
  A negative amount (a credit) is taxed as the mirror of the same debit, since every
  rounding mode is symmetric around zero and the spreading below only looks at magnitudes.
- A line of amount A whose inclusive rates add up to SI has the net amount
  A * 100 / (100 + SI). Every rate p on the line, inclusive or exclusive, has the exact tax
  net * p / 100. So exclusive tax is charged on the amount without the inclusive tax, and
  with no inclusive rate the net is A.
- Exact taxes are kept as `Fraction`s, so nothing is rounded on the way. A sum over many
  lines can land exactly on a half: at 20% inclusive, lines of 2 and 13 carry 2/6 + 13/6 =
  5/2, while 60-digit Decimal quotients add up to 2.4999...9. Exact values become money
  only through `to_minor_units`, and `_round` shows that no half-way case shifts there.
- Every rate on a line has the same taxable amount: A minus the line's inclusive tax
  amounts as reported (rounded, or shares at INVOICE level), so taxable + inclusive tax == A
  on every line.
- LINE_ITEM level (Stripe's default): each (line, rate) exact tax is rounded half up on its
  own, as Stripe does.
- INVOICE level ("after subtotaling", what Stripe's guide asks for in Japan): a rate's
  tax is the sum of its lines' exact taxes, rounded once with `settings.rounding`. That
  total is spread back over the rate's lines so that they add up to it exactly. Each line's
  exact tax is rounded with the same mode. The remaining gap is then closed one minor unit
  per line, starting with the line whose exact tax is largest in absolute value (ties:
  later line first). A line's share differs from its exact tax by less than 2 minor units
  (1.5 for the half modes; see `_spread`).
- Rows of the per-rate breakdown (`totals`) are, at both levels, the sums of their lines'
  tax and taxable amounts. Stripe does not document the taxable amount per rate after
  subtotaling. This choice lets an accountant add up the lines and get the row. It also
  gives the figures Japan's invoice needs:
  - For an exclusive rate on lines without inclusive rates, the taxable amount is the sum of
    the amounts.
  - For a rate that is the only inclusive rate on its lines, taxable + tax == the sum of
    the gross amounts, exactly.
  - Mixtures are several inclusive rates on one line, or an exclusive rate on lines that
    also carry inclusive ones. There each line's taxable amount uses that line's shares of
    the inclusive totals, and the row still adds up its lines. So the row can differ by a
    few minor units from the rounded sum of the exact net amounts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext
from enum import StrEnum
from fractions import Fraction

from seikyu.core.money import Rounding, to_minor_units

MAX_RATES_PER_LINE = 5
_FOUR_PLACES = Decimal("0.0001")


@dataclass(frozen=True, slots=True)
class TaxRate:
    """A manual tax rate (`txr_...`): a percentage from 0 to 100 with up to 4 places."""

    id: str
    percentage: Decimal
    inclusive: bool = False

    def __post_init__(self) -> None:
        if not self.percentage.is_finite() or not 0 <= self.percentage <= 100:
            raise ValueError(
                f"tax rate {self.id}: percentage must be between 0 and 100, got {self.percentage}"
            )
        if self.percentage.quantize(_FOUR_PLACES) != self.percentage:
            raise ValueError(
                f"tax rate {self.id}: percentage has more than 4 decimal places: {self.percentage}"
            )


class TaxLevel(StrEnum):
    LINE_ITEM = "line_item"
    INVOICE = "invoice"


@dataclass(frozen=True, slots=True)
class TaxSettings:
    """Where tax is rounded. `rounding` applies at INVOICE level only; LINE_ITEM always
    rounds half up, as Stripe does."""

    level: TaxLevel = TaxLevel.LINE_ITEM
    rounding: Rounding = Rounding.HALF_UP


@dataclass(frozen=True, slots=True)
class TaxableLine:
    """A line's amount after all its discounts (negative for a credit) and its tax rates."""

    amount: int
    rates: tuple[TaxRate, ...] = ()

    def __post_init__(self) -> None:
        if len(self.rates) > MAX_RATES_PER_LINE:
            raise ValueError(
                f"a line takes at most {MAX_RATES_PER_LINE} tax rates, got {len(self.rates)}"
            )
        ids = [rate.id for rate in self.rates]
        if len(set(ids)) != len(ids):
            raise ValueError(f"a line lists the same tax rate twice: {ids}")


@dataclass(frozen=True, slots=True)
class LineTax:
    tax_rate: str
    inclusive: bool
    taxable_amount: int
    amount: int


@dataclass(frozen=True, slots=True)
class TaxTotal:
    """One row of the invoice's per-rate breakdown."""

    tax_rate: str
    percentage: Decimal
    inclusive: bool
    taxable_amount: int
    amount: int


@dataclass(frozen=True, slots=True)
class TaxResult:
    """`lines[i][j]` is the tax of input line i at its j-th rate; `totals` has one row per
    rate, in order of first appearance."""

    lines: tuple[tuple[LineTax, ...], ...]
    totals: tuple[TaxTotal, ...]

    @property
    def exclusive_amount(self) -> int:
        """Tax to add on top of the lines' amounts."""
        return sum(total.amount for total in self.totals if not total.inclusive)

    @property
    def inclusive_amount(self) -> int:
        """Tax already contained in the lines' amounts."""
        return sum(total.amount for total in self.totals if total.inclusive)


_DEFAULT_SETTINGS = TaxSettings()


def compute_taxes(
    lines: Sequence[TaxableLine], settings: TaxSettings = _DEFAULT_SETTINGS
) -> TaxResult:
    """Tax every line at each of its rates and sum the results per rate.

    Raises ValueError when one rate id comes with two different definitions.
    """
    rates = _rates_in_order(lines)
    exact = [tuple(_exact_tax(line, rate) for rate in line.rates) for line in lines]
    if settings.level is TaxLevel.LINE_ITEM:
        amounts = [[_round(tax, Rounding.HALF_UP) for tax in row] for row in exact]
    else:
        amounts = _allocate(lines, exact, settings.rounding)
    line_taxes = tuple(_line_taxes(line, row) for line, row in zip(lines, amounts, strict=True))
    totals = tuple(_total(rate, line_taxes) for rate in rates)
    return TaxResult(lines=line_taxes, totals=totals)


def _rates_in_order(lines: Sequence[TaxableLine]) -> list[TaxRate]:
    seen: dict[str, TaxRate] = {}
    for line in lines:
        for rate in line.rates:
            known = seen.setdefault(rate.id, rate)
            if known != rate:
                raise ValueError(f"tax rate {rate.id} has two definitions: {known} and {rate}")
    return list(seen.values())


def _exact_tax(line: TaxableLine, rate: TaxRate) -> Fraction:
    inclusive_sum = sum((Fraction(r.percentage) for r in line.rates if r.inclusive), Fraction(0))
    # net * p / 100 with net = A * 100 / (100 + SI): the factors of 100 cancel.
    return line.amount * Fraction(rate.percentage) / (100 + inclusive_sum)


def _allocate(
    lines: Sequence[TaxableLine], exact: list[tuple[Fraction, ...]], rounding: Rounding
) -> list[list[int]]:
    amounts = [[0] * len(line.rates) for line in lines]
    places: dict[str, list[tuple[int, int]]] = {}
    for i, line in enumerate(lines):
        for j, rate in enumerate(line.rates):
            places.setdefault(rate.id, []).append((i, j))
    for spots in places.values():
        taxes = [exact[i][j] for i, j in spots]
        total = _round(sum(taxes, Fraction(0)), rounding)
        for (i, j), share in zip(spots, _spread(taxes, total, rounding), strict=True):
            amounts[i][j] = share
    return amounts


def _spread(exact: Sequence[Fraction], total: int, rounding: Rounding) -> list[int]:
    """Whole shares of `total`, one per exact value, adding up to `total` exactly.

    Each share differs from its exact value by less than 2 minor units (at most 1.5 with a
    half mode). Proof: with n values, each rounded value is off by less than 1 (at most 1/2)
    and `total` is off from the exact sum by less than 1 (at most 1/2). So the gap between
    `total` and the sum of the rounded values is below n + 1, hence at most n. No share
    then moves by more than one unit.
    """
    shares = [_round(value, rounding) for value in exact]
    gap = total - sum(shares)
    step = 1 if gap > 0 else -1
    # Largest magnitude first so the unit moves where it is relatively smallest; sorting on
    # magnitudes and positions only keeps credits the exact mirror of debits.
    order = sorted(range(len(exact)), key=lambda k: (abs(exact[k]), k), reverse=True)
    for k in order[: abs(gap)]:
        shares[k] += step
    return shares


def _round(value: Fraction, rounding: Rounding) -> int:
    """`value` rounded to a whole minor unit by `to_minor_units`, exactly as if the
    division were exact.

    Why the division cannot change the result: a value off a multiple of 1/2 is at least
    1/(2 * denominator) away from one. With precision digits(numerator) + 2, the division's
    error is below that, so the quotient stays strictly on the same side. A multiple of 1/2
    has a denominator of 1 or 2 and divides exactly.
    """
    digits = len(str(abs(value.numerator)))
    with localcontext(prec=max(60, digits + 2)):
        quotient = Decimal(value.numerator) / Decimal(value.denominator)
        return to_minor_units(quotient, rounding)


def _line_taxes(line: TaxableLine, amounts: Sequence[int]) -> tuple[LineTax, ...]:
    inclusive_tax = sum(
        amount for rate, amount in zip(line.rates, amounts, strict=True) if rate.inclusive
    )
    taxable = line.amount - inclusive_tax
    return tuple(
        LineTax(tax_rate=rate.id, inclusive=rate.inclusive, taxable_amount=taxable, amount=amount)
        for rate, amount in zip(line.rates, amounts, strict=True)
    )


def _total(rate: TaxRate, line_taxes: tuple[tuple[LineTax, ...], ...]) -> TaxTotal:
    entries = [tax for row in line_taxes for tax in row if tax.tax_rate == rate.id]
    return TaxTotal(
        tax_rate=rate.id,
        percentage=rate.percentage,
        inclusive=rate.inclusive,
        taxable_amount=sum(tax.taxable_amount for tax in entries),
        amount=sum(tax.amount for tax in entries),
    )
