from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from seikyu.db.base import AccountOwned, Base
from seikyu.db.models.discounts import Discount
from seikyu.db.types import IdString, JsonType


class Customer(AccountOwned, Base):
    __tablename__ = "customers"
    __table_args__ = (
        Index("ix_customers_account_page", "account_id", "livemode", "id"),
        Index("ix_customers_account_email", "account_id", "livemode", "email"),
        Index(
            "uq_customers_invoice_prefix", "account_id", "livemode", "invoice_prefix", unique=True
        ),
        Index("ix_customers_test_clock", "test_clock"),
    )

    email: Mapped[str | None] = mapped_column(String(512))
    name: Mapped[str | None] = mapped_column(String(256))
    business_name: Mapped[str | None] = mapped_column(String(150))
    individual_name: Mapped[str | None] = mapped_column(String(150))
    phone: Mapped[str | None] = mapped_column(String(64))
    description: Mapped[str | None] = mapped_column(String(5000))
    address: Mapped[dict[str, Any] | None] = mapped_column(JsonType())
    shipping: Mapped[dict[str, Any] | None] = mapped_column(JsonType())
    balance: Mapped[int] = mapped_column(BigInteger, default=0)
    currency: Mapped[str | None] = mapped_column(String(3))
    invoice_prefix: Mapped[str] = mapped_column(String(12))
    next_invoice_sequence: Mapped[int] = mapped_column(Integer, default=1)
    invoice_settings: Mapped[dict[str, Any]] = mapped_column(JsonType())
    preferred_locales: Mapped[list[str]] = mapped_column(JsonType())
    tax_exempt: Mapped[str] = mapped_column(String(16), default="none")
    delinquent: Mapped[bool] = mapped_column(Boolean, default=False)
    test_clock: Mapped[str | None] = mapped_column(IdString())
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", JsonType())
    deleted_at: Mapped[datetime | None]

    # The customer's own live discounts (not its subscriptions' or invoices'), in the order
    # they apply; written through the billing discounts service, shown as `discount`.
    discounts: Mapped[list[Discount]] = relationship(
        primaryjoin=lambda: (
            (Customer.id == Discount.customer_id)
            & Discount.subscription_id.is_(None)
            & Discount.subscription_item_id.is_(None)
            & Discount.invoice_id.is_(None)
            & Discount.invoice_item_id.is_(None)
            & Discount.deleted_at.is_(None)
        ),
        foreign_keys=lambda: [Discount.customer_id],
        order_by=lambda: (Discount.position, Discount.id),
        lazy="selectin",
        viewonly=True,
    )
