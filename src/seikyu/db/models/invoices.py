from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from seikyu.db.base import AccountOwned, Base
from seikyu.db.models.invoice_lines import InvoiceLine
from seikyu.db.types import IdString, JsonType, UTCDateTime


class Invoice(AccountOwned, Base):
    """A statement of what a customer owes. Amounts are computed by the billing domain and
    stored, so a finalized invoice reads back exactly as it was issued."""

    __tablename__ = "invoices"
    __table_args__ = (
        Index("ix_invoices_account_page", "account_id", "livemode", "id"),
        Index("ix_invoices_customer_page", "customer_id", "id"),
        Index("ix_invoices_subscription_page", "subscription_id", "id"),
        # Numbers are never reused: a second invoice with the same number cannot commit.
        Index(
            "uq_invoices_number",
            "account_id",
            "livemode",
            "number",
            unique=True,
            sqlite_where=text("number IS NOT NULL"),
            postgresql_where=text("number IS NOT NULL"),
        ),
        # One invoice per subscription period and reason (renewals run at least once).
        Index(
            "uq_invoices_subscription_cycle",
            "subscription_id",
            "billing_reason",
            "period_start",
            unique=True,
            sqlite_where=text("billing_reason = 'subscription_cycle'"),
            postgresql_where=text("billing_reason = 'subscription_cycle'"),
        ),
        Index("ix_invoices_next_action", "next_action_at"),
        Index("ix_invoices_test_clock", "test_clock"),
    )

    customer_id: Mapped[str] = mapped_column(IdString(), ForeignKey("customers.id"))
    subscription_id: Mapped[str | None] = mapped_column(IdString())
    status: Mapped[str] = mapped_column(String(16))
    currency: Mapped[str] = mapped_column(String(3))
    collection_method: Mapped[str] = mapped_column(String(32))
    billing_reason: Mapped[str] = mapped_column(String(32))
    auto_advance: Mapped[bool] = mapped_column(Boolean, default=False)
    description: Mapped[str | None] = mapped_column(String(1500))
    footer: Mapped[str | None] = mapped_column(String(5000))
    statement_descriptor: Mapped[str | None] = mapped_column(String(22))
    days_until_due: Mapped[int | None] = mapped_column(Integer)
    due_date: Mapped[datetime | None] = mapped_column(UTCDateTime())
    number: Mapped[str | None] = mapped_column(String(64))
    period_start: Mapped[datetime] = mapped_column(UTCDateTime())
    period_end: Mapped[datetime] = mapped_column(UTCDateTime())
    effective_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finalized_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    marked_uncollectible_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    default_payment_method_id: Mapped[str | None] = mapped_column(IdString())
    default_tax_rate_ids: Mapped[list[str]] = mapped_column(JsonType())
    # The invoice-level discounts, in the order they apply: the invoice's own, or those it
    # took from its subscription or customer when it was created.
    discount_ids: Mapped[list[str]] = mapped_column(JsonType())
    # Which pending invoice items a new draft takes: "exclude" or "include".
    pending_invoice_items_behavior: Mapped[str] = mapped_column(String(16), default="exclude")
    subtotal: Mapped[int] = mapped_column(BigInteger, default=0)
    subtotal_excluding_tax: Mapped[int] = mapped_column(BigInteger, default=0)
    total: Mapped[int] = mapped_column(BigInteger, default=0)
    total_excluding_tax: Mapped[int] = mapped_column(BigInteger, default=0)
    total_discount_amounts: Mapped[list[dict[str, Any]]] = mapped_column(JsonType())
    total_taxes: Mapped[list[dict[str, Any]]] = mapped_column(JsonType())
    amount_due: Mapped[int] = mapped_column(BigInteger, default=0)
    amount_paid: Mapped[int] = mapped_column(BigInteger, default=0)
    amount_overpaid: Mapped[int] = mapped_column(BigInteger, default=0)
    starting_balance: Mapped[int] = mapped_column(BigInteger, default=0)
    ending_balance: Mapped[int | None] = mapped_column(BigInteger)
    pre_payment_credit_notes_amount: Mapped[int] = mapped_column(BigInteger, default=0)
    post_payment_credit_notes_amount: Mapped[int] = mapped_column(BigInteger, default=0)
    attempt_count: Mapped[int] = mapped_column(Integer, default=0)
    attempted: Mapped[bool] = mapped_column(Boolean, default=False)
    paid_out_of_band: Mapped[bool] = mapped_column(Boolean, default=False)
    payment_intent_id: Mapped[str | None] = mapped_column(IdString())
    last_finalization_error: Mapped[dict[str, Any] | None] = mapped_column(JsonType())
    # The customer and issuer as they were at finalization: an issued invoice never changes.
    customer_details: Mapped[dict[str, Any]] = mapped_column(JsonType())
    issuer_details: Mapped[dict[str, Any]] = mapped_column(JsonType())
    # Set while the scheduler owes the invoice something (finalize, retry, mark overdue).
    next_action_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    next_payment_attempt: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The customer's test clock: the clock's advances, not real time, drive the invoice.
    test_clock: Mapped[str | None] = mapped_column(IdString())
    # A marker, not a Stripe field: the draft was deleted and is gone from the API.
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", JsonType())

    # Every invoice shows its lines, so they load with it, in one query for a whole page.
    lines: Mapped[list[InvoiceLine]] = relationship(
        order_by=lambda: (InvoiceLine.position, InvoiceLine.id),
        lazy="selectin",
        cascade="all, delete-orphan",
    )
