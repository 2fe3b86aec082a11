"""webhook endpoints, deliveries and attempts; request log error types

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import seikyu.db.types


revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def _tenancy() -> list[sa.Column]:
    return [
        sa.Column("id", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("account_id", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("livemode", sa.Boolean(), nullable=False),
        sa.Column("created", seikyu.db.types.UTCDateTime(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "webhook_endpoints",
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("description", sa.String(length=5000), nullable=True),
        sa.Column("enabled_events", seikyu.db.types.JsonType(), nullable=False),
        sa.Column("api_version", sa.String(length=40), nullable=True),
        sa.Column("metadata", seikyu.db.types.JsonType(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("secret", sa.String(length=100), nullable=False),
        sa.Column("previous_secret", sa.String(length=100), nullable=True),
        sa.Column(
            "previous_secret_expires_at", seikyu.db.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("failing_since", seikyu.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("disabled_reason", sa.String(length=500), nullable=True),
        sa.Column("deleted_at", seikyu.db.types.UTCDateTime(timezone=True), nullable=True),
        *_tenancy(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_endpoints")),
    )
    with op.batch_alter_table("webhook_endpoints", schema=None) as batch_op:
        batch_op.create_index(
            "ix_webhook_endpoints_account_page", ["account_id", "livemode", "id"], unique=False
        )
    op.create_table(
        "webhook_deliveries",
        sa.Column("event_id", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("endpoint_id", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", seikyu.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("claimed_until", seikyu.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_attempt_at", seikyu.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_status_code", sa.Integer(), nullable=True),
        *_tenancy(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_deliveries")),
        sa.UniqueConstraint("event_id", "endpoint_id", name="uq_webhook_deliveries_event_endpoint"),
    )
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.create_index("ix_webhook_deliveries_due", ["next_attempt_at"], unique=False)
        batch_op.create_index(
            "ix_webhook_deliveries_endpoint", ["endpoint_id", "status"], unique=False
        )
    op.create_table(
        "webhook_attempts",
        sa.Column("delivery_id", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("event_id", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("endpoint_id", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("response_excerpt", sa.String(length=2000), nullable=True),
        sa.Column("error", sa.String(length=500), nullable=True),
        *_tenancy(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_attempts")),
    )
    with op.batch_alter_table("webhook_attempts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_webhook_attempts_endpoint",
            ["account_id", "livemode", "endpoint_id", "id"],
            unique=False,
        )
        batch_op.create_index("ix_webhook_attempts_event", ["event_id", "id"], unique=False)
    with op.batch_alter_table("request_logs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("error_type", sa.String(length=64), nullable=True))
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index("ix_events_request", ["request_id"], unique=False)
        batch_op.create_index("ix_events_object", ["object_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index("ix_events_object")
        batch_op.drop_index("ix_events_request")
    with op.batch_alter_table("request_logs", schema=None) as batch_op:
        batch_op.drop_column("error_type")
    op.drop_table("webhook_attempts")
    op.drop_table("webhook_deliveries")
    op.drop_table("webhook_endpoints")
