"""Credit note arithmetic: what crediting part of an issued invoice gives back, and where.

A credit note credits invoice lines, by quantity or by amount, and custom lines. A credited
invoice line gives back its discounts and taxes in proportion to the part of it credited.
Each of those shares is the difference of two cumulative roundings: what all credits of the
line so far come to, with and without this one (`_share`, half up, once each). So credits
of one line add up to the line exactly: a line credited in three thirds gives back its tax
once, never a unit more or less.

Where a credit goes (Stripe's rules):
- on an invoice with an amount still due, the credit first reduces what is due
  (`pre_payment_amount`), never below zero;
- the rest (`post_payment_amount`) gives back what was settled, and must be split exactly
  between the customer's balance, a refund and money returned out of band;
- all credit notes of an invoice never add up to more than its total.

A credit note is `issued`, then possibly `void`; the move goes through `transition`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext
from enum import StrEnum
from fractions import Fraction
from types import MappingProxyType

from seikyu.billing.domain.tax import TaxableLine, TaxRate, TaxSettings, compute_taxes
from seikyu.core.errors import SeikyuError, invalid
from seikyu.core.money import to_minor_units


class CreditedBy(StrEnum):
    """How an invoice line is credited. Stripe keeps one way per line: once credited by
    quantity, a line is only ever credited by quantity again, and likewise by amount."""

    QUANTITY = "quantity"
    AMOUNT = "amount"


class CreditNoteType(StrEnum):
    PRE_PAYMENT = "pre_payment"
    POST_PAYMENT = "post_payment"
    MIXED = "mixed"


@dataclass(frozen=True, slots=True)
class Share:
    """The part of an amount that one discount took."""

    discount: str
    amount: int


@dataclass(frozen=True, slots=True)
class Tax:
    tax_rate: str
    inclusive: bool
    taxable_amount: int
    amount: int


@dataclass(frozen=True, slots=True)
class InvoiceLineState:
    """An invoice line as issued, with what the issued credit notes already credited."""

    id: str
    amount: int  # before discounts and exclusive tax, inclusive tax included
    quantity: int
    discount_amounts: tuple[Share, ...]
    taxes: tuple[Tax, ...]
    item_discounts: frozenset[str] = frozenset()  # the line's own discounts
    credited_amount: int = 0
    credited_quantity: int = 0
    credited_by: CreditedBy | None = None


@dataclass(frozen=True, slots=True)
class LineCredit:
    """A request to credit an invoice line: a quantity or an amount of it. `param` names
    the request's line (`lines[0]`) in errors."""

    param: str
    quantity: int | None = None
    amount: int | None = None


@dataclass(frozen=True, slots=True)
class CustomCredit:
    """A credit for something that is no invoice line: a price per unit times a quantity."""

    unit_amount: Decimal
    quantity: int
    tax_rates: tuple[TaxRate, ...] = ()


@dataclass(frozen=True, slots=True)
class CreditLine:
    invoice_line: str | None  # None for a custom line
    credited_by: CreditedBy | None
    amount: int
    quantity: int | None
    discount_amounts: tuple[Share, ...]
    item_discount_amount: int  # the part of the discounts that the line's own discounts took
    taxes: tuple[Tax, ...]

    @property
    def discount_amount(self) -> int:
        return sum(share.amount for share in self.discount_amounts)


@dataclass(frozen=True, slots=True)
class CreditNoteAmounts:
    lines: tuple[CreditLine, ...]
    subtotal: int
    subtotal_excluding_tax: int
    discount_amount: int
    discount_amounts: tuple[Share, ...]
    total_taxes: tuple[Tax, ...]
    total: int
    total_excluding_tax: int


@dataclass(frozen=True, slots=True)
class Split:
    """How a credit note's total meets its invoice: what it takes off the amount due, and
    what it gives back of what was settled."""

    pre_payment: int
    post_payment: int

    @property
    def type(self) -> CreditNoteType:
        if self.post_payment == 0:
            return CreditNoteType.PRE_PAYMENT
        if self.pre_payment == 0:
            return CreditNoteType.POST_PAYMENT
        return CreditNoteType.MIXED


@dataclass(frozen=True, slots=True)
class Allocation:
    """Where the post-payment amount goes."""

    credit_amount: int = 0
    refund_amount: int = 0
    out_of_band_amount: int = 0

    @property
    def total(self) -> int:
        return self.credit_amount + self.refund_amount + self.out_of_band_amount


# --- lines --------------------------------------------------------------------------


