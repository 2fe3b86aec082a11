"""The invoice as a function: what a customer is billed for, in, totals out.

Renewals, previews, proration invoices and one-off invoices all call `generate_invoice`.
It takes what the invoice bills (subscription items for a period, metered usage, pending
invoice items, proration lines), the discounts and tax rates in effect and the customer's
balance, and returns every line with its discount and tax amounts and the invoice totals.

Order of operations, as on Stripe:
1. each line's amount (price × quantity, rounded once per line);
2. item-level discounts, then invoice-level discounts, in order, on discountable lines;
3. tax on each line's discounted amount (per line, or per rate for the invoice);
4. totals, then the customer's balance and the currency's minimum charge.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from seikyu.billing.domain.balance import settle
from seikyu.billing.domain.discounts import (
    Discount,
    DiscountableLine,
    DiscountAmount,
    apply_discounts,
    in_effect,
)
from seikyu.billing.domain.pricing import Pricing, Quantity, line_amount
from seikyu.billing.domain.proration import ProrationLine
from seikyu.billing.domain.tax import (
    LineTax,
    TaxableLine,
    TaxRate,
    TaxSettings,
    TaxTotal,
    compute_taxes,
)
from seikyu.core.periods import Period


class LineKind(StrEnum):
    SUBSCRIPTION = "subscription"  # a subscription item billed for a period
    INVOICE_ITEM = "invoice_item"  # a pending invoice item, prorations included


@dataclass(frozen=True, slots=True)
class ItemUsage:
    """A subscription item billed for a period: a licensed quantity, or metered usage."""

    item: str
    pricing: Pricing
    quantity: Quantity
    period: Period
    price: str | None = None
    product: str | None = None
    description: str = ""
    discounts: tuple[Discount, ...] = ()
    tax_rates: tuple[TaxRate, ...] | None = None  # None: the invoice's default rates


@dataclass(frozen=True, slots=True)
class PendingItem:
    """An invoice item waiting for the next invoice, already priced."""

    id: str
    amount: int
    period: Period
    quantity: Quantity = 1
    unit_amount_decimal: Decimal | None = None
    price: str | None = None
    product: str | None = None
    description: str = ""
    discountable: bool = True
    discounts: tuple[Discount, ...] = ()
    tax_rates: tuple[TaxRate, ...] | None = None


@dataclass(frozen=True, slots=True)
class BillingRun:
    """Everything one invoice bills, and the state it is computed against."""

    currency: str
    invoice_at: datetime  # the invoice's date: decides which discounts are still in effect
    items: tuple[ItemUsage, ...] = ()
    prorations: tuple[ProrationLine, ...] = ()
    pending: tuple[PendingItem, ...] = ()
    discounts: tuple[Discount, ...] = ()  # invoice-level, in the order they apply
    # Discounts with duration "once" that an earlier invoice already used.
    used_discounts: frozenset[str] = frozenset()
    default_tax_rates: tuple[TaxRate, ...] = ()
    tax_settings: TaxSettings = field(default_factory=TaxSettings)
    starting_balance: int = 0


@dataclass(frozen=True, slots=True)
class InvoiceLine:
    kind: LineKind
    source: str  # the subscription item or invoice item the line comes from
    amount: int  # before discounts and exclusive tax
    period: Period
    quantity: Quantity | None
    description: str
    price: str | None
    product: str | None
    discountable: bool
    proration: bool
    discounts: tuple[str, ...]  # the item-level discounts of the line
    discount_amounts: tuple[DiscountAmount, ...]
    taxes: tuple[LineTax, ...]


@dataclass(frozen=True, slots=True)
class InvoiceAmounts:
    currency: str
    lines: tuple[InvoiceLine, ...]
    discounts: tuple[str, ...]  # the invoice-level discounts that applied
    subtotal: int
    subtotal_excluding_tax: int
    total_discount_amounts: tuple[DiscountAmount, ...]
    total_taxes: tuple[TaxTotal, ...]
    total_excluding_tax: int
    total: int
    starting_balance: int
    amount_due: int
    ending_balance: int
    carried: int

    @property
    def amount_paid(self) -> int:
        return 0

    @property
    def amount_remaining(self) -> int:
        return self.amount_due - self.amount_paid


@dataclass(frozen=True, slots=True)
class _Draft:
    line: InvoiceLine
    discounts: tuple[Discount, ...]
    tax_rates: tuple[TaxRate, ...] | None


def generate_invoice(run: BillingRun) -> InvoiceAmounts:
    """Lines, discounts, taxes, totals and balance for one invoice."""
    drafts = [*_item_lines(run), *_proration_lines(run), *_pending_lines(run)]

    def effective(discounts: Iterable[Discount]) -> tuple[Discount, ...]:
        return tuple(
            d
            for d in discounts
            if in_effect(d, invoice_at=run.invoice_at, already_applied=d.id in run.used_discounts)
        )

    invoice_discounts = effective(run.discounts)
    per_line = apply_discounts(
        [
            DiscountableLine(
                amount=d.line.amount,
                product=d.line.product,
                discountable=d.line.discountable,
                discounts=effective(d.discounts),
            )
            for d in drafts
        ],
        invoice_discounts,
    )
    rates = [run.default_tax_rates if d.tax_rates is None else d.tax_rates for d in drafts]
    after_discounts = [
        d.line.amount - sum(a.amount for a in amounts)
        for d, amounts in zip(drafts, per_line, strict=True)
    ]
    taxed = compute_taxes(
        [TaxableLine(amount, r) for amount, r in zip(after_discounts, rates, strict=True)],
        run.tax_settings,
    )
    # subtotal_excluding_tax is taken before invoice-level discounts, so the inclusive tax
    # it leaves out is the tax inside those undiscounted amounts, not the tax finally due.
    before_invoice_discounts = [
        d.line.amount - sum(a.amount for a in amounts if a.discount in d.line.discounts)
        for d, amounts in zip(drafts, per_line, strict=True)
    ]
    if before_invoice_discounts == after_discounts:
        subtotal_inclusive_tax = taxed.inclusive_amount
    else:
        subtotal_inclusive_tax = compute_taxes(
            [
                TaxableLine(amount, r)
                for amount, r in zip(before_invoice_discounts, rates, strict=True)
            ],
            run.tax_settings,
        ).inclusive_amount
    lines = tuple(
        replace(d.line, discount_amounts=amounts, taxes=taxes)
        for d, amounts, taxes in zip(drafts, per_line, taxed.lines, strict=True)
    )
    return _totals(
        run,
        lines,
        tuple(d.id for d in invoice_discounts),
        taxed.totals,
        subtotal_inclusive_tax,
    )


def _totals(
    run: BillingRun,
    lines: tuple[InvoiceLine, ...],
    invoice_discounts: tuple[str, ...],
    total_taxes: tuple[TaxTotal, ...],
    subtotal_inclusive_tax: int,
) -> InvoiceAmounts:
    item_discounts = {d for line in lines for d in line.discounts}
    by_discount: dict[str, int] = {}
    for line in lines:
        for share in line.discount_amounts:
            by_discount[share.discount] = by_discount.get(share.discount, 0) + share.amount
    item_level = sum(v for k, v in by_discount.items() if k in item_discounts)
    invoice_level = sum(v for k, v in by_discount.items() if k not in item_discounts)
    exclusive_tax = sum(t.amount for t in total_taxes if not t.inclusive)
    all_tax = sum(t.amount for t in total_taxes)

    subtotal = sum(line.amount for line in lines) - item_level
    total = subtotal - invoice_level + exclusive_tax
    settlement = settle(total, run.starting_balance, run.currency)
    return InvoiceAmounts(
        currency=run.currency,
        lines=lines,
        discounts=invoice_discounts,
        subtotal=subtotal,
        subtotal_excluding_tax=subtotal - subtotal_inclusive_tax,
        total_discount_amounts=tuple(DiscountAmount(k, v) for k, v in by_discount.items()),
        total_taxes=total_taxes,
        total_excluding_tax=total - all_tax,
        total=total,
        starting_balance=settlement.starting_balance,
        amount_due=settlement.amount_due,
        ending_balance=settlement.ending_balance,
        carried=settlement.carried,
    )


def _draft(
    kind: LineKind,
    source: str,
    amount: int,
    period: Period,
    *,
    quantity: Quantity | None,
    description: str,
    price: str | None,
    product: str | None,
    discountable: bool,
    proration: bool,
    discounts: tuple[Discount, ...],
    tax_rates: tuple[TaxRate, ...] | None,
) -> _Draft:
    """A line before discounts and taxes, with what decides them."""
    line = InvoiceLine(
        kind=kind,
        source=source,
        amount=amount,
        period=period,
        quantity=quantity,
        description=description,
        price=price,
        product=product,
        discountable=discountable,
        proration=proration,
        discounts=tuple(d.id for d in discounts),
        discount_amounts=(),
        taxes=(),
    )
    return _Draft(line, discounts, tax_rates)


def _item_lines(run: BillingRun) -> list[_Draft]:
    return [
        _draft(
            LineKind.SUBSCRIPTION,
            item.item,
            line_amount(item.pricing, item.quantity),
            item.period,
            quantity=item.quantity,
            description=item.description,
            price=item.price,
            product=item.product,
            discountable=True,
            proration=False,
            discounts=item.discounts,
            tax_rates=item.tax_rates,
        )
        for item in run.items
    ]


def _proration_lines(run: BillingRun) -> list[_Draft]:
    # Prorations are already net of the discounts that shaped the item's price, so no
    # discount applies to them again.
    return [
        _draft(
            LineKind.INVOICE_ITEM,
            p.charge.item,
            p.amount,
            p.period,
            quantity=p.charge.quantity,
            description=p.description,
            price=p.charge.price,
            product=p.charge.product,
            discountable=False,
            proration=True,
            discounts=(),
            tax_rates=p.charge.tax_rates,
        )
        for p in run.prorations
    ]


def _pending_lines(run: BillingRun) -> list[_Draft]:
    return [
        _draft(
            LineKind.INVOICE_ITEM,
            p.id,
            p.amount,
            p.period,
            quantity=p.quantity,
            description=p.description,
            price=p.price,
            product=p.product,
            discountable=p.discountable,
            proration=False,
            discounts=p.discounts,
            tax_rates=p.tax_rates,
        )
        for p in run.pending
    ]
