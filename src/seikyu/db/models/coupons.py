from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Boolean, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from seikyu.db.base import Base
from seikyu.db.types import ExactDecimal, IdString, JsonType, UTCDateTime


class Coupon(Base):
    """A coupon. Its `id` is chosen by the merchant and may be reused once the coupon is
    deleted, so rows are keyed by `internal_id`, which also orders them by creation."""

    __tablename__ = "coupons"
    __table_args__ = (
        Index("ix_coupons_account_page", "account_id", "livemode", "internal_id"),
        Index(
            "uq_coupons_live_id",
            "account_id",
            "livemode",
            "id",
            unique=True,
            sqlite_where=text("deleted_at IS NULL"),
            postgresql_where=text("deleted_at IS NULL"),
        ),
    )

    internal_id: Mapped[str] = mapped_column(IdString(), primary_key=True)
    id: Mapped[str] = mapped_column(String(200))
    account_id: Mapped[str] = mapped_column(IdString())
    livemode: Mapped[bool] = mapped_column(Boolean, default=False)
    created: Mapped[datetime] = mapped_column(UTCDateTime())
    name: Mapped[str | None] = mapped_column(String(40))
    percent_off: Mapped[Decimal | None] = mapped_column(ExactDecimal())
    amount_off: Mapped[int | None] = mapped_column(BigInteger)
    currency: Mapped[str | None] = mapped_column(String(3))
    # amount_off in currencies other than `currency`: {"eur": 450}
    currency_options: Mapped[dict[str, Any]] = mapped_column(JsonType())
    duration: Mapped[str] = mapped_column(String(16))
    duration_in_months: Mapped[int | None] = mapped_column(Integer)
    max_redemptions: Mapped[int | None] = mapped_column(BigInteger)
    times_redeemed: Mapped[int] = mapped_column(BigInteger, default=0)
    redeem_by: Mapped[datetime | None] = mapped_column(UTCDateTime())
    applies_to_products: Mapped[list[str] | None] = mapped_column(JsonType())
    # Stored false by deletion or exhaustion; a passed redeem_by is applied as the coupon is
    # read (discount_rules.coupon_valid decides, from all of these).
    valid: Mapped[bool] = mapped_column(Boolean, default=True)
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", JsonType())
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
