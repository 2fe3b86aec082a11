from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from seikyu.db.base import AccountOwned, Base
from seikyu.db.types import JsonType, UTCDateTime


class RadarRule(AccountOwned, Base):
    """An account's own screening rule: an action and a predicate in Radar's rule language,
    kept as written and parsed again when loaded."""

    __tablename__ = "radar_rules"
    __table_args__ = (Index("ix_radar_rules_account_page", "account_id", "livemode", "id"),)

    action: Mapped[str] = mapped_column(String(24))  # allow | block | review | request_credentials
    predicate: Mapped[str] = mapped_column(String(2000))
    status: Mapped[str] = mapped_column(String(16))  # active | disabled
    description: Mapped[str | None] = mapped_column(String(500))
    updated: Mapped[datetime] = mapped_column(UTCDateTime())
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", JsonType())
