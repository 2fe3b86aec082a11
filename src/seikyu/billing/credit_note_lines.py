"""The lines of a credit note, computed from its invoice and the credit notes already issued.

Each requested line becomes a credited invoice line or a custom line (see the domain's
`credit_note`); a credit note given only an `amount` has one custom line of that amount.
Lines are stored on the credit note as Stripe shows them, with the tax rates as they were
when the credit note was issued, plus how an invoice line was credited (`credited_by`), which
decides how it may be credited again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from seikyu.billing import invoice_drafts, price_terms
from seikyu.billing.domain.credit_note import (
    CreditedBy,
    CreditLine,
    CreditNoteAmounts,
    CustomCredit,
    InvoiceLineState,
    LineCredit,
    Share,
    Tax,
    credit_invoice_line,
    custom_lines,
    totals,
    unit_amount_of,
)
from seikyu.catalog import tax_rates as catalog_tax_rates
from seikyu.core import metadata
from seikyu.core.errors import invalid, no_such
from seikyu.db.models.credit_notes import CreditNote
from seikyu.db.models.invoice_lines import InvoiceLine
from seikyu.db.models.invoices import Invoice
from seikyu.db.pagination import Page
from seikyu.db.uow import UnitOfWork

INVOICE_LINE_ITEM = "invoice_line_item"
CUSTOM_LINE_ITEM = "custom_line_item"


@dataclass(frozen=True, slots=True)
class LineRequest:
    """One requested line; `param` is where it was given (`lines[0]`), for errors."""

    type: str
    param: str
    invoice_line_item: str | None = None
    quantity: int | None = None
    amount: int | None = None
    description: str | None = None
    unit_amount: Decimal | None = None
    tax_rates: tuple[str, ...] = ()
    metadata: dict[str, str] | None = None


@dataclass(frozen=True, slots=True)
class ComputedLines:
    amounts: CreditNoteAmounts
    stored: list[dict[str, Any]] = field(default_factory=list)


def compute(
    uow: UnitOfWork,
    invoice: Invoice,
    issued: Sequence[CreditNote],
    requests: Sequence[LineRequest],
    *,
    line_id: Callable[[int], str],
) -> ComputedLines:
    """The credit note's lines and amounts; `line_id(i)` names the i-th line."""
    by_id = {line.id: line for line in invoice.lines}
    credited = _credited(issued)
    custom = [r for r in requests if r.type == CUSTOM_LINE_ITEM]
    custom_results = iter(
        custom_lines([_custom_credit(uow, r) for r in custom], invoice_drafts.tax_settings(uow))
    )
    seen: set[str] = set()
    lines: list[CreditLine] = []
    stored: list[dict[str, Any]] = []
    for index, request in enumerate(requests):
        if request.type == CUSTOM_LINE_ITEM:
            line = next(custom_results)
            rate_ids = list(request.tax_rates)
            description = request.description
            unit = request.unit_amount
        else:
            source = _invoice_line(by_id, request, seen, invoice.id)
            state = _state(source, credited.get(source.id))
            line = credit_invoice_line(
                state,
                LineCredit(request.param, quantity=request.quantity, amount=request.amount),
            )
            rate_ids = [tax.tax_rate for tax in line.taxes]
            description = source.description
            unit = (
                unit_amount_of(state)
                if line.credited_by is CreditedBy.QUANTITY
                else Decimal(line.amount)
            )
        lines.append(line)
        stored.append(
            _stored(uow, line_id(index), line, rate_ids, description, unit, request.metadata)
        )
    return ComputedLines(totals(lines), stored)


def amount_only(amount: int) -> LineRequest:
    """The one line of a credit note given only its `amount`."""
    return LineRequest(type=CUSTOM_LINE_ITEM, param="amount", unit_amount=Decimal(amount))


@dataclass
class _Credited:
    amount: int = 0
    quantity: int = 0
    by: CreditedBy | None = None


def _credited(issued: Sequence[CreditNote]) -> dict[str, _Credited]:
    """What the issued credit notes credited of each invoice line."""
    found: dict[str, _Credited] = {}
    for note in issued:
        for line in note.lines:
            source = line.get("invoice_line_item")
            if source is None:
                continue
            entry = found.setdefault(source, _Credited())
            entry.amount += int(line["amount"])
            entry.by = CreditedBy(line["credited_by"])
            if entry.by is CreditedBy.QUANTITY:
                entry.quantity += int(line["quantity"])
    return found


