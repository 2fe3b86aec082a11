from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from seikyu.db.base import AccountOwned, Base
from seikyu.db.types import IdString


class EarlyFraudWarning(AccountOwned, Base):
    """An issuer's report that a charge was fraudulent, ahead of any dispute."""

    __tablename__ = "early_fraud_warnings"
    __table_args__ = (
        Index("ix_early_fraud_warnings_account_page", "account_id", "livemode", "id"),
        Index("ix_early_fraud_warnings_charge", "charge_id"),
    )

    charge_id: Mapped[str] = mapped_column(IdString(), ForeignKey("charges.id"))
    payment_intent_id: Mapped[str | None] = mapped_column(
        IdString(), ForeignKey("payment_intents.id")
    )
    fraud_type: Mapped[str] = mapped_column(String(40))
    actionable: Mapped[bool] = mapped_column(Boolean)
