"""SQL for invoices, their lines and the payments put towards them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from seikyu.db import row_locks
from seikyu.db.models.invoice_lines import InvoiceLine
from seikyu.db.models.invoice_payments import InvoicePayment
from seikyu.db.models.invoices import Invoice
from seikyu.db.pagination import Page, Window, paginate


@dataclass(frozen=True, slots=True)
class InvoiceFilter:
    customer_id: str | None = None
    subscription_id: str | None = None
    status: str | None = None
    collection_method: str | None = None
    due_date_gt: datetime | None = None
    due_date_gte: datetime | None = None
    due_date_lt: datetime | None = None
    due_date_lte: datetime | None = None


# The invoice payments a session has found or written, by intent. An attempt pays its
# invoice at once and the reaction to its `payment_intent.succeeded` asks again for the
# same intent.
_BY_INTENT = "seikyu.invoice_payments_by_intent"


def add(session: Session, row: Invoice | InvoicePayment) -> None:
    session.add(row)
    if isinstance(row, InvoicePayment) and row.payment_intent_id is not None:
        session.info.setdefault(_BY_INTENT, {})[row.payment_intent_id] = row


def _scoped(account_id: str, livemode: bool) -> Select[Invoice]:
    return select(Invoice).where(
        Invoice.account_id == account_id,
        Invoice.livemode == livemode,
        Invoice.deleted.is_(False),
    )


def get(
    session: Session, account_id: str, livemode: bool, invoice_id: str, *, for_update: bool = False
) -> Invoice | None:
    def stmt() -> Select[Invoice]:
        return _scoped(account_id, livemode).where(Invoice.id == invoice_id)

    if for_update:
        return row_locks.lock(session, stmt, Invoice, invoice_id)
    return session.scalar(stmt())


def page(
    session: Session, account_id: str, livemode: bool, window: Window, where: InvoiceFilter
) -> Page[Invoice]:
    stmt = _scoped(account_id, livemode)
    if where.customer_id is not None:
        stmt = stmt.where(Invoice.customer_id == where.customer_id)
    if where.subscription_id is not None:
        stmt = stmt.where(Invoice.subscription_id == where.subscription_id)
    if where.status is not None:
        stmt = stmt.where(Invoice.status == where.status)
    if where.collection_method is not None:
        stmt = stmt.where(Invoice.collection_method == where.collection_method)
    for bound, op in (
        (where.due_date_gt, Invoice.due_date.__gt__),
        (where.due_date_gte, Invoice.due_date.__ge__),
        (where.due_date_lt, Invoice.due_date.__lt__),
        (where.due_date_lte, Invoice.due_date.__le__),
    ):
        if bound is not None:
            stmt = stmt.where(op(bound))
    return paginate(session, stmt, Invoice.id, Invoice.created, window)


def line_page(
    session: Session,
    invoice_id: str,
    *,
    limit: int,
    starting_after: InvoiceLine | None,
    ending_before: InvoiceLine | None,
) -> Page[InvoiceLine]:
    """Lines in invoice order; cursors are lines of the same invoice."""
    stmt = select(InvoiceLine).where(InvoiceLine.invoice_id == invoice_id)
    if ending_before is not None:
        stmt = stmt.where(InvoiceLine.position < ending_before.position).order_by(
            InvoiceLine.position.desc()
        )
        rows = list(session.scalars(stmt.limit(limit + 1)))
        return Page(list(reversed(rows[:limit])), len(rows) > limit)
    if starting_after is not None:
        stmt = stmt.where(InvoiceLine.position > starting_after.position)
    rows = list(session.scalars(stmt.order_by(InvoiceLine.position).limit(limit + 1)))
    return Page(rows[:limit], len(rows) > limit)


def line(session: Session, invoice_id: str, line_id: str) -> InvoiceLine | None:
    stmt = select(InvoiceLine).where(
        InvoiceLine.invoice_id == invoice_id, InvoiceLine.id == line_id
    )
    return session.scalar(stmt)


def payments(session: Session, invoice_id: str) -> list[InvoicePayment]:
    stmt = (
        select(InvoicePayment)
        .where(InvoicePayment.invoice_id == invoice_id)
        .order_by(InvoicePayment.id)
    )
    return list(session.scalars(stmt))


def payment_for_intent(
    session: Session, account_id: str, livemode: bool, payment_intent_id: str
) -> InvoicePayment | None:
    known: dict[str, InvoicePayment] = session.info.setdefault(_BY_INTENT, {})
    payment = known.get(payment_intent_id)
    # One that a rolled-back savepoint wrote is no longer in the session; one whose changes
    # it undid reloads them when read.
    if (
        payment is not None
        and payment in session
        and payment.payment_intent_id == payment_intent_id
        and payment.account_id == account_id
        and payment.livemode == livemode
    ):
        return payment
    stmt = select(InvoicePayment).where(
        InvoicePayment.account_id == account_id,
        InvoicePayment.livemode == livemode,
        InvoicePayment.payment_intent_id == payment_intent_id,
    )
    payment = session.scalar(stmt)
    if payment is not None:
        known[payment_intent_id] = payment
    return payment


def load_payments_for_intents(session: Session, payment_intent_ids: set[str]) -> None:
    """Read the invoice payments of these intents into the session, in one query, for
    `payment_for_intent` to answer from (it checks the account then)."""
    if not payment_intent_ids:
        return
    stmt = select(InvoicePayment).where(
        InvoicePayment.payment_intent_id.in_(sorted(payment_intent_ids))
    )
    known: dict[str, InvoicePayment] = session.info.setdefault(_BY_INTENT, {})
    for payment in session.scalars(stmt):
        if payment.payment_intent_id is not None:
            known[payment.payment_intent_id] = payment


def number_taken(session: Session, account_id: str, livemode: bool, number: str) -> bool:
    stmt = select(Invoice.id).where(
        Invoice.account_id == account_id, Invoice.livemode == livemode, Invoice.number == number
    )
    return session.scalar(stmt.limit(1)) is not None


def payment(
    session: Session, account_id: str, livemode: bool, payment_id: str
) -> InvoicePayment | None:
    stmt = select(InvoicePayment).where(
        InvoicePayment.account_id == account_id,
        InvoicePayment.livemode == livemode,
        InvoicePayment.id == payment_id,
    )
    return session.scalar(stmt)


def awaiting_retry(
    session: Session,
    account_id: str,
    livemode: bool,
    customer_id: str,
    subscription_id: str | None = None,
) -> list[Invoice]:
    """Open invoices charged automatically whose failed charge waits for a retry."""
    stmt = (
        _scoped(account_id, livemode)
        .where(
            Invoice.customer_id == customer_id,
            Invoice.status == "open",
            Invoice.collection_method == "charge_automatically",
            Invoice.auto_advance.is_(True),
            Invoice.attempt_count > 0,
            Invoice.next_payment_attempt.is_not(None),
        )
        .order_by(Invoice.id)
        .with_for_update()
    )
    if subscription_id is not None:
        stmt = stmt.where(Invoice.subscription_id == subscription_id)
    return list(session.scalars(stmt))
