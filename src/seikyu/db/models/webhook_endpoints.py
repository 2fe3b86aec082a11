from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from seikyu.db.base import AccountOwned, Base
from seikyu.db.types import JsonType, UTCDateTime


class WebhookEndpoint(AccountOwned, Base):
    __tablename__ = "webhook_endpoints"
    __table_args__ = (Index("ix_webhook_endpoints_account_page", "account_id", "livemode", "id"),)

    url: Mapped[str] = mapped_column(String(2048))
    description: Mapped[str | None] = mapped_column(String(5000))
    # Event type names, or ["*"] for every type.
    enabled_events: Mapped[list[str]] = mapped_column(JsonType())
    api_version: Mapped[str | None] = mapped_column(String(40))
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", JsonType())
    status: Mapped[str] = mapped_column(String(20))  # enabled | disabled
    secret: Mapped[str] = mapped_column(String(100))
    # While a secret is being rolled, deliveries are signed with both until this one expires.
    previous_secret: Mapped[str | None] = mapped_column(String(100))
    previous_secret_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Start of the current unbroken run of failed attempts; it decides automatic disabling.
    failing_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    disabled_reason: Mapped[str | None] = mapped_column(String(500))
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
