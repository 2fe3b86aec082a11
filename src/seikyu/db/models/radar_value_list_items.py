from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from seikyu.db.base import AccountOwned, Base
from seikyu.db.types import IdString


class RadarValueListItem(AccountOwned, Base):
    """One value of a value list. `value` is stored as the list's type compares it (lower
    case for every type but `case_sensitive_string`), so membership is one index lookup."""

    __tablename__ = "radar_value_list_items"
    __table_args__ = (
        Index("ix_radar_value_list_items_list_page", "value_list_id", "id"),
        Index("uq_radar_value_list_items_value", "value_list_id", "value", unique=True),
        # Screening asks which of the account's lists hold a payment's values.
        Index("ix_radar_value_list_items_account_value", "account_id", "livemode", "value"),
    )

    value_list_id: Mapped[str] = mapped_column(IdString(), ForeignKey("radar_value_lists.id"))
    value: Mapped[str] = mapped_column(String(800))
    created_by: Mapped[str] = mapped_column(String(100))