def credit_invoice_line(line: InvoiceLineState, request: LineCredit) -> CreditLine:
    """The credit of `request` on `line`, refused (naming the request's parameter) when it
    asks for more than is left of the line or mixes quantity and amount on one line."""
    if line.amount <= 0:
        raise invalid(
            f"The invoice line item {line.id} has no positive amount to credit.",
            param=f"{request.param}[invoice_line_item]",
        )
    if request.quantity is not None:
        amount = _by_quantity(line, request.quantity, request.param)
        mode = CreditedBy.QUANTITY
    elif request.amount is not None:
        amount = _by_amount(line, request.amount, request.param)
        mode = CreditedBy.AMOUNT
    else:
        raise ValueError("a line credit needs a quantity or an amount")
    before = line.credited_amount
    after = before + amount
    shares = tuple(
        Share(d.discount, _increment(d.amount, before, after, line.amount))
        for d in line.discount_amounts
    )
    taxes = tuple(
        Tax(
            tax_rate=t.tax_rate,
            inclusive=t.inclusive,
            taxable_amount=_increment(t.taxable_amount, before, after, line.amount),
            amount=_increment(t.amount, before, after, line.amount),
        )
        for t in line.taxes
    )
    return CreditLine(
        invoice_line=line.id,
        credited_by=mode,
        amount=amount,
        quantity=request.quantity if mode is CreditedBy.QUANTITY else 1,
        discount_amounts=shares,
        item_discount_amount=sum(s.amount for s in shares if s.discount in line.item_discounts),
        taxes=taxes,
    )


def custom_lines(credits: Sequence[CustomCredit], settings: TaxSettings) -> list[CreditLine]:
    """Custom lines: each amount rounded once from price times quantity, taxed at its own
    rates with the account's tax rounding."""
    amounts = [custom_amount(c.unit_amount, c.quantity) for c in credits]
    taxed = compute_taxes(
        [TaxableLine(amount, c.tax_rates) for amount, c in zip(amounts, credits, strict=True)],
        settings,
    )
    return [
        CreditLine(
            invoice_line=None,
            credited_by=None,
            amount=amount,
            quantity=c.quantity,
            discount_amounts=(),
            item_discount_amount=0,
            taxes=tuple(
                Tax(t.tax_rate, t.inclusive, t.taxable_amount, t.amount) for t in line_taxes
            ),
        )
        for amount, c, line_taxes in zip(amounts, credits, taxed.lines, strict=True)
    ]


def custom_amount(unit_amount: Decimal, quantity: int) -> int:
    # Room for a 64-bit price times a 64-bit quantity with 12 decimal places, exactly.
    with localcontext(prec=60):
        return to_minor_units(unit_amount * quantity)


