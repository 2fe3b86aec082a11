from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from seikyu.db.base import AccountOwned, Base
from seikyu.db.types import IdString, JsonType


class Refund(AccountOwned, Base):
    """Money given back from a captured charge; several may share one charge."""

    __tablename__ = "refunds"
    __table_args__ = (
        Index("ix_refunds_account_page", "account_id", "livemode", "id"),
        Index("ix_refunds_charge_page", "charge_id", "id"),
        Index("ix_refunds_payment_intent_page", "payment_intent_id", "id"),
    )

    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    charge_id: Mapped[str] = mapped_column(IdString(), ForeignKey("charges.id"))
    payment_intent_id: Mapped[str | None] = mapped_column(
        IdString(), ForeignKey("payment_intents.id")
    )
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(32))
    failure_reason: Mapped[str | None] = mapped_column(String(64))
    description: Mapped[str | None] = mapped_column(String(1000))
    instructions_email: Mapped[str | None] = mapped_column(String(800))
    processor_reference: Mapped[str | None] = mapped_column(String(128))
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", JsonType())
