"""SQL for credit notes."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from seikyu.db.models.credit_notes import CreditNote
from seikyu.db.pagination import Page, Window, paginate


@dataclass(frozen=True, slots=True)
class CreditNoteFilter:
    customer_id: str | None = None
    invoice_id: str | None = None


def add(session: Session, note: CreditNote) -> None:
    session.add(note)


def _scoped(account_id: str, livemode: bool) -> Select[CreditNote]:
    return select(CreditNote).where(
        CreditNote.account_id == account_id, CreditNote.livemode == livemode
    )


def get(
    session: Session, account_id: str, livemode: bool, note_id: str, *, for_update: bool = False
) -> CreditNote | None:
    stmt = _scoped(account_id, livemode).where(CreditNote.id == note_id)
    if for_update:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return session.scalar(stmt)


def of_invoice(
    session: Session, account_id: str, livemode: bool, invoice_id: str
) -> list[CreditNote]:
    """Every credit note of the invoice, void ones too, oldest first."""
    stmt = _scoped(account_id, livemode).where(CreditNote.invoice_id == invoice_id)
    return list(session.scalars(stmt.order_by(CreditNote.id)))


def linked_to_refund(
    session: Session, account_id: str, livemode: bool, refund_id: str
) -> CreditNote | None:
    stmt = _scoped(account_id, livemode).where(CreditNote.refund_id == refund_id)
    return session.scalar(stmt.limit(1))


def page(
    session: Session, account_id: str, livemode: bool, window: Window, where: CreditNoteFilter
) -> Page[CreditNote]:
    stmt = _scoped(account_id, livemode)
    if where.customer_id is not None:
        stmt = stmt.where(CreditNote.customer_id == where.customer_id)
    if where.invoice_id is not None:
        stmt = stmt.where(CreditNote.invoice_id == where.invoice_id)
    return paginate(session, stmt, CreditNote.id, CreditNote.created, window)
