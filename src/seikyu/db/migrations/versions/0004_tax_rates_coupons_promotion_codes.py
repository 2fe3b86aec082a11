"""tax rates, coupons and promotion codes

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import seikyu.db.types


revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tax_rates",
        sa.Column("display_name", sa.String(length=50), nullable=False),
        sa.Column("description", sa.String(length=5000), nullable=True),
        sa.Column("jurisdiction", sa.String(length=50), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("state", sa.String(length=3), nullable=True),
        sa.Column("tax_type", sa.String(length=40), nullable=True),
        sa.Column("percentage", seikyu.db.types.ExactDecimal(length=64), nullable=False),
        sa.Column("inclusive", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("metadata", seikyu.db.types.JsonType(), nullable=False),
        sa.Column("id", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("account_id", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("livemode", sa.Boolean(), nullable=False),
        sa.Column("created", seikyu.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tax_rates")),
    )
    with op.batch_alter_table("tax_rates", schema=None) as batch_op:
        batch_op.create_index(
            "ix_tax_rates_account_page", ["account_id", "livemode", "id"], unique=False
        )

    op.create_table(
        "coupons",
        sa.Column("internal_id", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("account_id", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("livemode", sa.Boolean(), nullable=False),
        sa.Column("created", seikyu.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=True),
        sa.Column("percent_off", seikyu.db.types.ExactDecimal(length=64), nullable=True),
        sa.Column("amount_off", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("currency_options", seikyu.db.types.JsonType(), nullable=False),
        sa.Column("duration", sa.String(length=16), nullable=False),
        sa.Column("duration_in_months", sa.Integer(), nullable=True),
        sa.Column("max_redemptions", sa.BigInteger(), nullable=True),
        sa.Column("times_redeemed", sa.BigInteger(), nullable=False),
        sa.Column("redeem_by", seikyu.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("applies_to_products", seikyu.db.types.JsonType(), nullable=True),
        sa.Column("valid", sa.Boolean(), nullable=False),
        sa.Column("metadata", seikyu.db.types.JsonType(), nullable=False),
        sa.Column("deleted_at", seikyu.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("internal_id", name=op.f("pk_coupons")),
    )
    with op.batch_alter_table("coupons", schema=None) as batch_op:
        batch_op.create_index(
            "ix_coupons_account_page", ["account_id", "livemode", "internal_id"], unique=False
        )
        batch_op.create_index(
            "uq_coupons_live_id",
            ["account_id", "livemode", "id"],
            unique=True,
            sqlite_where=sa.text("deleted_at IS NULL"),
            postgresql_where=sa.text("deleted_at IS NULL"),
        )

    op.create_table(
        "promotion_codes",
        sa.Column("code", sa.String(length=500), nullable=False),
        sa.Column("code_folded", sa.String(length=500), nullable=False),
        sa.Column("coupon_internal_id", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("coupon_id", sa.String(length=200), nullable=False),
        sa.Column("customer", seikyu.db.types.IdString(length=64), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("expires_at", seikyu.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("max_redemptions", sa.BigInteger(), nullable=True),
        sa.Column("times_redeemed", sa.BigInteger(), nullable=False),
        sa.Column("first_time_transaction", sa.Boolean(), nullable=False),
        sa.Column("minimum_amount", sa.BigInteger(), nullable=True),
        sa.Column("minimum_amount_currency", sa.String(length=3), nullable=True),
        sa.Column("currency_options", seikyu.db.types.JsonType(), nullable=False),
        sa.Column("metadata", seikyu.db.types.JsonType(), nullable=False),
        sa.Column("id", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("account_id", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("livemode", sa.Boolean(), nullable=False),
        sa.Column("created", seikyu.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["coupon_internal_id"],
            ["coupons.internal_id"],
            name=op.f("fk_promotion_codes_coupon_internal_id_coupons"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_promotion_codes")),
    )
    with op.batch_alter_table("promotion_codes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_promotion_codes_account_page", ["account_id", "livemode", "id"], unique=False
        )
        batch_op.create_index(
            "ix_promotion_codes_account_code",
            ["account_id", "livemode", "code_folded"],
            unique=False,
        )
        batch_op.create_index(
            "ix_promotion_codes_account_coupon",
            ["account_id", "livemode", "coupon_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("promotion_codes", schema=None) as batch_op:
        batch_op.drop_index("ix_promotion_codes_account_coupon")
        batch_op.drop_index("ix_promotion_codes_account_code")
        batch_op.drop_index("ix_promotion_codes_account_page")
    op.drop_table("promotion_codes")
    with op.batch_alter_table("coupons", schema=None) as batch_op:
        batch_op.drop_index("uq_coupons_live_id")
        batch_op.drop_index("ix_coupons_account_page")
    op.drop_table("coupons")
    with op.batch_alter_table("tax_rates", schema=None) as batch_op:
        batch_op.drop_index("ix_tax_rates_account_page")
    op.drop_table("tax_rates")
