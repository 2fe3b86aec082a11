from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from seikyu.db.base import AccountOwned, Base
from seikyu.db.types import IdString, JsonType, UTCDateTime


class CreditNote(AccountOwned, Base):
    """An adjustment to a finalized invoice: a reduction before payment, or money given back
    (to the balance, as a refund, or out of band) after it."""

    __tablename__ = "credit_notes"
    __table_args__ = (
        Index("ix_credit_notes_account_page", "account_id", "livemode", "id"),
        Index("ix_credit_notes_invoice_page", "invoice_id", "id"),
        Index("ix_credit_notes_customer_page", "customer_id", "id"),
    )

    invoice_id: Mapped[str] = mapped_column(IdString(), ForeignKey("invoices.id"))
    customer_id: Mapped[str] = mapped_column(IdString())
    number: Mapped[str] = mapped_column(String(80))
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(16))
    type: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(32))
    memo: Mapped[str | None] = mapped_column(String(5000))
    amount: Mapped[int] = mapped_column(BigInteger)
    subtotal: Mapped[int] = mapped_column(BigInteger)
    subtotal_excluding_tax: Mapped[int] = mapped_column(BigInteger)
    total: Mapped[int] = mapped_column(BigInteger)
    total_excluding_tax: Mapped[int] = mapped_column(BigInteger)
    discount_amount: Mapped[int] = mapped_column(BigInteger, default=0)
    discount_amounts: Mapped[list[dict[str, Any]]] = mapped_column(JsonType())
    total_taxes: Mapped[list[dict[str, Any]]] = mapped_column(JsonType())
    pre_payment_amount: Mapped[int] = mapped_column(BigInteger, default=0)
    post_payment_amount: Mapped[int] = mapped_column(BigInteger, default=0)
    credit_amount: Mapped[int] = mapped_column(BigInteger, default=0)
    refund_amount: Mapped[int] = mapped_column(BigInteger, default=0)
    out_of_band_amount: Mapped[int | None] = mapped_column(BigInteger)
    refund_id: Mapped[str | None] = mapped_column(IdString())
    customer_balance_transaction_id: Mapped[str | None] = mapped_column(IdString())
    # Each line: {"id": "cnli_...", "type", "invoice_line_item", "amount", "quantity",
    # "description", "unit_amount", "discount_amounts", "taxes", ...}
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JsonType())
    effective_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", JsonType())
