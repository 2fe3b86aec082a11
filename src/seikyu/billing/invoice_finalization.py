"""Finalizing an invoice: from draft to an issued, numbered, payable invoice.

Finalization fixes everything an issued invoice shows. In one transaction it:
- measures the draft's metered usage lines again, so that usage reported while the draft
  waited is billed on it (see `metered_refresh`), and computes its amounts once more;
- applies the customer's balance (credit first, then anything carried as a debit because it
  is below the currency's minimum charge), recorded as balance transactions;
- takes the next invoice number;
- marks `once` discounts that took an amount as used;
- copies the customer's and the issuer's details as they are now;
- opens the PaymentIntent that will collect the amount due, or marks the invoice paid when
  nothing is due.
"""

from __future__ import annotations

from datetime import timedelta

from seikyu.accounts import settings
from seikyu.billing import discounts, invoice_drafts, invoice_numbers, metered_refresh
from seikyu.billing import invoice_repository as repository
from seikyu.billing.domain.invoice_status import InvoiceAction, InvoiceStatus, transition
from seikyu.billing.invoices import customer_details, get
from seikyu.customers import balance_transactions, locking
from seikyu.db.models.invoice_payments import InvoicePayment
from seikyu.db.models.invoices import Invoice
from seikyu.db.uow import UnitOfWork
from seikyu.payments import payment_intents
from seikyu.payments.domain.processor import Processor
from seikyu.payments.payment_intents import Redirect

# Stripe attempts automatic collection about an hour after finalization.
FIRST_ATTEMPT_DELAY = timedelta(hours=1)


def finalize(
    uow: UnitOfWork,
    processor: Processor,
    invoice_id: str,
    *,
    auto_advance: bool | None = None,
    redirect: Redirect,
) -> Invoice:
    """POST /v1/invoices/{id}/finalize."""
    invoice = get(uow, invoice_id, for_update=True)
    if auto_advance is not None:
        invoice.auto_advance = auto_advance
    finalize_invoice(uow, processor, invoice, redirect=redirect)
    return invoice


def finalize_invoice(
    uow: UnitOfWork, processor: Processor, invoice: Invoice, *, redirect: Redirect
) -> None:
    """Finalize a draft that the caller holds (locked, or created in this transaction)."""
    move = transition(InvoiceStatus(invoice.status), InvoiceAction.FINALIZE)
    uow.before_update("invoice.updated", invoice)
    metered_refresh.refresh_usage(uow, invoice)
    customer = locking.lock(uow, invoice.customer_id)
    balance = customer.balance if customer.currency == invoice.currency else 0
    computed = invoice_drafts.compute(uow, invoice, invoice.lines, starting_balance=balance)
    invoice_drafts.store(invoice, computed)
    amounts = computed.amounts
    invoice.ending_balance = amounts.ending_balance
    _record_balance(uow, invoice, amounts.ending_balance, amounts.carried)
    discounts.mark_used(uow, [share.discount for share in amounts.total_discount_amounts])
    if invoice.number is None:
        invoice.number = invoice_numbers.take_number(uow, invoice.customer_id)
    invoice.customer_details = customer_details(customer)
    invoice.issuer_details = _issuer(uow)
    invoice.status = move.status.value
    invoice.finalized_at = uow.now
    invoice.effective_at = invoice.effective_at or uow.now
    for event in move.events:
        uow.emit(event, invoice)
    if invoice.amount_due == 0:
        mark_paid(uow, invoice)
        return
    _open_payment(uow, processor, invoice, redirect=redirect)
    if invoice.collection_method == "charge_automatically" and invoice.auto_advance:
        invoice.next_payment_attempt = uow.now + FIRST_ATTEMPT_DELAY
        invoice.next_action_at = invoice.next_payment_attempt


def mark_paid(uow: UnitOfWork, invoice: Invoice, *, amount_paid: int = 0) -> None:
    """Move an open (or uncollectible) invoice to paid; `amount_paid` is what was collected."""
    move = transition(InvoiceStatus(invoice.status), InvoiceAction.PAY_SUCCEEDED)
    invoice.amount_paid += amount_paid
    invoice.status = move.status.value
    invoice.paid_at = uow.now
    invoice.next_payment_attempt = None
    invoice.next_action_at = None
    for event in move.events:
        uow.emit(event, invoice)


def _record_balance(uow: UnitOfWork, invoice: Invoice, ending: int, carried: int) -> None:
    applied = ending - carried - invoice.starting_balance
    if applied:
        balance_transactions.adjust(
            uow,
            invoice.customer_id,
            applied,
            currency=invoice.currency,
            type="applied_to_invoice",
            invoice_id=invoice.id,
        )
    if carried:
        balance_transactions.adjust(
            uow,
            invoice.customer_id,
            carried,
            currency=invoice.currency,
            type="invoice_too_small",
            invoice_id=invoice.id,
        )


def _open_payment(
    uow: UnitOfWork, processor: Processor, invoice: Invoice, *, redirect: Redirect
) -> None:
    intent = payment_intents.create(
        uow,
        processor,
        {
            "amount": invoice.amount_due,
            "currency": invoice.currency,
            "customer": invoice.customer_id,
            "description": f"Invoice {invoice.number}",
            "setup_future_usage": None,
            "metadata": {},
        },
        redirect=redirect,
    )
    invoice.payment_intent_id = intent.id
    repository.add(
        uow.session,
        InvoicePayment(
            id=uow.new_id("inpay"),
            account_id=invoice.account_id,
            livemode=invoice.livemode,
            created=uow.now,
            invoice_id=invoice.id,
            payment_intent_id=intent.id,
            payment_type="payment_intent",
            amount_requested=invoice.amount_due,
            amount_paid=None,
            currency=invoice.currency,
            status="open",
            is_default=True,
        ),
    )


def _issuer(uow: UnitOfWork) -> dict[str, object]:
    chosen = settings.invoice_settings(uow, uow.account_id)
    return {
        "qualified_invoice": chosen.qualified_invoice,
        "registration_number": chosen.registration_number,
    }
