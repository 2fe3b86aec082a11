from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column, relationship

from seikyu.db.base import AccountOwned, Base
from seikyu.db.models.discounts import Discount
from seikyu.db.models.prices import Price
from seikyu.db.types import IdString, JsonType, UTCDateTime


class SubscriptionItem(AccountOwned, Base):
    """One price on a subscription, with its quantity and tax rates."""

    __tablename__ = "subscription_items"
    __table_args__ = (
        Index("ix_subscription_items_subscription_page", "subscription_id", "id"),
        Index("ix_subscription_items_price", "account_id", "livemode", "price_id"),
    )

    subscription_id: Mapped[str] = mapped_column(IdString(), ForeignKey("subscriptions.id"))
    price_id: Mapped[str] = mapped_column(IdString(), ForeignKey("prices.id"))
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

    # An item always shows its whole price, so the price loads with it.
    price: Mapped[Price] = relationship(lazy="selectin", viewonly=True)

    # The live discounts, in the order they apply; written through the discounts service.
    discounts: Mapped[list[Discount]] = relationship(
        primaryjoin=lambda: (
            (SubscriptionItem.id == Discount.subscription_item_id) & Discount.deleted_at.is_(None)
        ),
        foreign_keys=lambda: [Discount.subscription_item_id],
        order_by=lambda: (Discount.position, Discount.id),
        lazy="selectin",
        viewonly=True,
    )
