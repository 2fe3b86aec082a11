"""Credit note use cases: issue, preview, void, update, look up.

Issuing locks the invoice row first, so credit notes of one invoice are computed one after
the other and each sees what the others credited: together they never credit more than the
invoice's total (less refunds made outside credit notes, as Stripe counts them). A preview
runs the same computation and writes nothing; it emits no event.

Where a credit goes is decided by the domain's `split`: what is still due is reduced first
(`credit_note_invoice`), the rest is given back exactly as asked, to the customer's balance
(a `credit_note` balance transaction), as a refund of the invoice's charge, or out of band.
Money moves last, once every check has passed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypedDict

from seikyu.billing import credit_note_invoice, credit_note_lines, credit_note_refunds, invoices
from seikyu.billing import credit_note_repository as repository
from seikyu.billing.credit_note_lines import LineRequest
from seikyu.billing.credit_note_refunds import Linked, RefundLink
from seikyu.billing.credit_note_repository import CreditNoteFilter
from seikyu.billing.domain.credit_note import (
    Allocation,
    CreditNoteAction,
    CreditNoteStatus,
    Split,
    check_allocation,
    check_creditable,
    split,
    transition,
)
from seikyu.core import metadata as metadata_rules
from seikyu.core.errors import invalid, no_such
from seikyu.customers import balance_transactions
from seikyu.customers import service as customers
from seikyu.db.models.charges import Charge
from seikyu.db.models.credit_notes import CreditNote
from seikyu.db.models.invoices import Invoice
from seikyu.db.pagination import Page, Window
from seikyu.db.uow import UnitOfWork
from seikyu.payments.domain.processor import Processor

_DESCRIBED = {"draft": "a draft", "void": "void"}


@dataclass(frozen=True, slots=True)
class CreditNoteRequest:
    invoice: str
    lines: tuple[LineRequest, ...] = ()
    amount: int | None = None
    credit_amount: int | None = None
    refund_amount: int | None = None
    out_of_band_amount: int | None = None
    refunds: tuple[RefundLink, ...] = ()
    reason: str | None = None
    memo: str | None = None
    metadata: dict[str, str] | None = None
    effective_at: datetime | None = None


class CreditNoteChanges(TypedDict, total=False):
    memo: str | None
    metadata: dict[str, str] | None


@dataclass(frozen=True, slots=True)
class _Draft:
    note: CreditNote
    split: Split
    charge: Charge | None
    linked: Linked | None


def create(uow: UnitOfWork, processor: Processor, request: CreditNoteRequest) -> CreditNote:
    """POST /v1/credit_notes."""
    invoice = invoices.get(uow, request.invoice, param="invoice", for_update=True)
    drafted = _draft(uow, invoice, request, preview=False)
    note = drafted.note
    repository.add(uow.session, note)
    if drafted.split.pre_payment:
        credit_note_invoice.reduce_due(uow, processor, invoice, drafted.split.pre_payment)
    if drafted.split.post_payment:
        credit_note_invoice.add_post_payment(uow, invoice, drafted.split.post_payment)
    if note.credit_amount:
        given = balance_transactions.adjust(
            uow,
            invoice.customer_id,
            -note.credit_amount,
            currency=invoice.currency,
            type="credit_note",
            invoice_id=invoice.id,
            credit_note_id=note.id,
            param="credit_amount",
        )
        note.customer_balance_transaction_id = given.id
    if note.refund_amount and drafted.linked is None:
        assert drafted.charge is not None  # checked by the draft
        made = credit_note_refunds.refund(
            uow, processor, drafted.charge, note.refund_amount, note.reason
        )
        note.refund_id = made.id
    uow.emit("credit_note.created", note)
    return note


def preview(uow: UnitOfWork, request: CreditNoteRequest) -> CreditNote:
    """GET /v1/credit_notes/preview: the credit note `create` would issue, not stored."""
    invoice = invoices.get(uow, request.invoice, param="invoice")
    return _draft(uow, invoice, request, preview=True).note


def void(uow: UnitOfWork, note_id: str) -> CreditNote:
    """Void an issued credit note: what it credited goes back where it came from. A
    credit note that refunded money cannot be voided (the refund stands)."""
    invoice = invoices.get(uow, get(uow, note_id).invoice_id, param=None, for_update=True)
    note = _locked(uow, note_id)
    move = transition(CreditNoteStatus(note.status), CreditNoteAction.VOID)
    if note.refund_id is not None:
        raise invalid(
            "You cannot void a credit note that has a refund: the refund has already been "
            "made and stands."
        )
    if note.credit_amount:
        _check_balance(uow, note.customer_id, note.currency, param=None)
    if note.pre_payment_amount:
        if invoice.status not in credit_note_invoice.COLLECTING:
            raise invalid(
                f"This credit note reduced what was due on invoice {invoice.id}, which is now "
                f"{invoice.status}; it can no longer be voided."
            )
        restored = credit_note_invoice.amount_remaining(invoice) + note.pre_payment_amount
        credit_note_invoice.check_due_can_change(uow, invoice, restored, param=None)
        credit_note_invoice.restore_due(uow, invoice, note.pre_payment_amount)
    if note.post_payment_amount:
        credit_note_invoice.add_post_payment(uow, invoice, -note.post_payment_amount)
    if note.credit_amount:
        balance_transactions.adjust(
            uow,
            note.customer_id,
            note.credit_amount,
            currency=note.currency,
            type="credit_note",
            invoice_id=invoice.id,
            credit_note_id=note.id,
        )
    note.status = move.status.value
    note.voided_at = uow.now
    for event in move.events:
        uow.emit(event, note)
    return note


def update(uow: UnitOfWork, note_id: str, changes: CreditNoteChanges) -> CreditNote:
    """Change the memo or merge metadata; the amounts never change."""
    note = _locked(uow, note_id)
    uow.before_update("credit_note.updated", note)
    if "memo" in changes:
        note.memo = changes["memo"] or None
    if "metadata" in changes:
        note.metadata_ = metadata_rules.merge(note.metadata_, changes["metadata"])
    return note


def get(uow: UnitOfWork, note_id: str, *, param: str | None = "id") -> CreditNote:
    note = find(uow, note_id)
    if note is None:
        raise no_such("credit_note", note_id, param=param)
    return note


def find(uow: UnitOfWork, note_id: str) -> CreditNote | None:
    return repository.get(uow.session, uow.account_id, uow.livemode, note_id)


def page(uow: UnitOfWork, window: Window, where: CreditNoteFilter) -> Page[CreditNote]:
    if where.customer_id is not None and customers.find(uow, where.customer_id) is None:
        raise no_such("customer", where.customer_id, param="customer")
    if where.invoice_id is not None and invoices.find(uow, where.invoice_id) is None:
        raise no_such("invoice", where.invoice_id, param="invoice")
    return repository.page(uow.session, uow.account_id, uow.livemode, window, where)


def line_page(
    uow: UnitOfWork,
    note_id: str,
    *,
    limit: int,
    starting_after: str | None,
    ending_before: str | None,
) -> tuple[CreditNote, Page[dict[str, Any]]]:
    """GET /v1/credit_notes/{id}/lines: the note, and a page of its lines."""
    note = get(uow, note_id)
    page = credit_note_lines.line_page(
        note.lines, limit=limit, starting_after=starting_after, ending_before=ending_before
    )
    return note, page


def preview_line_page(
    uow: UnitOfWork,
    request: CreditNoteRequest,
    *,
    limit: int,
    starting_after: str | None,
    ending_before: str | None,
) -> tuple[CreditNote, Page[dict[str, Any]]]:
    """GET /v1/credit_notes/preview/lines: a page of the lines a preview shows."""
    note = preview(uow, request)
    page = credit_note_lines.line_page(
        note.lines, limit=limit, starting_after=starting_after, ending_before=ending_before
    )
    return note, page


def _locked(uow: UnitOfWork, note_id: str) -> CreditNote:
    note = repository.get(uow.session, uow.account_id, uow.livemode, note_id, for_update=True)
    if note is None:
        raise no_such("credit_note", note_id)
    return note


# --- drafting: every check, nothing written -------------------------------------------


def _draft(
    uow: UnitOfWork, invoice: Invoice, request: CreditNoteRequest, *, preview: bool
) -> _Draft:
    _check_invoice(invoice)
    notes = repository.of_invoice(uow.session, uow.account_id, uow.livemode, invoice.id)
    issued = [n for n in notes if n.status == CreditNoteStatus.ISSUED]
    computed = credit_note_lines.compute(
        uow,
        invoice,
        issued,
        _line_requests(request),
        line_id=(lambda i: f"cnli_tmp_{i:04d}") if preview else (lambda _: uow.new_id("cnli")),
    )
    amounts = computed.amounts
    total_param = "lines" if request.lines else "amount"
    if request.lines and request.amount is not None and request.amount != amounts.total:
        raise invalid(
            f"The amount ({request.amount}) must equal the total of the credit note's lines "
            f"({amounts.total}).",
            param="amount",
        )
    charge = credit_note_refunds.paid_charge(uow, invoice)
    linked = credit_note_refunds.linked_refund(uow, request.refunds, request.refund_amount, charge)
    linked_amount = 0 if linked is None else linked.amount
    # As on Stripe, refunds made outside credit notes count against what is left.
    outside = credit_note_refunds.refunded_outside(charge, issued, linked_amount)
    credited = sum(note.total for note in issued)
    check_creditable(amounts.total, invoice.total - credited - outside, param=total_param)
    remaining = credit_note_invoice.amount_remaining(invoice)
    where = split(amounts.total, remaining)
    allocation = Allocation(
        credit_amount=request.credit_amount or 0,
        refund_amount=(request.refund_amount or 0) + linked_amount,
        out_of_band_amount=request.out_of_band_amount or 0,
    )
    check_allocation(where.post_payment, allocation, param=_allocation_param(request))
    credit_note_refunds.check_refund(request.refund_amount or 0, charge)
    if request.credit_amount:
        _check_balance(uow, invoice.customer_id, invoice.currency, param="credit_amount")
    if where.pre_payment:
        credit_note_invoice.check_due_can_change(
            uow, invoice, remaining - where.pre_payment, param=total_param
        )
    note = CreditNote(
        id=uow.new_id("cn"),
        account_id=uow.account_id,
        livemode=uow.livemode,
        created=uow.now,
        invoice_id=invoice.id,
        customer_id=invoice.customer_id,
        number=f"{invoice.number}-CN-{len(notes) + 1:02d}",
        currency=invoice.currency,
        status=CreditNoteStatus.ISSUED.value,
        type=where.type.value,
        reason=request.reason,
        memo=request.memo or None,
        amount=amounts.total,
        subtotal=amounts.subtotal,
        subtotal_excluding_tax=amounts.subtotal_excluding_tax,
        total=amounts.total,
        total_excluding_tax=amounts.total_excluding_tax,
        discount_amount=amounts.discount_amount,
        discount_amounts=[
            {"amount": s.amount, "discount": s.discount} for s in amounts.discount_amounts
        ],
        total_taxes=[credit_note_lines.tax_row(tax) for tax in amounts.total_taxes],
        pre_payment_amount=where.pre_payment,
        post_payment_amount=where.post_payment,
        credit_amount=allocation.credit_amount,
        refund_amount=allocation.refund_amount,
        out_of_band_amount=request.out_of_band_amount,
        refund_id=linked.refund.id if linked is not None else None,
        customer_balance_transaction_id=None,
        lines=computed.stored,
        effective_at=request.effective_at or uow.now,
        voided_at=None,
        metadata_=metadata_rules.initial(request.metadata),
    )
    return _Draft(note, where, charge, linked)


def _check_invoice(invoice: Invoice) -> None:
    if invoice.status in ("open", "paid", "uncollectible"):
        return
    raise invalid(
        "Credit notes can only be issued for an invoice that is open, paid or uncollectible. "
        f"This invoice is {_DESCRIBED.get(invoice.status, invoice.status)}.",
        param="invoice",
    )


def _line_requests(request: CreditNoteRequest) -> list[LineRequest]:
    if request.lines:
        return list(request.lines)
    if request.amount is not None:
        return [credit_note_lines.amount_only(request.amount)]
    raise invalid("One of `amount` or `lines` must be provided.", param="lines")


def _allocation_param(request: CreditNoteRequest) -> str:
    for name in ("credit_amount", "refund_amount", "out_of_band_amount"):
        if getattr(request, name):
            return name
    return "refunds" if request.refunds else "out_of_band_amount"


def _check_balance(uow: UnitOfWork, customer_id: str, currency: str, *, param: str | None) -> None:
    """Refuse to move the balance of a customer that is gone or keeps another currency."""
    customer = customers.find(uow, customer_id)
    if customer is None or customer.deleted_at is not None:
        raise invalid(
            f"The customer {customer_id} has been deleted; its balance cannot change.",
            param=param,
        )
    if customer.currency is not None and customer.currency != currency:
        raise invalid(
            f"The customer's balance is in {customer.currency}; this credit note is in {currency}.",
            param=param,
        )
