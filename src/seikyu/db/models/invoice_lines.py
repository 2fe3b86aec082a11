from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from seikyu.db.base import AccountOwned, Base
from seikyu.db.types import ExactDecimal, IdString, JsonType, UTCDateTime


class InvoiceLine(AccountOwned, Base):
    """One line of an invoice: a subscription item for a period, or an invoice item."""

    __tablename__ = "invoice_lines"
    __table_args__ = (Index("ix_invoice_lines_invoice_position", "invoice_id", "position"),)

    invoice_id: Mapped[str] = mapped_column(IdString(), ForeignKey("invoices.id"))
    position: Mapped[int] = mapped_column(Integer)
    # "subscription_item_details" or "invoice_item_details", as Stripe's `parent.type`.
    parent_type: Mapped[str] = mapped_column(String(32))
    invoice_item_id: Mapped[str | None] = mapped_column(IdString())
    subscription_id: Mapped[str | None] = mapped_column(IdString())
    subscription_item_id: Mapped[str | None] = mapped_column(IdString())
    proration: Mapped[bool] = mapped_column(Boolean, default=False)
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    description: Mapped[str | None] = mapped_column(String(5000))
    period_start: Mapped[datetime] = mapped_column(UTCDateTime())
    period_end: Mapped[datetime] = mapped_column(UTCDateTime())
    quantity: Mapped[int | None] = mapped_column(BigInteger)
    price_id: Mapped[str | None] = mapped_column(IdString())
    product_id: Mapped[str | None] = mapped_column(String(200))
    unit_amount_decimal: Mapped[Decimal | None] = mapped_column(ExactDecimal())
    discountable: Mapped[bool] = mapped_column(Boolean, default=True)
    # The line's own (item-level) discounts and tax rates; None rates: the invoice's defaults.
    discount_ids: Mapped[list[str]] = mapped_column(JsonType())
    tax_rate_ids: Mapped[list[str] | None] = mapped_column(JsonType())
    discount_amounts: Mapped[list[dict[str, Any]]] = mapped_column(JsonType())
    taxes: Mapped[list[dict[str, Any]]] = mapped_column(JsonType())
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", JsonType())
