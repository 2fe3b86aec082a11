from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from seikyu.db.base import AccountOwned, Base
from seikyu.db.models.coupons import Coupon
from seikyu.db.types import IdString, JsonType, UTCDateTime


class PromotionCode(AccountOwned, Base):
    __tablename__ = "promotion_codes"
    __table_args__ = (
        Index("ix_promotion_codes_account_page", "account_id", "livemode", "id"),
        Index("ix_promotion_codes_account_code", "account_id", "livemode", "code_folded"),
        Index("ix_promotion_codes_account_coupon", "account_id", "livemode", "coupon_id"),
    )

    code: Mapped[str] = mapped_column(String(500))
    # The code in lower case: codes are unique and looked up regardless of case.
    code_folded: Mapped[str] = mapped_column(String(500))
    coupon_internal_id: Mapped[str] = mapped_column(IdString(), ForeignKey("coupons.internal_id"))
    coupon_id: Mapped[str] = mapped_column(String(200))  # the coupon's public id
    customer: Mapped[str | None] = mapped_column(IdString())
    # The merchant's switch; a code that has lapsed is shown inactive as it is read.
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    max_redemptions: Mapped[int | None] = mapped_column(BigInteger)
    times_redeemed: Mapped[int] = mapped_column(BigInteger, default=0)
    first_time_transaction: Mapped[bool] = mapped_column(Boolean, default=False)
    minimum_amount: Mapped[int | None] = mapped_column(BigInteger)
    minimum_amount_currency: Mapped[str | None] = mapped_column(String(3))
    # minimum_amount in currencies other than minimum_amount_currency: {"eur": 900}
    currency_options: Mapped[dict[str, Any]] = mapped_column(JsonType())
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", JsonType())

    # Loaded explicitly by the repository; a lazy load would hide an N+1 in lists.
    coupon: Mapped[Coupon] = relationship(lazy="raise")
