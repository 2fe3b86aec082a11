from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from seikyu.db.base import AccountOwned, Base
from seikyu.db.types import IdString, JsonType, UTCDateTime


class Dispute(AccountOwned, Base):
    """A cardholder's challenge of a charge through the issuer: an inquiry or a chargeback,
    answered with evidence, won or lost."""

    __tablename__ = "disputes"
    __table_args__ = (
        Index("ix_disputes_account_page", "account_id", "livemode", "id"),
        Index("ix_disputes_charge", "charge_id"),
        Index("ix_disputes_payment_intent", "payment_intent_id"),
    )

    charge_id: Mapped[str] = mapped_column(IdString(), ForeignKey("charges.id"))
    payment_intent_id: Mapped[str | None] = mapped_column(
        IdString(), ForeignKey("payment_intents.id")
    )
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    reason: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(32))
    # `inquiry` or `chargeback`: what the issuer opened, whatever the status became since.
    case_type: Mapped[str] = mapped_column(String(16))
    card_brand: Mapped[str] = mapped_column(String(16))
    network_reason_code: Mapped[str | None] = mapped_column(String(16))
    # Every evidence field by name, null when not given; file fields hold file ids.
    evidence: Mapped[dict[str, Any]] = mapped_column(JsonType())
    due_by: Mapped[datetime] = mapped_column(UTCDateTime())
    submission_count: Mapped[int] = mapped_column(Integer, default=0)
    past_due: Mapped[bool] = mapped_column(Boolean, default=False)
    intended_submission_method: Mapped[str | None] = mapped_column(String(24))
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", JsonType())
