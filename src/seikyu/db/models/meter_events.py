from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Boolean, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from seikyu.db.base import Base
from seikyu.db.types import IdString

# SQLite only auto-increments a column declared exactly INTEGER PRIMARY KEY.
Sequence64 = BigInteger().with_variant(Integer(), "sqlite")
HOUR = 3600


def _hour_of(context: Any) -> int:
    timestamp: int = context.get_current_parameters()["timestamp"]
    return timestamp - timestamp % HOUR


class MeterEvent(Base):
    """One accepted usage event, append-only. Invoices read rollups, not these rows;
    they serve deduplication, cancellation and the partial hours at a period's edges."""

    __tablename__ = "meter_events"
    __table_args__ = (
        # Deduplication: an identifier is counted once per account and mode, for good.
        UniqueConstraint("account_id", "livemode", "identifier", name="uq_meter_events_identifier"),
        # The partial hours at a period's edges. Keyed by hour, not timestamp: within a
        # key, entries are in arrival order (rowid; heap position), so events reported
        # out of order within their hour each land at the end of their customer's hour
        # instead of anywhere in it, and a group of events dirties a few pages of the
        # index, not one each.
        Index("ix_meter_events_usage", "meter_id", "customer_id", "hour"),
    )

    seq: Mapped[int] = mapped_column(Sequence64, primary_key=True, autoincrement=True)
    account_id: Mapped[str] = mapped_column(IdString())
    livemode: Mapped[bool] = mapped_column(Boolean, default=False)
    meter_id: Mapped[str] = mapped_column(IdString())
    customer_id: Mapped[str] = mapped_column(IdString())
    identifier: Mapped[str] = mapped_column(String(100))
    timestamp: Mapped[int] = mapped_column(BigInteger)  # seconds since the epoch
    # The start of the hour `timestamp` falls in: the rollup bucket it is summed into.
    hour: Mapped[int] = mapped_column(BigInteger, default=_hour_of)
    value: Mapped[int] = mapped_column(BigInteger)
    received: Mapped[int] = mapped_column(BigInteger)  # real time, seconds since the epoch
    canceled: Mapped[bool] = mapped_column(Boolean, default=False)
