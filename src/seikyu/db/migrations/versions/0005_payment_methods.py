"""payment methods

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import seikyu.db.types


revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "payment_methods",
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("customer_id", seikyu.db.types.IdString(length=64), nullable=True),
        sa.Column("attached_at", seikyu.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("detached_at", seikyu.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("billing_details", seikyu.db.types.JsonType(), nullable=False),
        sa.Column("allow_redisplay", sa.String(length=16), nullable=False),
        sa.Column("card_brand", sa.String(length=16), nullable=False),
        sa.Column("card_country", sa.String(length=2), nullable=True),
        sa.Column("card_funding", sa.String(length=16), nullable=False),
        sa.Column("card_last4", sa.String(length=4), nullable=False),
        sa.Column("card_exp_month", sa.Integer(), nullable=False),
        sa.Column("card_exp_year", sa.Integer(), nullable=False),
        sa.Column("card_fingerprint", sa.String(length=32), nullable=False),
        sa.Column("processor_card", sa.String(length=64), nullable=False),
        sa.Column("cvc_check", sa.String(length=16), nullable=True),
        sa.Column("metadata", seikyu.db.types.JsonType(), nullable=False),
        sa.Column("id", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("account_id", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("livemode", sa.Boolean(), nullable=False),
        sa.Column("created", seikyu.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_payment_methods_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_methods")),
    )
    with op.batch_alter_table("payment_methods", schema=None) as batch_op:
        batch_op.create_index(
            "ix_payment_methods_account_page", ["account_id", "livemode", "id"], unique=False
        )
        batch_op.create_index(
            "ix_payment_methods_customer_page", ["customer_id", "id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("payment_methods", schema=None) as batch_op:
        batch_op.drop_index("ix_payment_methods_customer_page")
        batch_op.drop_index("ix_payment_methods_account_page")

    op.drop_table("payment_methods")
