from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from seikyu.db.base import AccountOwned, Base
from seikyu.db.types import UTCDateTime

_ACTIVE = text("status = 'active'")


class BillingMeter(AccountOwned, Base):
    """How one event name's usage is measured: which payload keys, aggregated how."""

    __tablename__ = "billing_meters"
    __table_args__ = (
        Index("ix_billing_meters_account_page", "account_id", "livemode", "id"),
        # An event name routes to exactly one active meter.
        Index(
            "uq_billing_meters_active_event_name",
            "account_id",
            "livemode",
            "event_name",
            unique=True,
            sqlite_where=_ACTIVE,
            postgresql_where=_ACTIVE,
        ),
    )

    display_name: Mapped[str] = mapped_column(String(250))
    event_name: Mapped[str] = mapped_column(String(100))
    formula: Mapped[str] = mapped_column(String(10))  # sum | count | last | max
    customer_payload_key: Mapped[str] = mapped_column(String(100))
    value_payload_key: Mapped[str] = mapped_column(String(100))
    event_time_window: Mapped[str | None] = mapped_column(String(10))  # day | hour
    status: Mapped[str] = mapped_column(String(10))  # active | inactive
    updated: Mapped[datetime] = mapped_column(UTCDateTime())
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
