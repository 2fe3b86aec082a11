from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from seikyu.db.base import AccountOwned, Base
from seikyu.db.types import IdString, JsonType, UTCDateTime


class PaymentIntent(AccountOwned, Base):
    __tablename__ = "payment_intents"
    __table_args__ = (
        Index("ix_payment_intents_account_page", "account_id", "livemode", "id"),
        Index("ix_payment_intents_customer_page", "customer_id", "id"),
    )

    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(32))
    customer_id: Mapped[str | None] = mapped_column(IdString(), ForeignKey("customers.id"))
    payment_method_id: Mapped[str | None] = mapped_column(
        IdString(), ForeignKey("payment_methods.id")
    )
    capture_method: Mapped[str] = mapped_column(String(32))
    confirmation_method: Mapped[str] = mapped_column(String(16))
    setup_future_usage: Mapped[str | None] = mapped_column(String(16))
    off_session: Mapped[bool] = mapped_column(Boolean, default=False)
    client_secret: Mapped[str] = mapped_column(String(128))
    amount_capturable: Mapped[int] = mapped_column(BigInteger, default=0)
    amount_received: Mapped[int] = mapped_column(BigInteger, default=0)
    latest_charge_id: Mapped[str | None] = mapped_column(IdString())
    last_payment_error: Mapped[dict[str, Any] | None] = mapped_column(JsonType())
    next_action: Mapped[dict[str, Any] | None] = mapped_column(JsonType())
    # Each confirmation is one attempt at the processor, with a key of its own, so that a
    # confirmation sent again after a failure never charges twice.
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    canceled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancellation_reason: Mapped[str | None] = mapped_column(String(32))
    description: Mapped[str | None] = mapped_column(String(1000))
    receipt_email: Mapped[str | None] = mapped_column(String(800))
    statement_descriptor: Mapped[str | None] = mapped_column(String(22))
    statement_descriptor_suffix: Mapped[str | None] = mapped_column(String(22))
    payment_method_types: Mapped[list[str]] = mapped_column(JsonType())
    shipping: Mapped[dict[str, Any] | None] = mapped_column(JsonType())
    # The end customer's IP address, as the integration passed it in `radar_options`, for
    # fraud screening (Seikyu's extension: Stripe reads it from its own client libraries).
    radar_ip_address: Mapped[str | None] = mapped_column(String(45))
    # The review of the intent's latest charge, which Stripe shows on the intent too.
    review_id: Mapped[str | None] = mapped_column(IdString())
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", JsonType())
