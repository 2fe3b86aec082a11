from __future__ import annotations

from sqlalchemy import Boolean, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from seikyu.db.base import AccountOwned, Base
from seikyu.db.types import IdString


class WebhookAttempt(AccountOwned, Base):
    """One HTTP request to an endpoint, kept for diagnosis; `created` is when it was sent."""

    __tablename__ = "webhook_attempts"
    __table_args__ = (
        Index("ix_webhook_attempts_endpoint", "account_id", "livemode", "endpoint_id", "id"),
        Index("ix_webhook_attempts_event", "event_id", "id"),
    )

    delivery_id: Mapped[str] = mapped_column(IdString())
    event_id: Mapped[str] = mapped_column(IdString())
    endpoint_id: Mapped[str] = mapped_column(IdString())
    succeeded: Mapped[bool] = mapped_column(Boolean)
    status_code: Mapped[int | None] = mapped_column(Integer)
    duration_ms: Mapped[int] = mapped_column(Integer)
    # The first bytes of the receiver's answer, decoded leniently.
    response_excerpt: Mapped[str | None] = mapped_column(String(2000))
    error: Mapped[str | None] = mapped_column(String(500))
