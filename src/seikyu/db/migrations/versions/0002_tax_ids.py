"""tax ids

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import seikyu.db.types


revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tax_ids",
        sa.Column("owner_type", sa.String(length=16), nullable=False),
        sa.Column("customer_id", seikyu.db.types.IdString(length=64), nullable=True),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=100), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("verification_status", sa.String(length=16), nullable=False),
        sa.Column("verified_name", sa.String(length=500), nullable=True),
        sa.Column("verified_address", sa.String(length=1000), nullable=True),
        sa.Column("deleted_at", seikyu.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("account_id", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("livemode", sa.Boolean(), nullable=False),
        sa.Column("created", seikyu.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_tax_ids_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tax_ids")),
    )
    with op.batch_alter_table("tax_ids", schema=None) as batch_op:
        batch_op.create_index(
            "ix_tax_ids_account_page",
            ["account_id", "livemode", "owner_type", "id"],
            unique=False,
        )
        batch_op.create_index("ix_tax_ids_customer_page", ["customer_id", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("tax_ids", schema=None) as batch_op:
        batch_op.drop_index("ix_tax_ids_customer_page")
        batch_op.drop_index("ix_tax_ids_account_page")

    op.drop_table("tax_ids")
