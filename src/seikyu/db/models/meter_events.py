from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from seikyu.db.base import Base
from seikyu.db.types import IdString

# SQLite only auto-increments a column declared exactly INTEGER PRIMARY KEY.
Sequence64 = BigInteger().with_variant(Integer(), "sqlite")


class MeterEvent(Base):
    """One accepted usage event, append-only. Invoices read rollups, not these rows;
    they serve deduplication, cancellation and the partial hours at a period's edges."""

    __tablename__ = "meter_events"
    __table_args__ = (
        # Deduplication: an identifier is counted once per account and mode, for good.
        UniqueConstraint("account_id", "livemode", "identifier", name="uq_meter_events_identifier"),
        Index("ix_meter_events_usage", "meter_id", "customer_id", "timestamp"),
    )

    seq: Mapped[int] = mapped_column(Sequence64, primary_key=True, autoincrement=True)
    account_id: Mapped[str] = mapped_column(IdString())
    livemode: Mapped[bool] = mapped_column(Boolean, default=False)
    meter_id: Mapped[str] = mapped_column(IdString())
    customer_id: Mapped[str] = mapped_column(IdString())
    identifier: Mapped[str] = mapped_column(String(100))
    timestamp: Mapped[int] = mapped_column(BigInteger)  # seconds since the epoch
    value: Mapped[int] = mapped_column(BigInteger)
    received: Mapped[int] = mapped_column(BigInteger)  # real time, seconds since the epoch
    canceled: Mapped[bool] = mapped_column(Boolean, default=False)
