from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from seikyu.db.base import AccountOwned, Base
from seikyu.db.types import ExactDecimal, IdString, JsonType, UTCDateTime


class InvoiceItem(AccountOwned, Base):
    """A charge or credit waiting for an invoice, or already on one (`invoice_id`)."""

    __tablename__ = "invoice_items"
    __table_args__ = (
        Index("ix_invoice_items_account_page", "account_id", "livemode", "id"),
        Index("ix_invoice_items_customer_page", "customer_id", "id"),
        Index("ix_invoice_items_invoice", "invoice_id", "id"),
    )

    customer_id: Mapped[str] = mapped_column(IdString(), ForeignKey("customers.id"))
    invoice_id: Mapped[str | None] = mapped_column(IdString())
    subscription_id: Mapped[str | None] = mapped_column(IdString())
    subscription_item_id: Mapped[str | None] = mapped_column(IdString())
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    quantity: Mapped[int] = mapped_column(BigInteger, default=1)
    unit_amount_decimal: Mapped[Decimal | None] = mapped_column(ExactDecimal())
    price_id: Mapped[str | None] = mapped_column(IdString())
    description: Mapped[str | None] = mapped_column(String(5000))
    date: Mapped[datetime] = mapped_column(UTCDateTime())
    period_start: Mapped[datetime] = mapped_column(UTCDateTime())
    period_end: Mapped[datetime] = mapped_column(UTCDateTime())
    discountable: Mapped[bool] = mapped_column(Boolean, default=True)
    # None: the invoice's default tax rates apply.
    tax_rate_ids: Mapped[list[str] | None] = mapped_column(JsonType())
    proration: Mapped[bool] = mapped_column(Boolean, default=False)
    # For a proration credit: the invoice and lines whose charge it gives back.
    proration_details: Mapped[dict[str, Any] | None] = mapped_column(JsonType())
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", JsonType())
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
