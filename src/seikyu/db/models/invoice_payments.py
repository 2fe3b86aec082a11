from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from seikyu.db.base import AccountOwned, Base
from seikyu.db.types import IdString, UTCDateTime

if TYPE_CHECKING:
    from seikyu.db.models.invoices import Invoice


class InvoicePayment(AccountOwned, Base):
    """A payment (a PaymentIntent, or money paid out of band) put towards an invoice."""

    __tablename__ = "invoice_payments"
    __table_args__ = (
        Index("ix_invoice_payments_invoice_page", "invoice_id", "id"),
        Index("ix_invoice_payments_payment_intent", "payment_intent_id"),
    )

    invoice_id: Mapped[str] = mapped_column(IdString(), ForeignKey("invoices.id"))
    payment_intent_id: Mapped[str | None] = mapped_column(IdString())
    # "payment_intent" or "out_of_band"
    payment_type: Mapped[str] = mapped_column(String(32))
    amount_requested: Mapped[int] = mapped_column(BigInteger)
    amount_paid: Mapped[int | None] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(16))
    is_default: Mapped[bool] = mapped_column(Boolean, default=True)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    canceled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    # Never read (`invoice_id` is): it tells a flush to insert a new invoice before the
    # payments that point at it, so an invoice need not be written before its payment is
    # made.
    invoice: Mapped[Invoice] = relationship(lazy="raise")
