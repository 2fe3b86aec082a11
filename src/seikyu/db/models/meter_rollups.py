from __future__ import annotations

from sqlalchemy import BigInteger
from sqlalchemy.orm import Mapped, mapped_column

from seikyu.db.base import Base
from seikyu.db.types import IdString


class MeterRollup(Base):
    """A meter's usage for one customer in one hour, kept up to date as events arrive,
    so that a period's aggregate reads a few hundred rows whatever the event count."""

    __tablename__ = "meter_rollups"

    meter_id: Mapped[str] = mapped_column(IdString(), primary_key=True)
    customer_id: Mapped[str] = mapped_column(IdString(), primary_key=True)
    bucket: Mapped[int] = mapped_column(BigInteger, primary_key=True)  # hour start, epoch s
    sum_value: Mapped[int] = mapped_column(BigInteger)
    event_count: Mapped[int] = mapped_column(BigInteger)
    # None once every event of the hour is canceled.
    max_value: Mapped[int | None] = mapped_column(BigInteger)
    last_value: Mapped[int | None] = mapped_column(BigInteger)
    last_timestamp: Mapped[int | None] = mapped_column(BigInteger)
    last_seq: Mapped[int | None] = mapped_column(BigInteger)  # ties on timestamp: latest wins
