"""A draft invoice's lines and amounts, kept in step with what it bills.

A draft holds two kinds of lines: subscription lines, written by the subscription code with
their amounts already priced, and one line per invoice item attached to it. Whenever either
changes, `refresh` computes every line's discounts and taxes and the invoice totals again
with the billing domain's `generate_invoice`, so a draft always reads as it would finalize.
The customer's balance is left out until finalization, when it is applied for good.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from seikyu.accounts import settings
from seikyu.billing import discounts, invoice_items, price_terms
from seikyu.billing import invoice_repository as repository
from seikyu.billing.domain.invoice import BillingRun, InvoiceAmounts, PendingItem, generate_invoice
from seikyu.billing.domain.invoice_status import InvoiceStatus
from seikyu.billing.domain.tax import LineTax, TaxLevel, TaxSettings, TaxTotal
from seikyu.catalog import prices
from seikyu.core.money import Rounding
from seikyu.core.periods import Period
from seikyu.db.models.invoice_items import InvoiceItem
from seikyu.db.models.invoice_lines import InvoiceLine
from seikyu.db.models.invoices import Invoice
from seikyu.db.uow import UnitOfWork

SUBSCRIPTION_LINE = "subscription_item_details"
ITEM_LINE = "invoice_item_details"

_SECOND = timedelta(seconds=1)
_ROUNDINGS = {"down": Rounding.DOWN, "half_up": Rounding.HALF_UP, "up": Rounding.UP}


@dataclass(frozen=True, slots=True)
class Computed:
    """An invoice's amounts with the lines they were computed for, in order."""

    lines: list[InvoiceLine]
    amounts: InvoiceAmounts


def refresh(uow: UnitOfWork, invoice: Invoice, items: Sequence[InvoiceItem] | None = None) -> None:
    """Bring a draft's invoice-item lines in step with its items and recompute it.

    `items` are the invoice's items, oldest first, when the caller knows them (a draft it
    has just made holds exactly those it attached); otherwise they are read."""
    if invoice.status != InvoiceStatus.DRAFT:
        raise RuntimeError(f"only a draft is recomputed, {invoice.id} is {invoice.status}")
    existing = list(invoice.lines)
    kept = [line for line in existing if line.parent_type == SUBSCRIPTION_LINE]
    by_item = {line.invoice_item_id: line for line in existing if line.parent_type == ITEM_LINE}
    if items is None:
        items = invoice_items.of_invoice(uow, invoice.id)
    for item in items:
        line = by_item.pop(item.id, None)
        if line is None:
            line = InvoiceLine(
                id=uow.new_id("il"),
                account_id=invoice.account_id,
                livemode=invoice.livemode,
                created=uow.now,
                parent_type=ITEM_LINE,
                invoice_item_id=item.id,
                metadata_={},
                discount_amounts=[],
                taxes=[],
            )
        _copy_item(uow, line, item)
        kept.append(line)
    for position, line in enumerate(kept):
        line.position = position
    invoice.lines = kept  # lines no longer kept are deleted with the collection
    store(invoice, compute(uow, invoice, kept, starting_balance=0))
    # The balance and the minimum charge apply at finalization; until then a draft asks
    # for its total.
    invoice.amount_due = max(invoice.total, 0)


def refresh_by_id(uow: UnitOfWork, invoice_id: str) -> None:
    invoice = repository.get(uow.session, uow.account_id, uow.livemode, invoice_id)
    if invoice is not None and invoice.status == InvoiceStatus.DRAFT:
        refresh(uow, invoice)


def compute(
    uow: UnitOfWork, invoice: Invoice, lines: Sequence[InvoiceLine], *, starting_balance: int
) -> Computed:
    """The invoice's amounts for `lines` against a customer balance of `starting_balance`."""
    currency = invoice.currency
    item_discounts = _discounts_by_id(uow, {d for line in lines for d in line.discount_ids})
    invoice_discounts = _discounts_by_id(uow, set(invoice.discount_ids))
    all_rows = {**item_discounts, **invoice_discounts}
    domain = {d.id: d for d in discounts.to_domain(uow, list(all_rows.values()), currency)}
    rate_ids = {r for line in lines for r in line.tax_rate_ids or ()}
    rate_ids.update(invoice.default_tax_rate_ids)
    rates = {rate.id: rate for rate in price_terms.tax_rates(uow, sorted(rate_ids))}
    run = BillingRun(
        currency=currency,
        invoice_at=invoice.created,
        pending=tuple(
            PendingItem(
                id=line.id,
                amount=line.amount,
                period=_period(line),
                quantity=line.quantity if line.quantity is not None else 1,
                unit_amount_decimal=line.unit_amount_decimal,
                price=line.price_id,
                product=line.product_id,
                description=line.description or "",
                discountable=line.discountable,
                discounts=tuple(domain[d] for d in line.discount_ids if d in domain),
                tax_rates=None
                if line.tax_rate_ids is None
                else tuple(rates[r] for r in line.tax_rate_ids),
            )
            for line in lines
        ),
        discounts=tuple(domain[d] for d in invoice.discount_ids if d in domain),
        used_discounts=discounts.used_once(list(all_rows.values())),
        default_tax_rates=tuple(rates[r] for r in invoice.default_tax_rate_ids),
        tax_settings=tax_settings(uow),
        starting_balance=starting_balance,
    )
    return Computed(list(lines), generate_invoice(run))


