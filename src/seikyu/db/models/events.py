from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from seikyu.db.base import Base
from seikyu.db.types import IdString, JsonDocument


class Event(Base):
    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_account_page", "account_id", "livemode", "id"),
        Index("ix_events_account_type", "account_id", "livemode", "type", "id"),
        # A request log entry lists the events its request caused.
        Index("ix_events_request", "request_id"),
        # Billing asks how the deliveries of an invoice's events stand.
        Index("ix_events_object", "object_id"),
    )

    id: Mapped[str] = mapped_column(IdString(), primary_key=True)
    account_id: Mapped[str] = mapped_column(IdString())
    livemode: Mapped[bool] = mapped_column(Boolean, default=False)
    created: Mapped[datetime]
    type: Mapped[str] = mapped_column(String(100))
    api_version: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(IdString())
    data: Mapped[dict[str, Any]] = mapped_column(JsonDocument())
    request_id: Mapped[str | None] = mapped_column(String(64))
    idempotency_key: Mapped[str | None] = mapped_column(String(255))
    pending_webhooks: Mapped[int] = mapped_column(Integer, default=0)
