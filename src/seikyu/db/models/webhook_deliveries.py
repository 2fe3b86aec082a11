from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from seikyu.db.base import AccountOwned, Base
from seikyu.db.types import IdString, UTCDateTime


class WebhookDelivery(AccountOwned, Base):
    """One event owed to one endpoint: written with the event, in its transaction."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        # At least once, but never two deliveries of one event to one endpoint.
        UniqueConstraint("event_id", "endpoint_id", name="uq_webhook_deliveries_event_endpoint"),
        # Workers find due deliveries by time; finished ones have no next attempt.
        Index("ix_webhook_deliveries_due", "next_attempt_at"),
        Index("ix_webhook_deliveries_endpoint", "endpoint_id", "status"),
    )

    event_id: Mapped[str] = mapped_column(IdString())
    endpoint_id: Mapped[str] = mapped_column(IdString())
    status: Mapped[str] = mapped_column(String(20))  # pending | succeeded | failed | canceled
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A worker's claim; a crashed worker's claim lapses and the delivery is taken again.
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_status_code: Mapped[int | None] = mapped_column(Integer)