def _invoice_line(
    by_id: dict[str, InvoiceLine], request: LineRequest, seen: set[str], invoice_id: str
) -> InvoiceLine:
    line_id = request.invoice_line_item
    param = f"{request.param}[invoice_line_item]"
    assert line_id is not None  # the API requires it for this type
    source = by_id.get(line_id)
    if source is None:
        raise no_such(f"line item on invoice {invoice_id}", line_id, param=param)
    if line_id in seen:
        raise invalid(
            f"The invoice line item {line_id} is listed twice; credit each line once per "
            "credit note.",
            param=param,
        )
    seen.add(line_id)
    return source


def _state(line: InvoiceLine, credited: _Credited | None) -> InvoiceLineState:
    done = credited or _Credited()
    return InvoiceLineState(
        id=line.id,
        amount=line.amount,
        quantity=line.quantity if line.quantity else 1,
        discount_amounts=tuple(
            Share(str(d["discount"]), int(d["amount"])) for d in line.discount_amounts
        ),
        taxes=tuple(
            Tax(
                tax_rate=str(t["tax_rate_details"]["tax_rate"]),
                inclusive=t["tax_behavior"] == "inclusive",
                taxable_amount=int(t["taxable_amount"]),
                amount=int(t["amount"]),
            )
            for t in line.taxes
        ),
        item_discounts=frozenset(line.discount_ids),
        credited_amount=done.amount,
        credited_quantity=done.quantity,
        credited_by=done.by,
    )


def _custom_credit(uow: UnitOfWork, request: LineRequest) -> CustomCredit:
    assert request.unit_amount is not None  # the API requires a unit amount for this type
    ids = price_terms.check_tax_rates(uow, request.tax_rates, param=f"{request.param}[tax_rates]")
    return CustomCredit(
        unit_amount=request.unit_amount,
        quantity=request.quantity or 1,
        tax_rates=price_terms.tax_rates(uow, ids),
    )


def _stored(
    uow: UnitOfWork,
    line_id: str,
    line: CreditLine,
    rate_ids: list[str],
    description: str | None,
    unit: Decimal | None,
    given_metadata: dict[str, str] | None,
) -> dict[str, Any]:
    whole = unit is not None and unit == unit.to_integral_value()
    return {
        "id": line_id,
        "type": CUSTOM_LINE_ITEM if line.invoice_line is None else INVOICE_LINE_ITEM,
        "invoice_line_item": line.invoice_line,
        "credited_by": None if line.credited_by is None else line.credited_by.value,
        "amount": line.amount,
        "quantity": line.quantity,
        "description": description,
        "unit_amount": int(unit) if unit is not None and whole else None,
        "unit_amount_decimal": None if unit is None else _decimal_text(unit),
        "discount_amounts": [
            {"amount": share.amount, "discount": share.discount} for share in line.discount_amounts
        ],
        "taxes": [tax_row(tax) for tax in line.taxes],
        # The rates as they were when credited, as Stripe embeds them in each line.
        "tax_rates": [
            uow.render(catalog_tax_rates.get(uow, rate_id, param=None)) for rate_id in rate_ids
        ],
        "metadata": metadata.initial(given_metadata),
    }


def tax_row(tax: Tax) -> dict[str, Any]:
    """A tax as a line's `taxes` and the credit note's `total_taxes` show it."""
    return {
        "amount": tax.amount,
        "tax_behavior": "inclusive" if tax.inclusive else "exclusive",
        "tax_rate_details": {"tax_rate": tax.tax_rate},
        "taxability_reason": None,
        "taxable_amount": tax.taxable_amount,
        "type": "tax_rate_details",
    }


def _decimal_text(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def line_page(
    lines: Sequence[dict[str, Any]],
    *,
    limit: int,
    starting_after: str | None,
    ending_before: str | None,
) -> Page[dict[str, Any]]:
    """A page of a credit note's lines, in their order; cursors are lines of the same note."""
    ids = [line["id"] for line in lines]

    def position(line_id: str, param: str) -> int:
        if line_id not in ids:
            raise no_such("credit note line item", line_id, param=param)
        return ids.index(line_id)

    if ending_before is not None:
        end = position(ending_before, "ending_before")
        start = max(end - limit, 0)
        return Page(list(lines[start:end]), start > 0)
    start = 0 if starting_after is None else position(starting_after, "starting_after") + 1
    return Page(list(lines[start : start + limit]), start + limit < len(lines))
