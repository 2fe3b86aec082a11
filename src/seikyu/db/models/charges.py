from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from seikyu.db.base import AccountOwned, Base
from seikyu.db.types import IdString, JsonType


class Charge(AccountOwned, Base):
    """One attempt to move money from a card: succeeded, pending or failed."""

    __tablename__ = "charges"
    __table_args__ = (
        Index("ix_charges_account_page", "account_id", "livemode", "id"),
        Index("ix_charges_payment_intent", "payment_intent_id", "id"),
        Index("ix_charges_customer_page", "customer_id", "id"),
    )

    amount: Mapped[int] = mapped_column(BigInteger)
    amount_captured: Mapped[int] = mapped_column(BigInteger, default=0)
    amount_refunded: Mapped[int] = mapped_column(BigInteger, default=0)
    captured: Mapped[bool] = mapped_column(Boolean, default=False)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(16))
    customer_id: Mapped[str | None] = mapped_column(IdString(), ForeignKey("customers.id"))
    payment_intent_id: Mapped[str | None] = mapped_column(
        IdString(), ForeignKey("payment_intents.id")
    )
    payment_method_id: Mapped[str | None] = mapped_column(
        IdString(), ForeignKey("payment_methods.id")
    )
    failure_code: Mapped[str | None] = mapped_column(String(64))
    failure_message: Mapped[str | None] = mapped_column(String(500))
    outcome: Mapped[dict[str, Any] | None] = mapped_column(JsonType())
    # The open or closed review of this payment, when screening or someone opened one.
    review_id: Mapped[str | None] = mapped_column(IdString())
    # Stripe's `disputed`: a dispute was opened on this charge, whatever became of it.
    disputed: Mapped[bool] = mapped_column(Boolean, default=False)
    # `user_report`: what the account said of the charge (`fraudulent` or `safe`).
    fraud_details: Mapped[dict[str, Any] | None] = mapped_column(JsonType())
    # The card as it was when charged: brand, last4, expiry, country, funding, checks.
    payment_method_details: Mapped[dict[str, Any]] = mapped_column(JsonType())
    billing_details: Mapped[dict[str, Any]] = mapped_column(JsonType())
    processor_reference: Mapped[str | None] = mapped_column(String(128))
    description: Mapped[str | None] = mapped_column(String(1000))
    receipt_email: Mapped[str | None] = mapped_column(String(800))
    statement_descriptor: Mapped[str | None] = mapped_column(String(22))
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", JsonType())
