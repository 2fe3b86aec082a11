from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from seikyu.db.base import AccountOwned, Base
from seikyu.db.types import IdString, JsonType, UTCDateTime


class SetupIntent(AccountOwned, Base):
    """Saving a card for later payments, with 3D Secure when its issuer asks for it."""

    __tablename__ = "setup_intents"
    __table_args__ = (
        Index("ix_setup_intents_account_page", "account_id", "livemode", "id"),
        Index("ix_setup_intents_customer_page", "customer_id", "id"),
        Index("ix_setup_intents_payment_method_page", "payment_method_id", "id"),
    )

    status: Mapped[str] = mapped_column(String(32))
    customer_id: Mapped[str | None] = mapped_column(IdString(), ForeignKey("customers.id"))
    payment_method_id: Mapped[str | None] = mapped_column(
        IdString(), ForeignKey("payment_methods.id")
    )
    usage: Mapped[str] = mapped_column(String(16))
    client_secret: Mapped[str] = mapped_column(String(128))
    last_setup_error: Mapped[dict[str, Any] | None] = mapped_column(JsonType())
    next_action: Mapped[dict[str, Any] | None] = mapped_column(JsonType())
    # Each confirmation is one attempt at the processor, under a key of its own.
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    canceled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancellation_reason: Mapped[str | None] = mapped_column(String(32))
    description: Mapped[str | None] = mapped_column(String(1000))
    payment_method_types: Mapped[list[str]] = mapped_column(JsonType())
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", JsonType())
    # The end customer's IP address, as the integration passed it in `radar_options`, for
    # fraud screening (Seikyu's extension: Stripe reads it from its own client libraries).
    radar_ip_address: Mapped[str | None] = mapped_column(String(45))