def store(invoice: Invoice, computed: Computed) -> None:
    """Write computed amounts onto the invoice and its lines."""
    amounts = computed.amounts
    for line, result in zip(computed.lines, amounts.lines, strict=True):
        line.discount_amounts = [
            {"amount": share.amount, "discount": share.discount}
            for share in result.discount_amounts
        ]
        line.taxes = [_line_tax(tax) for tax in result.taxes]
    invoice.subtotal = amounts.subtotal
    invoice.subtotal_excluding_tax = amounts.subtotal_excluding_tax
    invoice.total = amounts.total
    invoice.total_excluding_tax = amounts.total_excluding_tax
    invoice.total_discount_amounts = [
        {"amount": share.amount, "discount": share.discount}
        for share in amounts.total_discount_amounts
    ]
    invoice.total_taxes = [_total_tax(total) for total in amounts.total_taxes]
    invoice.starting_balance = amounts.starting_balance
    invoice.amount_due = amounts.amount_due


def tax_settings(uow: UnitOfWork) -> TaxSettings:
    """The account's tax rounding. Japan's qualified invoice rule computes tax once per rate
    per invoice, so an account under it rounds at invoice level whatever else it chose."""
    chosen = settings.tax_rounding(uow, uow.account_id)
    level = TaxLevel(chosen.level)
    if settings.invoice_settings(uow, uow.account_id).qualified_invoice:
        level = TaxLevel.INVOICE
    return TaxSettings(level=level, rounding=_ROUNDINGS[chosen.rounding])


def _discounts_by_id(uow: UnitOfWork, ids: set[str]) -> dict[str, Any]:
    found = {}
    for discount_id in sorted(ids):
        row = discounts.find(uow, discount_id)
        if row is not None:
            found[discount_id] = row
    return found


def _copy_item(uow: UnitOfWork, line: InvoiceLine, item: InvoiceItem) -> None:
    line.subscription_id = item.subscription_id
    line.subscription_item_id = item.subscription_item_id
    line.proration = item.proration
    line.amount = item.amount
    line.currency = item.currency
    line.description = item.description
    line.period_start = item.period_start
    line.period_end = item.period_end
    line.quantity = item.quantity
    line.price_id = item.price_id
    line.product_id = (
        price_terms.product_of(prices.get(uow, item.price_id)) if item.price_id else None
    )
    line.unit_amount_decimal = item.unit_amount_decimal
    line.discountable = item.discountable and not item.proration
    line.discount_ids = [
        d.id
        for d in discounts.of_owner(
            uow, discounts.Owner(customer_id=item.customer_id, invoice_item_id=item.id)
        )
    ]
    line.tax_rate_ids = None if item.tax_rate_ids is None else list(item.tax_rate_ids)


def _period(line: InvoiceLine) -> Period:
    # A one-off item's period may be an instant (start == end), which the domain's Period
    # cannot hold. No amount depends on a line's period, and the stored line keeps the
    # instant, so one second stands in for it.
    if line.period_end > line.period_start:
        return Period(line.period_start, line.period_end)
    return Period(line.period_start, line.period_start + _SECOND)


def _line_tax(tax: LineTax) -> dict[str, Any]:
    return {
        "amount": tax.amount,
        "tax_behavior": "inclusive" if tax.inclusive else "exclusive",
        "tax_rate_details": {"tax_rate": tax.tax_rate},
        "taxability_reason": None,
        "taxable_amount": tax.taxable_amount,
        "type": "tax_rate_details",
    }


def _total_tax(total: TaxTotal) -> dict[str, Any]:
    return {
        "amount": total.amount,
        "tax_behavior": "inclusive" if total.inclusive else "exclusive",
        "tax_rate_details": {"tax_rate": total.tax_rate},
        "taxability_reason": None,
        "taxable_amount": total.taxable_amount,
        "type": "tax_rate_details",
        # Seikyu's own: Japan's qualified invoices show each rate's percentage with its total.
        "percentage": str(total.percentage),
    }
