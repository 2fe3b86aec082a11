"""test clocks

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import seikyu.db.types


revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "test_clocks",
        sa.Column("name", sa.String(length=300), nullable=True),
        sa.Column("frozen_time", seikyu.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("target_frozen_time", seikyu.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("deletes_after", seikyu.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", seikyu.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("account_id", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("livemode", sa.Boolean(), nullable=False),
        sa.Column("created", seikyu.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_test_clocks")),
    )
    with op.batch_alter_table("test_clocks", schema=None) as batch_op:
        batch_op.create_index(
            "ix_test_clocks_account_page", ["account_id", "livemode", "id"], unique=False
        )
        batch_op.create_index("ix_test_clocks_status", ["status"], unique=False)
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("test_clock", seikyu.db.types.IdString(length=64), nullable=True)
        )
        batch_op.create_index("ix_invoices_test_clock", ["test_clock"], unique=False)
    with op.batch_alter_table("subscriptions", schema=None) as batch_op:
        batch_op.create_index("ix_subscriptions_test_clock", ["test_clock"], unique=False)
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.create_index("ix_customers_test_clock", ["test_clock"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_index("ix_customers_test_clock")
    with op.batch_alter_table("subscriptions", schema=None) as batch_op:
        batch_op.drop_index("ix_subscriptions_test_clock")
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.drop_index("ix_invoices_test_clock")
        batch_op.drop_column("test_clock")
    with op.batch_alter_table("test_clocks", schema=None) as batch_op:
        batch_op.drop_index("ix_test_clocks_status")
        batch_op.drop_index("ix_test_clocks_account_page")
    op.drop_table("test_clocks")
