from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Boolean, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from seikyu.db.base import AccountOwned, Base
from seikyu.db.types import ExactDecimal, IdString, JsonType


class Price(AccountOwned, Base):
    __tablename__ = "prices"
    __table_args__ = (
        Index("ix_prices_account_page", "account_id", "livemode", "id"),
        Index("ix_prices_account_product", "account_id", "livemode", "product_id", "id"),
        Index("uq_prices_lookup_key", "account_id", "livemode", "lookup_key", unique=True),
    )

    product_id: Mapped[str] = mapped_column(IdString())
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    currency: Mapped[str] = mapped_column(String(3))
    type: Mapped[str] = mapped_column(String(16))  # one_time | recurring
    billing_scheme: Mapped[str] = mapped_column(String(16))  # per_unit | tiered
    # Both set for whole amounts (700 and "700"); only the decimal for "0.5".
    unit_amount: Mapped[int | None] = mapped_column(BigInteger)
    unit_amount_decimal: Mapped[Decimal | None] = mapped_column(ExactDecimal())
    custom_unit_amount: Mapped[dict[str, Any] | None] = mapped_column(JsonType())
    tiers_mode: Mapped[str | None] = mapped_column(String(16))
    # [{"up_to": int | None, "unit_amount_decimal": str | None,
    #   "flat_amount_decimal": str | None}], amounts as exact decimal strings.
    tiers: Mapped[list[dict[str, Any]] | None] = mapped_column(JsonType())
    transform_quantity: Mapped[dict[str, Any] | None] = mapped_column(JsonType())
    recurring_interval: Mapped[str | None] = mapped_column(String(8))
    recurring_interval_count: Mapped[int | None] = mapped_column(Integer)
    recurring_usage_type: Mapped[str | None] = mapped_column(String(16))
    # A billing meter id; meters are not modelled yet, so it is kept as given.
    recurring_meter: Mapped[str | None] = mapped_column(String(64))
    recurring_trial_period_days: Mapped[int | None] = mapped_column(Integer)
    tax_behavior: Mapped[str] = mapped_column(String(16), default="unspecified")
    # Other currencies' terms, keyed by currency, same shapes as the columns above.
    currency_options: Mapped[dict[str, Any] | None] = mapped_column(JsonType())
    lookup_key: Mapped[str | None] = mapped_column(String(200))
    nickname: Mapped[str | None] = mapped_column(String(5000))
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", JsonType())
