from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from seikyu.db.base import Base
from seikyu.db.types import IdString, JsonType


class RequestLog(Base):
    """One row per API request, successful or not, with secrets redacted."""

    __tablename__ = "request_logs"
    __table_args__ = (
        Index("ix_request_logs_account_page", "account_id", "livemode", "id"),
        Index("ix_request_logs_created", "created"),
    )

    id: Mapped[str] = mapped_column(IdString(), primary_key=True)  # req_...
    account_id: Mapped[str | None] = mapped_column(IdString())  # None: authentication failed
    livemode: Mapped[bool] = mapped_column(Boolean, default=False)
    created: Mapped[datetime]
    method: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(String(500))
    status: Mapped[int] = mapped_column(Integer)
    duration_us: Mapped[int] = mapped_column(Integer)
    api_key_id: Mapped[str | None] = mapped_column(IdString())
    idempotency_key: Mapped[str | None] = mapped_column(String(255))
    stripe_version: Mapped[str | None] = mapped_column(String(64))
    source_ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(500))
    params: Mapped[dict[str, Any]] = mapped_column(JsonType())
    error: Mapped[dict[str, Any] | None] = mapped_column(JsonType())
    # The error's `type`, kept apart so the log can be filtered by it.
    error_type: Mapped[str | None] = mapped_column(String(64))
    object_id: Mapped[str | None] = mapped_column(IdString())
