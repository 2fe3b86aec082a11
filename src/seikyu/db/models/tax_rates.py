from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import Boolean, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from seikyu.db.base import AccountOwned, Base
from seikyu.db.types import ExactDecimal, JsonType


class TaxRate(AccountOwned, Base):
    __tablename__ = "tax_rates"
    __table_args__ = (Index("ix_tax_rates_account_page", "account_id", "livemode", "id"),)

    display_name: Mapped[str] = mapped_column(String(50))
    description: Mapped[str | None] = mapped_column(String(5000))
    jurisdiction: Mapped[str | None] = mapped_column(String(50))
    country: Mapped[str | None] = mapped_column(String(2))
    state: Mapped[str | None] = mapped_column(String(3))
    tax_type: Mapped[str | None] = mapped_column(String(40))
    # Percent out of 100 with up to four decimal places, kept exactly.
    percentage: Mapped[Decimal] = mapped_column(ExactDecimal())
    inclusive: Mapped[bool] = mapped_column(Boolean)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", JsonType())
