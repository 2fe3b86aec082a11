from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from seikyu.db.base import AccountOwned, Base
from seikyu.db.types import IdString, JsonType, UTCDateTime


class SubscriptionItem(AccountOwned, Base):
    """One price on a subscription, with its quantity and tax rates."""

    __tablename__ = "subscription_items"
    __table_args__ = (
        Index("ix_subscription_items_subscription_page", "subscription_id", "id"),
        Index("ix_subscription_items_price", "account_id", "livemode", "price_id"),
    )

    subscription_id: Mapped[str] = mapped_column(IdString(), ForeignKey("subscriptions.id"))
    price_id: Mapped[str] = mapped_column(IdString())
    quantity: Mapped[int | None] = mapped_column(BigInteger)
    # None: the subscription's default_tax_rates apply.
    tax_rate_ids: Mapped[list[str] | None] = mapped_column(JsonType())
    current_period_start: Mapped[datetime] = mapped_column(UTCDateTime())
    current_period_end: Mapped[datetime] = mapped_column(UTCDateTime())
    # What the item was last invoiced at: {"price", "quantity", "discount"}; flexible
    # billing credits this, not the current configuration, when the item changes.
    last_billed: Mapped[dict[str, Any] | None] = mapped_column(JsonType())
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", JsonType())
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
