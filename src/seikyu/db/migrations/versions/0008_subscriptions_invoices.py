"""subscriptions invoices

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import seikyu.db.types


revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "discounts",
        sa.Column("coupon_internal_id", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("coupon_id", sa.String(length=200), nullable=False),
        sa.Column("promotion_code_id", seikyu.db.types.IdString(length=64), nullable=True),
        sa.Column("customer_id", seikyu.db.types.IdString(length=64), nullable=True),
        sa.Column("subscription_id", seikyu.db.types.IdString(length=64), nullable=True),
        sa.Column("subscription_item_id", seikyu.db.types.IdString(length=64), nullable=True),
        sa.Column("invoice_id", seikyu.db.types.IdString(length=64), nullable=True),
        sa.Column("invoice_item_id", seikyu.db.types.IdString(length=64), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("start", seikyu.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("end", seikyu.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("used_at", seikyu.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("deleted_at", seikyu.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("account_id", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("livemode", sa.Boolean(), nullable=False),
        sa.Column("created", seikyu.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_discounts")),
    )
    with op.batch_alter_table("discounts", schema=None) as batch_op:
        batch_op.create_index("ix_discounts_customer", ["customer_id"], unique=False)
        batch_op.create_index("ix_discounts_invoice", ["invoice_id"], unique=False)
        batch_op.create_index("ix_discounts_invoice_item", ["invoice_item_id"], unique=False)
        batch_op.create_index("ix_discounts_subscription", ["subscription_id"], unique=False)
        batch_op.create_index(
            "ix_discounts_subscription_item", ["subscription_item_id"], unique=False
        )

    op.create_table(
        "customer_balance_transactions",
        sa.Column("customer_id", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("ending_balance", sa.BigInteger(), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("description", sa.String(length=350), nullable=True),
        sa.Column("invoice_id", seikyu.db.types.IdString(length=64), nullable=True),
        sa.Column("credit_note_id", seikyu.db.types.IdString(length=64), nullable=True),
        sa.Column("metadata", seikyu.db.types.JsonType(), nullable=True),
        sa.Column("id", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("account_id", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("livemode", sa.Boolean(), nullable=False),
        sa.Column("created", seikyu.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_customer_balance_transactions_customer_id_customers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_balance_transactions")),
    )
    with op.batch_alter_table("customer_balance_transactions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_customer_balance_transactions_customer_page", ["customer_id", "id"], unique=False
        )

    op.create_table(
        "invoice_items",
        sa.Column("customer_id", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("invoice_id", seikyu.db.types.IdString(length=64), nullable=True),
        sa.Column("subscription_id", seikyu.db.types.IdString(length=64), nullable=True),
        sa.Column("subscription_item_id", seikyu.db.types.IdString(length=64), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("unit_amount_decimal", seikyu.db.types.ExactDecimal(length=64), nullable=True),
        sa.Column("price_id", seikyu.db.types.IdString(length=64), nullable=True),
        sa.Column("description", sa.String(length=5000), nullable=True),
        sa.Column("date", seikyu.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("period_start", seikyu.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("period_end", seikyu.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("discountable", sa.Boolean(), nullable=False),
        sa.Column("tax_rate_ids", seikyu.db.types.JsonType(), nullable=True),
        sa.Column("proration", sa.Boolean(), nullable=False),
        sa.Column("proration_details", seikyu.db.types.JsonType(), nullable=True),
        sa.Column("metadata", seikyu.db.types.JsonType(), nullable=False),
        sa.Column("deleted_at", seikyu.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("account_id", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("livemode", sa.Boolean(), nullable=False),
        sa.Column("created", seikyu.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_invoice_items_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice_items")),
    )
    with op.batch_alter_table("invoice_items", schema=None) as batch_op:
        batch_op.create_index(
            "ix_invoice_items_account_page", ["account_id", "livemode", "id"], unique=False
        )
        batch_op.create_index("ix_invoice_items_customer_page", ["customer_id", "id"], unique=False)
        batch_op.create_index("ix_invoice_items_invoice", ["invoice_id", "id"], unique=False)

    op.create_table(
        "invoices",
        sa.Column("customer_id", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("subscription_id", seikyu.db.types.IdString(length=64), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("collection_method", sa.String(length=32), nullable=False),
        sa.Column("billing_reason", sa.String(length=32), nullable=False),
        sa.Column("auto_advance", sa.Boolean(), nullable=False),
        sa.Column("description", sa.String(length=1500), nullable=True),
        sa.Column("footer", sa.String(length=5000), nullable=True),
        sa.Column("statement_descriptor", sa.String(length=22), nullable=True),
        sa.Column("days_until_due", sa.Integer(), nullable=True),
        sa.Column("due_date", seikyu.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("number", sa.String(length=64), nullable=True),
        sa.Column("period_start", seikyu.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("period_end", seikyu.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("effective_at", seikyu.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finalized_at", seikyu.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("paid_at", seikyu.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("voided_at", seikyu.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "marked_uncollectible_at", seikyu.db.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("default_payment_method_id", seikyu.db.types.IdString(length=64), nullable=True),
        sa.Column("default_tax_rate_ids", seikyu.db.types.JsonType(), nullable=False),
        sa.Column("discount_ids", seikyu.db.types.JsonType(), nullable=False),
        sa.Column("pending_invoice_items_behavior", sa.String(length=16), nullable=False),
        sa.Column("subtotal", sa.BigInteger(), nullable=False),
        sa.Column("subtotal_excluding_tax", sa.BigInteger(), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("total_excluding_tax", sa.BigInteger(), nullable=False),
        sa.Column("total_discount_amounts", seikyu.db.types.JsonType(), nullable=False),
        sa.Column("total_taxes", seikyu.db.types.JsonType(), nullable=False),
        sa.Column("amount_due", sa.BigInteger(), nullable=False),
        sa.Column("amount_paid", sa.BigInteger(), nullable=False),
        sa.Column("amount_overpaid", sa.BigInteger(), nullable=False),
        sa.Column("starting_balance", sa.BigInteger(), nullable=False),
        sa.Column("ending_balance", sa.BigInteger(), nullable=True),
        sa.Column("pre_payment_credit_notes_amount", sa.BigInteger(), nullable=False),
        sa.Column("post_payment_credit_notes_amount", sa.BigInteger(), nullable=False),
        sa.Column("attempt_count", sa.Integer(), nullable=False),
        sa.Column("attempted", sa.Boolean(), nullable=False),
        sa.Column("paid_out_of_band", sa.Boolean(), nullable=False),
        sa.Column("payment_intent_id", seikyu.db.types.IdString(length=64), nullable=True),
        sa.Column("last_finalization_error", seikyu.db.types.JsonType(), nullable=True),
        sa.Column("customer_details", seikyu.db.types.JsonType(), nullable=False),
        sa.Column("issuer_details", seikyu.db.types.JsonType(), nullable=False),
        sa.Column("next_action_at", seikyu.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "next_payment_attempt", seikyu.db.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("metadata", seikyu.db.types.JsonType(), nullable=False),
        sa.Column("id", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("account_id", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("livemode", sa.Boolean(), nullable=False),
        sa.Column("created", seikyu.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_invoices_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoices")),
    )
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.create_index(
            "ix_invoices_account_page", ["account_id", "livemode", "id"], unique=False
        )
        batch_op.create_index("ix_invoices_customer_page", ["customer_id", "id"], unique=False)
        batch_op.create_index("ix_invoices_next_action", ["next_action_at"], unique=False)
        batch_op.create_index(
            "ix_invoices_subscription_page", ["subscription_id", "id"], unique=False
        )
        batch_op.create_index(
            "uq_invoices_number",
            ["account_id", "livemode", "number"],
            unique=True,
            sqlite_where=sa.text("number IS NOT NULL"),
            postgresql_where=sa.text("number IS NOT NULL"),
        )
        batch_op.create_index(
            "uq_invoices_subscription_cycle",
            ["subscription_id", "billing_reason", "period_start"],
            unique=True,
            sqlite_where=sa.text("billing_reason = 'subscription_cycle'"),
            postgresql_where=sa.text("billing_reason = 'subscription_cycle'"),
        )

    op.create_table(
        "subscriptions",
        sa.Column("customer_id", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("collection_method", sa.String(length=32), nullable=False),
        sa.Column("days_until_due", sa.Integer(), nullable=True),
        sa.Column("default_payment_method_id", seikyu.db.types.IdString(length=64), nullable=True),
        sa.Column("default_tax_rate_ids", seikyu.db.types.JsonType(), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=True),
        sa.Column("billing_mode", sa.String(length=16), nullable=False),
        sa.Column(
            "billing_cycle_anchor", seikyu.db.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("billing_cycle_anchor_config", seikyu.db.types.JsonType(), nullable=True),
        sa.Column("start_date", seikyu.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "current_period_start", seikyu.db.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("current_period_end", seikyu.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("trial_start", seikyu.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("trial_end", seikyu.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("trial_missing_payment_method", sa.String(length=16), nullable=False),
        sa.Column("cancel_at", seikyu.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("cancel_at_period_end", sa.Boolean(), nullable=False),
        sa.Column("canceled_at", seikyu.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ended_at", seikyu.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("cancellation_details", seikyu.db.types.JsonType(), nullable=False),
        sa.Column("pause_collection", seikyu.db.types.JsonType(), nullable=True),
        sa.Column("payment_settings", seikyu.db.types.JsonType(), nullable=False),
        sa.Column("invoice_settings", seikyu.db.types.JsonType(), nullable=False),
        sa.Column("latest_invoice_id", seikyu.db.types.IdString(length=64), nullable=True),
        sa.Column("next_action_at", seikyu.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("test_clock", seikyu.db.types.IdString(length=64), nullable=True),
        sa.Column("metadata", seikyu.db.types.JsonType(), nullable=False),
        sa.Column("id", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("account_id", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("livemode", sa.Boolean(), nullable=False),
        sa.Column("created", seikyu.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_subscriptions_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscriptions")),
    )
    with op.batch_alter_table("subscriptions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_subscriptions_account_page", ["account_id", "livemode", "id"], unique=False
        )
        batch_op.create_index("ix_subscriptions_customer_page", ["customer_id", "id"], unique=False)
        batch_op.create_index("ix_subscriptions_next_action", ["next_action_at"], unique=False)

    op.create_table(
        "credit_notes",
        sa.Column("invoice_id", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("customer_id", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("number", sa.String(length=80), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=True),
        sa.Column("memo", sa.String(length=5000), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("subtotal", sa.BigInteger(), nullable=False),
        sa.Column("subtotal_excluding_tax", sa.BigInteger(), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("total_excluding_tax", sa.BigInteger(), nullable=False),
        sa.Column("discount_amount", sa.BigInteger(), nullable=False),
        sa.Column("discount_amounts", seikyu.db.types.JsonType(), nullable=False),
        sa.Column("total_taxes", seikyu.db.types.JsonType(), nullable=False),
        sa.Column("pre_payment_amount", sa.BigInteger(), nullable=False),
        sa.Column("post_payment_amount", sa.BigInteger(), nullable=False),
        sa.Column("credit_amount", sa.BigInteger(), nullable=False),
        sa.Column("refund_amount", sa.BigInteger(), nullable=False),
        sa.Column("out_of_band_amount", sa.BigInteger(), nullable=True),
        sa.Column("refund_id", seikyu.db.types.IdString(length=64), nullable=True),
        sa.Column(
            "customer_balance_transaction_id", seikyu.db.types.IdString(length=64), nullable=True
        ),
        sa.Column("lines", seikyu.db.types.JsonType(), nullable=False),
        sa.Column("effective_at", seikyu.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("voided_at", seikyu.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("metadata", seikyu.db.types.JsonType(), nullable=False),
        sa.Column("id", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("account_id", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("livemode", sa.Boolean(), nullable=False),
        sa.Column("created", seikyu.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoices.id"], name=op.f("fk_credit_notes_invoice_id_invoices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_notes")),
    )
    with op.batch_alter_table("credit_notes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_credit_notes_account_page", ["account_id", "livemode", "id"], unique=False
        )
        batch_op.create_index("ix_credit_notes_customer_page", ["customer_id", "id"], unique=False)
        batch_op.create_index("ix_credit_notes_invoice_page", ["invoice_id", "id"], unique=False)

    op.create_table(
        "invoice_lines",
        sa.Column("invoice_id", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("parent_type", sa.String(length=32), nullable=False),
        sa.Column("invoice_item_id", seikyu.db.types.IdString(length=64), nullable=True),
        sa.Column("subscription_id", seikyu.db.types.IdString(length=64), nullable=True),
        sa.Column("subscription_item_id", seikyu.db.types.IdString(length=64), nullable=True),
        sa.Column("proration", sa.Boolean(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("description", sa.String(length=5000), nullable=True),
        sa.Column("period_start", seikyu.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("period_end", seikyu.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=True),
        sa.Column("price_id", seikyu.db.types.IdString(length=64), nullable=True),
        sa.Column("product_id", sa.String(length=200), nullable=True),
        sa.Column("unit_amount_decimal", seikyu.db.types.ExactDecimal(length=64), nullable=True),
        sa.Column("discountable", sa.Boolean(), nullable=False),
        sa.Column("discount_ids", seikyu.db.types.JsonType(), nullable=False),
        sa.Column("tax_rate_ids", seikyu.db.types.JsonType(), nullable=True),
        sa.Column("discount_amounts", seikyu.db.types.JsonType(), nullable=False),
        sa.Column("taxes", seikyu.db.types.JsonType(), nullable=False),
        sa.Column("metadata", seikyu.db.types.JsonType(), nullable=False),
        sa.Column("id", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("account_id", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("livemode", sa.Boolean(), nullable=False),
        sa.Column("created", seikyu.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoices.id"], name=op.f("fk_invoice_lines_invoice_id_invoices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice_lines")),
    )
    with op.batch_alter_table("invoice_lines", schema=None) as batch_op:
        batch_op.create_index(
            "ix_invoice_lines_invoice_position", ["invoice_id", "position"], unique=False
        )

    op.create_table(
        "invoice_payments",
        sa.Column("invoice_id", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("payment_intent_id", seikyu.db.types.IdString(length=64), nullable=True),
        sa.Column("payment_type", sa.String(length=32), nullable=False),
        sa.Column("amount_requested", sa.BigInteger(), nullable=False),
        sa.Column("amount_paid", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("paid_at", seikyu.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("canceled_at", seikyu.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("account_id", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("livemode", sa.Boolean(), nullable=False),
        sa.Column("created", seikyu.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoices.id"], name=op.f("fk_invoice_payments_invoice_id_invoices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice_payments")),
    )
    with op.batch_alter_table("invoice_payments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_invoice_payments_invoice_page", ["invoice_id", "id"], unique=False
        )
        batch_op.create_index(
            "ix_invoice_payments_payment_intent", ["payment_intent_id"], unique=False
        )

    op.create_table(
        "subscription_items",
        sa.Column("subscription_id", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("price_id", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=True),
        sa.Column("tax_rate_ids", seikyu.db.types.JsonType(), nullable=True),
        sa.Column(
            "current_period_start", seikyu.db.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("current_period_end", seikyu.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_billed", seikyu.db.types.JsonType(), nullable=True),
        sa.Column("metadata", seikyu.db.types.JsonType(), nullable=False),
        sa.Column("deleted_at", seikyu.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("account_id", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("livemode", sa.Boolean(), nullable=False),
        sa.Column("created", seikyu.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["price_id"],
            ["prices.id"],
            name=op.f("fk_subscription_items_price_id_prices"),
        ),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["subscriptions.id"],
            name=op.f("fk_subscription_items_subscription_id_subscriptions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscription_items")),
    )
    with op.batch_alter_table("subscription_items", schema=None) as batch_op:
        batch_op.create_index(
            "ix_subscription_items_price", ["account_id", "livemode", "price_id"], unique=False
        )
        batch_op.create_index(
            "ix_subscription_items_subscription_page", ["subscription_id", "id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("subscription_items", schema=None) as batch_op:
        batch_op.drop_index("ix_subscription_items_subscription_page")
        batch_op.drop_index("ix_subscription_items_price")

    op.drop_table("subscription_items")
    with op.batch_alter_table("invoice_payments", schema=None) as batch_op:
        batch_op.drop_index("ix_invoice_payments_payment_intent")
        batch_op.drop_index("ix_invoice_payments_invoice_page")

    op.drop_table("invoice_payments")
    with op.batch_alter_table("invoice_lines", schema=None) as batch_op:
        batch_op.drop_index("ix_invoice_lines_invoice_position")

    op.drop_table("invoice_lines")
    with op.batch_alter_table("credit_notes", schema=None) as batch_op:
        batch_op.drop_index("ix_credit_notes_invoice_page")
        batch_op.drop_index("ix_credit_notes_customer_page")
        batch_op.drop_index("ix_credit_notes_account_page")

    op.drop_table("credit_notes")
    with op.batch_alter_table("subscriptions", schema=None) as batch_op:
        batch_op.drop_index("ix_subscriptions_next_action")
        batch_op.drop_index("ix_subscriptions_customer_page")
        batch_op.drop_index("ix_subscriptions_account_page")

    op.drop_table("subscriptions")
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_invoices_subscription_cycle",
            sqlite_where=sa.text("billing_reason = 'subscription_cycle'"),
            postgresql_where=sa.text("billing_reason = 'subscription_cycle'"),
        )
        batch_op.drop_index(
            "uq_invoices_number",
            sqlite_where=sa.text("number IS NOT NULL"),
            postgresql_where=sa.text("number IS NOT NULL"),
        )
        batch_op.drop_index("ix_invoices_subscription_page")
        batch_op.drop_index("ix_invoices_next_action")
        batch_op.drop_index("ix_invoices_customer_page")
        batch_op.drop_index("ix_invoices_account_page")

    op.drop_table("invoices")
    with op.batch_alter_table("invoice_items", schema=None) as batch_op:
        batch_op.drop_index("ix_invoice_items_invoice")
        batch_op.drop_index("ix_invoice_items_customer_page")
        batch_op.drop_index("ix_invoice_items_account_page")

    op.drop_table("invoice_items")
    with op.batch_alter_table("customer_balance_transactions", schema=None) as batch_op:
        batch_op.drop_index("ix_customer_balance_transactions_customer_page")

    op.drop_table("customer_balance_transactions")
    with op.batch_alter_table("discounts", schema=None) as batch_op:
        batch_op.drop_index("ix_discounts_subscription_item")
        batch_op.drop_index("ix_discounts_subscription")
        batch_op.drop_index("ix_discounts_invoice_item")
        batch_op.drop_index("ix_discounts_invoice")
        batch_op.drop_index("ix_discounts_customer")

    op.drop_table("discounts")
