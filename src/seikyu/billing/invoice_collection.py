"""Collecting an issued invoice: pay it, or close it as void or uncollectible; send it.

A card payment confirms the PaymentIntent opened at finalization. Its outcome decides the
invoice's: paid when the intent succeeds, still open (with `invoice.payment_failed`) when
the card is declined, and still open waiting for the customer when 3D Secure is needed.
Every attempt counts in `attempt_count`. A payment that completes later (the customer
finishes 3D Secure, or confirms the intent themselves) pays the invoice through
`payment_succeeded`, which runs as a reaction to `payment_intent.succeeded`.
"""

from __future__ import annotations

from typing import Any

from seikyu.billing import invoice_repository as repository
from seikyu.billing import subscription_repository
from seikyu.billing.domain.invoice_status import InvoiceAction, InvoiceStatus, transition
from seikyu.billing.invoice_finalization import mark_paid
from seikyu.billing.invoices import get
from seikyu.core.errors import SeikyuError, invalid
from seikyu.customers import balance_transactions
from seikyu.customers import service as customers
from seikyu.db.models.invoice_payments import InvoicePayment
from seikyu.db.models.invoices import Invoice
from seikyu.db.models.payment_intents import PaymentIntent
from seikyu.db.uow import UnitOfWork
from seikyu.payments import payment_intents, payment_methods
from seikyu.payments.domain.processor import Processor
from seikyu.payments.payment_intents import Redirect

_CANCELABLE = ("requires_payment_method", "requires_confirmation", "requires_action")


def pay(
    uow: UnitOfWork,
    processor: Processor,
    invoice_id: str,
    *,
    payment_method: str | None = None,
    paid_out_of_band: bool = False,
    off_session: bool = True,
    redirect: Redirect,
) -> Invoice:
    """POST /v1/invoices/{id}/pay. A declined card raises the card error after recording
    the failed attempt (the error keeps the request's changes)."""
    invoice = get(uow, invoice_id, for_update=True)
    transition(InvoiceStatus(invoice.status), InvoiceAction.PAY_SUCCEEDED)  # refuses early
    if paid_out_of_band:
        if payment_method is not None:
            raise invalid(
                "You cannot pass `payment_method` with `paid_out_of_band`.",
                param="payment_method",
            )
        _cancel_payment(uow, processor, invoice)
        invoice.paid_out_of_band = True
        mark_paid(uow, invoice, amount_paid=invoice.amount_due - invoice.amount_paid)
        return invoice
    attempt(
        uow,
        processor,
        invoice,
        payment_method=payment_method,
        off_session=off_session,
        redirect=redirect,
    )
    return invoice


def attempt(
    uow: UnitOfWork,
    processor: Processor,
    invoice: Invoice,
    *,
    payment_method: str | None,
    off_session: bool,
    redirect: Redirect,
) -> PaymentIntent:
    """Charge the invoice's PaymentIntent once. Returns the intent when the card was not
    declined (succeeded, or waiting for 3D Secure); raises the card error otherwise."""
    if invoice.payment_intent_id is None:
        raise SeikyuError("This invoice has nothing to collect.", code="invoice_not_editable")
    # Counted first: an attempt that finds no card, or one it cannot use, is still one.
    _count_attempt(uow, invoice)
    chosen = payment_method or default_payment_method(uow, invoice, param="payment_method")
    try:
        intent = payment_intents.confirm(
            uow,
            processor,
            invoice.payment_intent_id,
            {"payment_method": chosen, "off_session": off_session},
            redirect=redirect,
        )
    except SeikyuError as error:
        if error.keep_changes:
            uow.emit("invoice.payment_failed", invoice)
        raise
    if intent.status == "succeeded":
        payment_succeeded(uow, intent)
    elif intent.status == "requires_action":
        uow.emit("invoice.payment_action_required", invoice)
    return intent


def fail_unpayable(uow: UnitOfWork, invoice: Invoice) -> None:
    """An automatic attempt (counted by `attempt`) that had no payment method it could
    charge fails with `invoice.payment_failed`, as Stripe's does for an invoice finalized
    without one."""
    uow.emit("invoice.payment_failed", invoice)


def _count_attempt(uow: UnitOfWork, invoice: Invoice) -> None:
    uow.before_update("invoice.updated", invoice)
    invoice.attempt_count += 1
    invoice.attempted = True


