from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from seikyu.db.base import Base
from seikyu.db.types import IdString, JsonType, UTCDateTime


class ProcessorCall(Base):
    """The journal of calls that can move money, written before each call is sent.

    The row is committed on a connection of its own, ahead of the request's transaction,
    so that if the process dies after the processor has acted but before Seikyu recorded
    it, the reconciliation job finds the call, sends it again under the same idempotency
    key and applies the processor's first answer. No foreign keys: the object the call is
    for may never have been committed.
    """

    __tablename__ = "processor_calls"
    __table_args__ = (Index("ix_processor_calls_open", "settled", "sent_at"),)

    idempotency_key: Mapped[str] = mapped_column(String(255), primary_key=True)
    account_id: Mapped[str] = mapped_column(IdString())
    livemode: Mapped[bool] = mapped_column(Boolean, default=False)
    operation: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[str] = mapped_column(IdString())
    request: Mapped[dict[str, Any]] = mapped_column(JsonType())
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime())
    settled: Mapped[bool] = mapped_column(Boolean, default=False)
    # What reconciliation found and did, for the engineer reading the journal.
    resolution: Mapped[str | None] = mapped_column(String(32))
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
