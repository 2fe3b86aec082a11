from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from seikyu.db.base import AccountOwned, Base
from seikyu.db.models.discounts import Discount
from seikyu.db.models.subscription_items import SubscriptionItem
from seikyu.db.types import IdString, JsonType, UTCDateTime


class Subscription(AccountOwned, Base):
    """A customer's recurring purchase: its items bill together, period after period."""

    __tablename__ = "subscriptions"
    __table_args__ = (
        Index("ix_subscriptions_account_page", "account_id", "livemode", "id"),
        Index("ix_subscriptions_customer_page", "customer_id", "id"),
        # The scheduler finds due work (renewal, trial end, cancel_at, expiry) by this column.
        Index("ix_subscriptions_next_action", "next_action_at"),
        Index("ix_subscriptions_test_clock", "test_clock"),
    )

    customer_id: Mapped[str] = mapped_column(IdString(), ForeignKey("customers.id"))
    status: Mapped[str] = mapped_column(String(32))
    currency: Mapped[str] = mapped_column(String(3))
    collection_method: Mapped[str] = mapped_column(String(32))
    days_until_due: Mapped[int | None] = mapped_column(Integer)
    default_payment_method_id: Mapped[str | None] = mapped_column(IdString())
    default_tax_rate_ids: Mapped[list[str]] = mapped_column(JsonType())
    description: Mapped[str | None] = mapped_column(String(500))
    billing_mode: Mapped[str] = mapped_column(String(16), default="classic")
    billing_cycle_anchor: Mapped[datetime] = mapped_column(UTCDateTime())
    billing_cycle_anchor_config: Mapped[dict[str, Any] | None] = mapped_column(JsonType())
    start_date: Mapped[datetime] = mapped_column(UTCDateTime())
    # The billing period the subscription is in; its items' periods are the same.
    current_period_start: Mapped[datetime] = mapped_column(UTCDateTime())
    current_period_end: Mapped[datetime] = mapped_column(UTCDateTime())
    trial_start: Mapped[datetime | None] = mapped_column(UTCDateTime())
    trial_end: Mapped[datetime | None] = mapped_column(UTCDateTime())
    trial_missing_payment_method: Mapped[str] = mapped_column(String(16))
    # When `customer.subscription.trial_will_end` is due (three days before the trial
    # ends); cleared once sent.
    trial_notice_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancel_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancel_at_period_end: Mapped[bool] = mapped_column(Boolean, default=False)
    canceled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancellation_details: Mapped[dict[str, Any]] = mapped_column(JsonType())
    pause_collection: Mapped[dict[str, Any] | None] = mapped_column(JsonType())
    payment_settings: Mapped[dict[str, Any]] = mapped_column(JsonType())
    invoice_settings: Mapped[dict[str, Any]] = mapped_column(JsonType())
    latest_invoice_id: Mapped[str | None] = mapped_column(IdString())
    # Changes made with payment_behavior=pending_if_incomplete whose invoice is not paid
    # yet: what applies when it is (see billing/subscription_pending_updates.py).
    pending_update: Mapped[dict[str, Any] | None] = mapped_column(JsonType())
    # When the time-driven work next falls due; None when nothing is scheduled.
    next_action_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    test_clock: Mapped[str | None] = mapped_column(IdString())
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", JsonType())

    # The live items, loaded with the subscription (a page of them in one query). Items are
    # written through the repository; the service expires this after changing them.
    items: Mapped[list[SubscriptionItem]] = relationship(
        primaryjoin=lambda: (
            (SubscriptionItem.subscription_id == Subscription.id)
            & SubscriptionItem.deleted_at.is_(None)
        ),
        order_by=lambda: SubscriptionItem.id,
        lazy="selectin",
        viewonly=True,
    )

    # The live discounts, in the order they apply; written through the discounts service.
    discounts: Mapped[list[Discount]] = relationship(
        primaryjoin=lambda: (
            (Subscription.id == Discount.subscription_id) & Discount.deleted_at.is_(None)
        ),
        foreign_keys=lambda: [Discount.subscription_id],
        order_by=lambda: (Discount.position, Discount.id),
        lazy="selectin",
        viewonly=True,
    )