def default_payment_method(uow: UnitOfWork, invoice: Invoice, *, param: str) -> str:
    """The card an invoice is charged to: its own default, its subscription's, then the
    customer's invoice default. Stripe's error when there is none."""
    if invoice.default_payment_method_id is not None:
        return invoice.default_payment_method_id
    if invoice.subscription_id is not None:
        subscription = subscription_repository.get(
            uow.session, uow.account_id, uow.livemode, invoice.subscription_id
        )
        if subscription is not None and subscription.default_payment_method_id is not None:
            return subscription.default_payment_method_id
    customer = customers.get(uow, invoice.customer_id)
    chosen = (customer.invoice_settings or {}).get("default_payment_method")
    if chosen:
        payment_methods.get(uow, str(chosen), param=param)
        return str(chosen)
    raise SeikyuError(
        "This customer has no attached payment source or default payment method. "
        "Please consider adding a default payment method.",
        param=param,
    )


def payment_succeeded(uow: UnitOfWork, intent: PaymentIntent) -> None:
    """Pay the invoice a succeeded PaymentIntent was for, once (a reaction: running it
    again for the same intent changes nothing)."""
    payment = repository.payment_for_intent(uow.session, uow.account_id, uow.livemode, intent.id)
    if payment is None or payment.status == "paid":
        return
    invoice = get(uow, payment.invoice_id, for_update=True)
    payment.status = "paid"
    payment.amount_paid = intent.amount_received
    payment.paid_at = uow.now
    uow.emit("invoice_payment.paid", payment)
    if invoice.status in (InvoiceStatus.OPEN, InvoiceStatus.UNCOLLECTIBLE):
        uow.before_update("invoice.updated", invoice)
        mark_paid(uow, invoice, amount_paid=intent.amount_received)


def void(uow: UnitOfWork, processor: Processor, invoice_id: str) -> Invoice:
    """Void an issued invoice: the balance it used goes back to the customer."""
    invoice = get(uow, invoice_id, for_update=True)
    move = transition(InvoiceStatus(invoice.status), InvoiceAction.VOID)
    uow.before_update("invoice.updated", invoice)
    _cancel_payment(uow, processor, invoice)
    applied = (invoice.ending_balance or 0) - invoice.starting_balance
    if applied:
        balance_transactions.adjust(
            uow,
            invoice.customer_id,
            -applied,
            currency=invoice.currency,
            type="unapplied_from_invoice",
            invoice_id=invoice.id,
        )
    invoice.status = move.status.value
    invoice.voided_at = uow.now
    invoice.next_payment_attempt = None
    invoice.next_action_at = None
    for event in move.events:
        uow.emit(event, invoice)
    return invoice


def mark_uncollectible(uow: UnitOfWork, invoice_id: str) -> Invoice:
    invoice = get(uow, invoice_id, for_update=True)
    move = transition(InvoiceStatus(invoice.status), InvoiceAction.MARK_UNCOLLECTIBLE)
    uow.before_update("invoice.updated", invoice)
    invoice.status = move.status.value
    invoice.marked_uncollectible_at = uow.now
    invoice.next_payment_attempt = None
    invoice.next_action_at = None
    for event in move.events:
        uow.emit(event, invoice)
    return invoice


def send(uow: UnitOfWork, invoice_id: str) -> Invoice:
    """Send the invoice to the customer (Seikyu records it; delivering e-mail is the
    merchant's): only for invoices the customer pays themselves."""
    invoice = get(uow, invoice_id, for_update=True)
    move = transition(InvoiceStatus(invoice.status), InvoiceAction.SEND)
    if invoice.collection_method != "send_invoice":
        raise invalid(
            "You can only manually send an invoice if its collection method is 'send_invoice'.",
        )
    for event in move.events:
        uow.emit(event, invoice)
    return invoice


def close_payment(uow: UnitOfWork, processor: Processor, invoice: Invoice) -> None:
    """Close the invoice's open PaymentIntent: something else settled what it was for."""
    _cancel_payment(uow, processor, invoice)


def _cancel_payment(uow: UnitOfWork, processor: Processor, invoice: Invoice) -> None:
    """Close the invoice's open PaymentIntent so it can no longer be paid."""
    for payment in repository.payments(uow.session, invoice.id):
        if payment.status != "open":
            continue
        payment.status = "canceled"
        payment.canceled_at = uow.now
        if payment.payment_intent_id is None:
            continue
        intent = payment_intents.get(uow, payment.payment_intent_id)
        if intent.status in _CANCELABLE:
            payment_intents.cancel(uow, processor, intent.id, "abandoned")


def reaction_payment_succeeded(uow: UnitOfWork, entity: Any) -> None:
    if isinstance(entity, PaymentIntent):
        payment_succeeded(uow, entity)


def payments_of(uow: UnitOfWork, invoice_id: str) -> list[InvoicePayment]:
    return repository.payments(uow.session, invoice_id)


def find_payment(uow: UnitOfWork, payment_id: str) -> InvoicePayment | None:
    return repository.payment(uow.session, uow.account_id, uow.livemode, payment_id)
