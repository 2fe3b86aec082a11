"""billing meters, meter events and their rollups, usage billings

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import seikyu.db.types


revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "billing_meters",
        sa.Column("display_name", sa.String(length=250), nullable=False),
        sa.Column("event_name", sa.String(length=100), nullable=False),
        sa.Column("formula", sa.String(length=10), nullable=False),
        sa.Column("customer_payload_key", sa.String(length=100), nullable=False),
        sa.Column("value_payload_key", sa.String(length=100), nullable=False),
        sa.Column("event_time_window", sa.String(length=10), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("updated", seikyu.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("deactivated_at", seikyu.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("account_id", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("livemode", sa.Boolean(), nullable=False),
        sa.Column("created", seikyu.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_meters")),
    )
    op.create_index(
        "ix_billing_meters_account_page",
        "billing_meters",
        ["account_id", "livemode", "id"],
        unique=False,
    )
    op.create_index(
        "uq_billing_meters_active_event_name",
        "billing_meters",
        ["account_id", "livemode", "event_name"],
        unique=True,
        sqlite_where=sa.text("status = 'active'"),
        postgresql_where=sa.text("status = 'active'"),
    )
    op.create_table(
        "meter_event_adjustments",
        sa.Column("event_name", sa.String(length=100), nullable=False),
        sa.Column("type", sa.String(length=10), nullable=False),
        sa.Column("identifier", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("id", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("account_id", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("livemode", sa.Boolean(), nullable=False),
        sa.Column("created", seikyu.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meter_event_adjustments")),
    )
    op.create_index(
        "ix_meter_event_adjustments_account_page",
        "meter_event_adjustments",
        ["account_id", "livemode", "id"],
        unique=False,
    )
    op.create_table(
        "meter_event_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", seikyu.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("account_id", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("livemode", sa.Boolean(), nullable=False),
        sa.Column("created", seikyu.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meter_event_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_meter_event_sessions_token_hash")),
    )
    op.create_table(
        "meter_events",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("account_id", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("livemode", sa.Boolean(), nullable=False),
        sa.Column("meter_id", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("customer_id", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("identifier", sa.String(length=100), nullable=False),
        sa.Column("timestamp", sa.BigInteger(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.Column("received", sa.BigInteger(), nullable=False),
        sa.Column("canceled", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_meter_events")),
        sa.UniqueConstraint(
            "account_id", "livemode", "identifier", name="uq_meter_events_identifier"
        ),
    )
    op.create_index(
        "ix_meter_events_usage",
        "meter_events",
        ["meter_id", "customer_id", "timestamp"],
        unique=False,
    )
    op.create_table(
        "meter_rollups",
        sa.Column("meter_id", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("customer_id", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("bucket", sa.BigInteger(), nullable=False),
        sa.Column("sum_value", sa.BigInteger(), nullable=False),
        sa.Column("event_count", sa.BigInteger(), nullable=False),
        sa.Column("max_value", sa.BigInteger(), nullable=True),
        sa.Column("last_value", sa.BigInteger(), nullable=True),
        sa.Column("last_timestamp", sa.BigInteger(), nullable=True),
        sa.Column("last_seq", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("meter_id", "customer_id", "bucket", name=op.f("pk_meter_rollups")),
    )
    op.create_table(
        "usage_billings",
        sa.Column("subscription_item_id", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("period_start", sa.BigInteger(), nullable=False),
        sa.Column("period_end", sa.BigInteger(), nullable=False),
        sa.Column("account_id", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("livemode", sa.Boolean(), nullable=False),
        sa.Column("meter_id", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("customer_id", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("price_id", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("invoice_id", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("created", seikyu.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint(
            "subscription_item_id", "period_start", name=op.f("pk_usage_billings")
        ),
    )


def downgrade() -> None:
    op.drop_table("usage_billings")
    op.drop_table("meter_rollups")
    op.drop_index("ix_meter_events_usage", table_name="meter_events")
    op.drop_table("meter_events")
    op.drop_table("meter_event_sessions")
    op.drop_index("ix_meter_event_adjustments_account_page", table_name="meter_event_adjustments")
    op.drop_table("meter_event_adjustments")
    op.drop_index(
        "uq_billing_meters_active_event_name",
        table_name="billing_meters",
        sqlite_where=sa.text("status = 'active'"),
        postgresql_where=sa.text("status = 'active'"),
    )
    op.drop_index("ix_billing_meters_account_page", table_name="billing_meters")
    op.drop_table("billing_meters")
