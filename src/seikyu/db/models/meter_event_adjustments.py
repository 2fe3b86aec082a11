from __future__ import annotations

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from seikyu.db.base import AccountOwned, Base


class MeterEventAdjustment(AccountOwned, Base):
    """A cancellation of one earlier meter event, by its identifier."""

    __tablename__ = "meter_event_adjustments"
    __table_args__ = (
        Index("ix_meter_event_adjustments_account_page", "account_id", "livemode", "id"),
    )

    event_name: Mapped[str] = mapped_column(String(100))
    type: Mapped[str] = mapped_column(String(10))  # cancel
    identifier: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(10))  # pending | complete
