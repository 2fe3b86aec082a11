from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from seikyu.db.base import AccountOwned, Base
from seikyu.db.types import UTCDateTime


class MeterEventSession(AccountOwned, Base):
    """A short-lived token for the high-throughput meter event stream."""

    __tablename__ = "meter_event_sessions"

    # SHA-256 of the token: the token itself is shown once, at creation.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
