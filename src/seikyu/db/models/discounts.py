from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from seikyu.db.base import AccountOwned, Base
from seikyu.db.types import IdString, UTCDateTime


class Discount(AccountOwned, Base):
    """A coupon redeemed for a customer, subscription, subscription item, invoice or invoice
    item. Exactly one of those owners is set; the coupon's terms are read from the coupon."""

    __tablename__ = "discounts"
    __table_args__ = (
        Index("ix_discounts_customer", "customer_id"),
        Index("ix_discounts_subscription", "subscription_id"),
        Index("ix_discounts_subscription_item", "subscription_item_id"),
        Index("ix_discounts_invoice", "invoice_id"),
        Index("ix_discounts_invoice_item", "invoice_item_id"),
    )

    coupon_internal_id: Mapped[str] = mapped_column(IdString())
    coupon_id: Mapped[str] = mapped_column(String(200))
    promotion_code_id: Mapped[str | None] = mapped_column(IdString())
    # The customer the discount was redeemed for, whichever object owns it.
    customer_id: Mapped[str | None] = mapped_column(IdString())
    # The owner: a customer-level discount has only customer_id set.
    subscription_id: Mapped[str | None] = mapped_column(IdString())
    subscription_item_id: Mapped[str | None] = mapped_column(IdString())
    invoice_id: Mapped[str | None] = mapped_column(IdString())
    invoice_item_id: Mapped[str | None] = mapped_column(IdString())
    # Order among the owner's discounts: they apply in this order.
    position: Mapped[int] = mapped_column(Integer, default=0)
    start: Mapped[datetime] = mapped_column(UTCDateTime())
    end: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When a `once` discount was first applied to a finalized invoice; it applies no more.
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