def unit_amount_of(line: InvoiceLineState) -> Decimal:
    """The price of one unit of an invoice line, exact to 12 places (Stripe's precision)."""
    if line.amount % line.quantity == 0:
        return Decimal(line.amount // line.quantity)
    with localcontext(prec=60):
        exact = (Decimal(line.amount) / line.quantity).quantize(Decimal("1e-12"))
    return Decimal(format(exact, "f").rstrip("0").rstrip("."))


def _by_quantity(line: InvoiceLineState, quantity: int, param: str) -> int:
    if line.credited_by is CreditedBy.AMOUNT:
        raise invalid(
            f"The invoice line item {line.id} was credited by amount: credit it by `amount` "
            "again, not by `quantity`.",
            param=f"{param}[quantity]",
        )
    left = line.quantity - line.credited_quantity
    if quantity > left:
        raise invalid(
            f"The quantity to credit ({quantity}) is more than is left to credit on invoice "
            f"line item {line.id} ({left}).",
            param=f"{param}[quantity]",
        )
    return _share(line.amount, line.credited_quantity + quantity, line.quantity) - (
        line.credited_amount
    )


def _by_amount(line: InvoiceLineState, amount: int, param: str) -> int:
    if line.credited_by is CreditedBy.QUANTITY:
        raise invalid(
            f"The invoice line item {line.id} was credited by quantity: credit it by "
            "`quantity` again, not by `amount`.",
            param=f"{param}[amount]",
        )
    left = max(line.amount - line.credited_amount, 0)
    if amount > left:
        raise invalid(
            f"The amount to credit ({amount}) is more than is left to credit on invoice line "
            f"item {line.id} ({left}).",
            param=f"{param}[amount]",
        )
    return amount


def _increment(value: int, before: int, after: int, whole: int) -> int:
    """This credit's share of `value`, when the line's credits go from `before` to `after`
    of `whole`."""
    return _share(value, after, whole) - _share(value, before, whole)


def _share(value: int, part: int, whole: int) -> int:
    """`value * part / whole`, rounded half up once: exact at 0 and at `whole`."""
    if part == whole:
        return value
    exact = Fraction(value * part, whole)
    # Enough digits that the quotient cannot cross a half: it is off a multiple of 1/2 by at
    # least 1/(2 * denominator), more than the division's error at this precision.
    digits = len(str(abs(exact.numerator))) + 2
    with localcontext(prec=max(60, digits)):
        return to_minor_units(Decimal(exact.numerator) / Decimal(exact.denominator))


# --- totals -------------------------------------------------------------------------


def totals(lines: Sequence[CreditLine]) -> CreditNoteAmounts:
    """The credit note's amounts, as an invoice adds its lines up: the subtotal after the
    lines' own discounts, the total after all discounts and with exclusive tax."""
    amount = sum(line.amount for line in lines)
    discount = sum(line.discount_amount for line in lines)
    item_discount = sum(line.item_discount_amount for line in lines)
    taxes = _by_rate(tax for line in lines for tax in line.taxes)
    exclusive = sum(t.amount for t in taxes if not t.inclusive)
    inclusive = sum(t.amount for t in taxes if t.inclusive)
    subtotal = amount - item_discount
    total = amount - discount + exclusive
    return CreditNoteAmounts(
        lines=tuple(lines),
        subtotal=subtotal,
        subtotal_excluding_tax=subtotal - inclusive,
        discount_amount=discount,
        discount_amounts=_by_discount(s for line in lines for s in line.discount_amounts),
        total_taxes=taxes,
        total=total,
        total_excluding_tax=total - exclusive - inclusive,
    )


def _by_rate(taxes: Iterable[Tax]) -> tuple[Tax, ...]:
    rows: dict[str, Tax] = {}
    for tax in taxes:
        seen = rows.get(tax.tax_rate)
        rows[tax.tax_rate] = (
            tax
            if seen is None
            else Tax(
                tax.tax_rate,
                tax.inclusive,
                seen.taxable_amount + tax.taxable_amount,
                seen.amount + tax.amount,
            )
        )
    return tuple(rows.values())


def _by_discount(shares: Iterable[Share]) -> tuple[Share, ...]:
    sums: dict[str, int] = {}
    for share in shares:
        sums[share.discount] = sums.get(share.discount, 0) + share.amount
    return tuple(Share(discount, amount) for discount, amount in sums.items())


# --- where the credit goes ----------------------------------------------------------


def split(total: int, amount_remaining: int) -> Split:
    """What is still due is credited first; the rest gives back what was settled."""
    pre = min(total, max(amount_remaining, 0))
    return Split(pre_payment=pre, post_payment=total - pre)


def check_creditable(total: int, creditable: int, *, param: str) -> None:
    """Refuse an empty credit note, and one that would take the invoice's credit notes (and
    the refunds made outside them) past its total."""
    if total <= 0:
        raise invalid("The credit note's total must be greater than zero.", param=param)
    if total > creditable:
        raise invalid(
            f"The credit note's total ({total}) is more than is left to credit on the invoice "
            f"({max(creditable, 0)}).",
            param=param,
        )


def check_allocation(post_payment: int, allocation: Allocation, *, param: str) -> None:
    """The post-payment amount goes exactly to the balance, a refund and out of band."""
    if allocation.total != post_payment:
        raise invalid(
            f"The sum of credit_amount, refund_amount and out_of_band_amount "
            f"({allocation.total}) must equal the credit note's post-payment amount "
            f"({post_payment}): the part of its total beyond what is still due on the invoice.",
            param=param,
        )


# --- status -------------------------------------------------------------------------


class CreditNoteStatus(StrEnum):
    ISSUED = "issued"
    VOID = "void"


class CreditNoteAction(StrEnum):
    VOID = "void"


@dataclass(frozen=True, slots=True)
class Transition:
    status: CreditNoteStatus
    events: tuple[str, ...]


TRANSITIONS: Mapping[tuple[CreditNoteStatus, CreditNoteAction], Transition] = MappingProxyType(
    {
        (CreditNoteStatus.ISSUED, CreditNoteAction.VOID): Transition(
            CreditNoteStatus.VOID, ("credit_note.voided",)
        ),
    }
)


def transition(status: CreditNoteStatus, action: CreditNoteAction) -> Transition:
    move = TRANSITIONS.get((status, action))
    if move is None:
        raise SeikyuError(
            f"You can only {action.value} an issued credit note. This credit note is "
            f"{status.value}.",
            code="status_transition_invalid",
        )
    return move
