from __future__ import annotations

from typing import Any

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from seikyu.db.base import AccountOwned, Base
from seikyu.db.types import JsonType


class RadarValueList(AccountOwned, Base):
    """A named list of values (card fingerprints, emails, IPs, ...) that rules refer to as
    `@alias`."""

    __tablename__ = "radar_value_lists"
    __table_args__ = (
        Index("ix_radar_value_lists_account_page", "account_id", "livemode", "id"),
        Index("uq_radar_value_lists_alias", "account_id", "livemode", "alias", unique=True),
    )

    alias: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(100))
    item_type: Mapped[str] = mapped_column(String(32))
    created_by: Mapped[str] = mapped_column(String(100))
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", JsonType())
