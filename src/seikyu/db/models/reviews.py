from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from seikyu.db.base import AccountOwned, Base
from seikyu.db.types import IdString, UTCDateTime


class Review(AccountOwned, Base):
    """A payment held for someone to look at: opened by a review rule or by hand, closed by
    approving, refunding or a dispute."""

    __tablename__ = "reviews"
    __table_args__ = (
        Index("ix_reviews_account_page", "account_id", "livemode", "id"),
        Index("ix_reviews_charge", "charge_id"),
    )

    charge_id: Mapped[str | None] = mapped_column(IdString(), ForeignKey("charges.id"))
    payment_intent_id: Mapped[str | None] = mapped_column(
        IdString(), ForeignKey("payment_intents.id")
    )
    open: Mapped[bool] = mapped_column(Boolean)
    opened_reason: Mapped[str] = mapped_column(String(16))  # rule | manual
    reason: Mapped[str] = mapped_column(String(32))
    closed_reason: Mapped[str | None] = mapped_column(String(32))
    ip_address: Mapped[str | None] = mapped_column(String(45))
    rule_id: Mapped[str | None] = mapped_column(String(64))
    updated: Mapped[datetime] = mapped_column(UTCDateTime())
