from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Boolean, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from seikyu.db.base import AccountOwned, Base
from seikyu.db.types import IdString, JsonType


class RiskAssessment(AccountOwned, Base):
    """One screened card payment or card setup, with what screening decided and what the
    processor answered. Velocity signals count these rows; training reads them back with
    the signals they were scored on."""

    __tablename__ = "risk_assessments"
    __table_args__ = (
        Index("ix_risk_assessments_card", "account_id", "livemode", "card_fingerprint", "created"),
        Index("ix_risk_assessments_ip", "account_id", "livemode", "ip_address", "created"),
        Index("ix_risk_assessments_email", "account_id", "livemode", "email", "created"),
        Index("ix_risk_assessments_customer", "account_id", "livemode", "customer_id", "created"),
        # With the outcome: a BIN's many rows are counted from the index alone.
        Index(
            "ix_risk_assessments_bin", "account_id", "livemode", "card_bin", "created", "outcome"
        ),
        Index("ix_risk_assessments_charge", "charge_id"),
    )

    # The payment intent or setup intent screened.
    subject_id: Mapped[str] = mapped_column(IdString())
    charge_id: Mapped[str | None] = mapped_column(IdString())
    customer_id: Mapped[str | None] = mapped_column(IdString())
    card_fingerprint: Mapped[str] = mapped_column(String(32))
    card_bin: Mapped[str | None] = mapped_column(String(8))
    card_country: Mapped[str | None] = mapped_column(String(2))
    ip_address: Mapped[str | None] = mapped_column(String(45))
    email: Mapped[str | None] = mapped_column(String(800))
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    is_setup: Mapped[bool] = mapped_column(Boolean)
    # authorized | declined | blocked: what became of the attempt.
    outcome: Mapped[str] = mapped_column(String(16))
    decline_code: Mapped[str | None] = mapped_column(String(64))
    risk_score: Mapped[int | None] = mapped_column(Integer)
    risk_level: Mapped[str] = mapped_column(String(16))
    rule_id: Mapped[str | None] = mapped_column(String(64))
    signals: Mapped[dict[str, Any]] = mapped_column(JsonType())
