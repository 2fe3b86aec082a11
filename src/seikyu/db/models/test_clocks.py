from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from seikyu.db.base import AccountOwned, Base
from seikyu.db.types import UTCDateTime


class TestClock(AccountOwned, Base):
    __test__ = False  # not a pytest class, whatever its name says
    __tablename__ = "test_clocks"
    __table_args__ = (
        Index("ix_test_clocks_account_page", "account_id", "livemode", "id"),
        # Workers look for the few clocks being advanced.
        Index("ix_test_clocks_status", "status"),
    )

    name: Mapped[str | None] = mapped_column(String(300))
    frozen_time: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(20))
    # Where an advance is going while the clock is `advancing`.
    target_frozen_time: Mapped[datetime | None] = mapped_column(UTCDateTime())
    deletes_after: Mapped[datetime] = mapped_column(UTCDateTime())
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
