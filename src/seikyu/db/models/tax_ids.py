from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from seikyu.db.base import AccountOwned, Base
from seikyu.db.types import IdString


class TaxId(AccountOwned, Base):
    """A customer's or the account's own tax ID. Deleted ones are kept (`deleted_at`) so
    that documents issued while they were valid can still be traced to them."""

    __tablename__ = "tax_ids"
    __table_args__ = (
        Index("ix_tax_ids_account_page", "account_id", "livemode", "owner_type", "id"),
        Index("ix_tax_ids_customer_page", "customer_id", "id"),
    )

    owner_type: Mapped[str] = mapped_column(String(16))  # "customer" or "self"
    customer_id: Mapped[str | None] = mapped_column(IdString(), ForeignKey("customers.id"))
    type: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(100))
    country: Mapped[str | None] = mapped_column(String(2))
    verification_status: Mapped[str] = mapped_column(String(16))
    verified_name: Mapped[str | None] = mapped_column(String(500))
    verified_address: Mapped[str | None] = mapped_column(String(1000))
    deleted_at: Mapped[datetime | None]
