from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean
from sqlalchemy.orm import Mapped, mapped_column

from seikyu.db.base import Base
from seikyu.db.types import IdString, UTCDateTime


class UsageBilling(Base):
    """What a metered item was billed for one usage period. Events that arrive late for
    that period are billed on a later invoice as the difference from this quantity."""

    __tablename__ = "usage_billings"

    subscription_item_id: Mapped[str] = mapped_column(IdString(), primary_key=True)
    period_start: Mapped[int] = mapped_column(BigInteger, primary_key=True)  # epoch s
    period_end: Mapped[int] = mapped_column(BigInteger)
    account_id: Mapped[str] = mapped_column(IdString())
    livemode: Mapped[bool] = mapped_column(Boolean, default=False)
    meter_id: Mapped[str] = mapped_column(IdString())
    customer_id: Mapped[str] = mapped_column(IdString())
    price_id: Mapped[str] = mapped_column(IdString())
    quantity: Mapped[int] = mapped_column(BigInteger)  # billed quantity, never below zero
    invoice_id: Mapped[str] = mapped_column(IdString())  # the invoice that last billed it
    created: Mapped[datetime] = mapped_column(UTCDateTime())
