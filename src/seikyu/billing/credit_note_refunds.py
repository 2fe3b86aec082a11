"""The refunds of a credit note: one it makes, or one made before that it accounts for.

A credit note refunds through the payments layer, drawing on the charge that paid its
invoice. A refund made directly (POST /v1/refunds) on that charge counts against what the
invoice can still be credited, as on Stripe, until a credit note links it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from seikyu.billing import credit_note_repository as repository
from seikyu.core.errors import SeikyuError, invalid, no_such
from seikyu.db.models.charges import Charge
from seikyu.db.models.credit_notes import CreditNote
from seikyu.db.models.invoices import Invoice
from seikyu.db.models.refunds import Refund
from seikyu.db.uow import UnitOfWork
from seikyu.payments import charges, payment_intents, refunds
from seikyu.payments.domain.processor import Processor
from seikyu.payments.domain.refund_status import RefundStatus, holds_amount

# Stripe's refund reasons for the credit note reasons that have one.
_REFUND_REASONS = {"duplicate": "duplicate", "fraudulent": "fraudulent"}


@dataclass(frozen=True, slots=True)
class RefundLink:
    """An existing refund of the invoice's charge to attach to the credit note."""

    refund: str
    param: str  # `refunds[0]`
    amount_refunded: int | None = None


@dataclass(frozen=True, slots=True)
class Linked:
    refund: Refund
    amount: int


def paid_charge(uow: UnitOfWork, invoice: Invoice) -> Charge | None:
    """The captured charge that paid the invoice, if a card paid it."""
    if invoice.payment_intent_id is None:
        return None
    intent = payment_intents.find(uow, invoice.payment_intent_id)
    if intent is None or intent.latest_charge_id is None:
        return None
    charge = charges.find(uow, intent.latest_charge_id)
    if charge is None or charge.status != "succeeded" or not charge.captured:
        return None
    return charge


def refunded_outside(charge: Charge | None, issued: Sequence[CreditNote], linking: int) -> int:
    """What the charge refunded that no credit note accounts for, `linking` being what the
    credit note being drafted links."""
    if charge is None:
        return 0
    refunded = charge.amount_refunded - (charge.amount - charge.amount_captured)
    linked = sum(note.refund_amount for note in issued)
    return max(refunded - linked - linking, 0)


def linked_refund(
    uow: UnitOfWork,
    links: Sequence[RefundLink],
    refund_amount: int | None,
    charge: Charge | None,
) -> Linked | None:
    """The refund the credit note links, checked: one of the invoice's charge, giving money
    back, linked to no other credit note."""
    if not links:
        return None
    if refund_amount:
        raise SeikyuError(
            "You may only specify one of these parameters: refund_amount, refunds.",
            param="refunds",
            code="parameters_exclusive",
        )
    if len(links) > 1:
        raise invalid("A credit note links at most one refund.", param="refunds")
    link = links[0]
    param = f"{link.param}[refund]"
    refund = refunds.find(uow, link.refund)
    if refund is None:
        raise no_such("refund", link.refund, param=param)
    if charge is None or refund.charge_id != charge.id:
        raise invalid(
            f"The refund {refund.id} is not a refund of this invoice's payment.", param=param
        )
    if not holds_amount(RefundStatus(refund.status)):
        raise invalid(
            f"The refund {refund.id} is {refund.status}; only a refund that gives money back "
            "can be linked.",
            param=param,
        )
    taken = repository.linked_to_refund(uow.session, uow.account_id, uow.livemode, refund.id)
    if taken is not None:
        raise invalid(
            f"The refund {refund.id} is already linked to credit note {taken.id}.", param=param
        )
    amount = refund.amount if link.amount_refunded is None else link.amount_refunded
    if amount > refund.amount:
        raise invalid(
            f"The amount refunded ({amount}) is more than the refund's amount ({refund.amount}).",
            param=f"{link.param}[amount_refunded]",
        )
    return Linked(refund, amount)


def check_refund(amount: int, charge: Charge | None) -> None:
    """Refuse a refund the invoice's charge cannot give."""
    if not amount:
        return
    if charge is None:
        raise invalid(
            "This invoice was not paid by a charge that can be refunded: give the amount back "
            "with `credit_amount` or `out_of_band_amount` instead.",
            param="refund_amount",
        )
    left = charges.refundable(charge)
    if amount > left:
        raise invalid(
            f"The refund amount ({amount}) is more than is left to refund on the invoice's "
            f"charge {charge.id} ({left}).",
            param="refund_amount",
        )


def refund(
    uow: UnitOfWork, processor: Processor, charge: Charge, amount: int, reason: str | None
) -> Refund:
    return refunds.create(
        uow,
        processor,
        {"charge": charge.id, "amount": amount, "reason": _REFUND_REASONS.get(reason or "")},
    )
