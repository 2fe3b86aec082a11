from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from seikyu.db.base import AccountOwned, Base
from seikyu.db.types import IdString, JsonType, UTCDateTime


class PaymentMethod(AccountOwned, Base):
    """A card a customer can pay with. Never holds a full card number or a CVC."""

    __tablename__ = "payment_methods"
    __table_args__ = (
        Index("ix_payment_methods_account_page", "account_id", "livemode", "id"),
        Index("ix_payment_methods_customer_page", "customer_id", "id"),
    )

    type: Mapped[str] = mapped_column(String(32))
    customer_id: Mapped[str | None] = mapped_column(IdString(), ForeignKey("customers.id"))
    attached_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A detached payment method cannot be used or attached again.
    detached_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    billing_details: Mapped[dict[str, Any]] = mapped_column(JsonType())
    allow_redisplay: Mapped[str] = mapped_column(String(16))
    card_brand: Mapped[str] = mapped_column(String(16))
    card_country: Mapped[str | None] = mapped_column(String(2))
    card_funding: Mapped[str] = mapped_column(String(16))
    card_last4: Mapped[str] = mapped_column(String(4))
    # The number's first six digits (the issuer's BIN), which fraud screening groups by.
    card_bin: Mapped[str | None] = mapped_column(String(8))
    card_exp_month: Mapped[int] = mapped_column(Integer)
    card_exp_year: Mapped[int] = mapped_column(Integer)
    # A keyed hash of the number: the same card gives the same value within an account.
    card_fingerprint: Mapped[str] = mapped_column(String(32))
    # How the processor knows the card: for the built-in test processor, the key of the
    # test card it behaves like. Never a card number.
    processor_card: Mapped[str] = mapped_column(String(64))
    cvc_check: Mapped[str | None] = mapped_column(String(16))
    # Saved for payments without the customer present (setup_future_usage=off_session or a
    # setup intent): issuers then ask for authentication less often.
    set_up_for_off_session: Mapped[bool] = mapped_column(Boolean, default=False)
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", JsonType())
