"""What a credit note changes on its invoice: the amount due, and the payment collecting it.

A pre-payment credit lowers `amount_due`; the invoice's open PaymentIntent then asks for
what remains, and when nothing remains the intent is closed and the invoice is paid through
its transition table (with nothing collected). Voiding the credit note raises the amount due
again. Every change records `invoice.updated` with the amounts as they were.
"""

from __future__ import annotations

from seikyu.billing import invoice_collection
from seikyu.billing import invoice_repository as repository
from seikyu.billing.domain.invoice_status import InvoiceStatus
from seikyu.billing.invoice_finalization import mark_paid
from seikyu.core.errors import SeikyuError
from seikyu.core.money import format_major, minimum_charge
from seikyu.db.models.invoices import Invoice
from seikyu.db.uow import UnitOfWork
from seikyu.payments import payment_intents
from seikyu.payments.domain.processor import Processor

# Statuses in which a PaymentIntent's amount may still change.
_ADJUSTABLE = ("requires_payment_method", "requires_confirmation", "requires_action")
COLLECTING = (InvoiceStatus.OPEN.value, InvoiceStatus.UNCOLLECTIBLE.value)


def amount_remaining(invoice: Invoice) -> int:
    if invoice.status not in COLLECTING:
        return 0
    return max(invoice.amount_due - invoice.amount_paid, 0)


def check_due_can_change(
    uow: UnitOfWork, invoice: Invoice, remaining: int, *, param: str | None
) -> None:
    """Refuse a change that would leave the invoice's payment asking for an amount it
    cannot charge, or that a payment under way would race."""
    if 0 < remaining < minimum_charge(invoice.currency):
        raise SeikyuError(
            f"This credit note would leave {format_major(remaining, invoice.currency)} "
            f"{invoice.currency.upper()} due on the invoice, less than the smallest amount "
            "that can be charged. Credit the whole amount due, or less of it.",
            param=param,
        )
    intent_id = invoice.payment_intent_id
    if intent_id is None or remaining == 0:
        return
    intent = payment_intents.get(uow, intent_id, param=None)
    if intent.status not in _ADJUSTABLE and intent.status != "canceled":
        raise SeikyuError(
            f"The invoice's payment {intent.id} is {intent.status}; what is due cannot change "
            "until it completes.",
            param=param,
        )


def reduce_due(uow: UnitOfWork, processor: Processor, invoice: Invoice, amount: int) -> None:
    """Take `amount` off what is due; pay the invoice when nothing is left."""
    uow.before_update("invoice.updated", invoice)
    invoice.amount_due -= amount
    invoice.pre_payment_credit_notes_amount += amount
    if invoice.amount_due - invoice.amount_paid > 0:
        _follow(uow, invoice)
        return
    invoice_collection.close_payment(uow, processor, invoice)
    mark_paid(uow, invoice)


def restore_due(uow: UnitOfWork, invoice: Invoice, amount: int) -> None:
    """Put back `amount` a voided credit note had taken off what is due."""
    uow.before_update("invoice.updated", invoice)
    invoice.amount_due += amount
    invoice.pre_payment_credit_notes_amount -= amount
    _follow(uow, invoice)


def add_post_payment(uow: UnitOfWork, invoice: Invoice, amount: int) -> None:
    uow.before_update("invoice.updated", invoice)
    invoice.post_payment_credit_notes_amount += amount


def _follow(uow: UnitOfWork, invoice: Invoice) -> None:
    """The open payment asks for what is due now."""
    remaining = invoice.amount_due - invoice.amount_paid
    for payment in repository.payments(uow.session, invoice.id):
        if payment.status == "open":
            payment.amount_requested = remaining
    if invoice.payment_intent_id is None:
        return
    intent = payment_intents.get(uow, invoice.payment_intent_id, param=None)
    if intent.status in _ADJUSTABLE and intent.amount != remaining:
        payment_intents.update(uow, intent.id, {"amount": remaining})
