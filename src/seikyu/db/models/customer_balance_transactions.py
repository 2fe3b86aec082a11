from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from seikyu.db.base import AccountOwned, Base
from seikyu.db.types import IdString, JsonType


class CustomerBalanceTransaction(AccountOwned, Base):
    """One change to a customer's balance; the balance is the sum of them all."""

    __tablename__ = "customer_balance_transactions"
    __table_args__ = (Index("ix_customer_balance_transactions_customer_page", "customer_id", "id"),)

    customer_id: Mapped[str] = mapped_column(IdString(), ForeignKey("customers.id"))
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    ending_balance: Mapped[int] = mapped_column(BigInteger)
    type: Mapped[str] = mapped_column(String(64))
    description: Mapped[str | None] = mapped_column(String(350))
    invoice_id: Mapped[str | None] = mapped_column(IdString())
    credit_note_id: Mapped[str | None] = mapped_column(IdString())
    metadata_: Mapped[dict[str, Any] | None] = mapped_column("metadata", JsonType())
