"""products and prices

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import seikyu.db.types


revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "products",
        sa.Column("account_id", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("livemode", sa.Boolean(), nullable=False),
        sa.Column("id", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("sort_key", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("created", seikyu.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated", seikyu.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("name", sa.String(length=5000), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("default_price_id", seikyu.db.types.IdString(length=64), nullable=True),
        sa.Column("images", seikyu.db.types.JsonType(), nullable=False),
        sa.Column("marketing_features", seikyu.db.types.JsonType(), nullable=False),
        sa.Column("package_dimensions", seikyu.db.types.JsonType(), nullable=True),
        sa.Column("shippable", sa.Boolean(), nullable=True),
        sa.Column("statement_descriptor", sa.String(length=22), nullable=True),
        sa.Column("tax_code", sa.String(length=64), nullable=True),
        sa.Column("unit_label", sa.String(length=12), nullable=True),
        sa.Column("url", sa.String(length=5000), nullable=True),
        sa.Column("metadata", seikyu.db.types.JsonType(), nullable=False),
        sa.PrimaryKeyConstraint("account_id", "livemode", "id", name=op.f("pk_products")),
    )
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.create_index(
            "ix_products_account_page", ["account_id", "livemode", "sort_key"], unique=False
        )
        batch_op.create_index(
            "ix_products_account_url", ["account_id", "livemode", "url"], unique=False
        )

    op.create_table(
        "prices",
        sa.Column("product_id", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("billing_scheme", sa.String(length=16), nullable=False),
        sa.Column("unit_amount", sa.BigInteger(), nullable=True),
        sa.Column("unit_amount_decimal", seikyu.db.types.ExactDecimal(length=64), nullable=True),
        sa.Column("custom_unit_amount", seikyu.db.types.JsonType(), nullable=True),
        sa.Column("tiers_mode", sa.String(length=16), nullable=True),
        sa.Column("tiers", seikyu.db.types.JsonType(), nullable=True),
        sa.Column("transform_quantity", seikyu.db.types.JsonType(), nullable=True),
        sa.Column("recurring_interval", sa.String(length=8), nullable=True),
        sa.Column("recurring_interval_count", sa.Integer(), nullable=True),
        sa.Column("recurring_usage_type", sa.String(length=16), nullable=True),
        sa.Column("recurring_meter", sa.String(length=64), nullable=True),
        sa.Column("recurring_trial_period_days", sa.Integer(), nullable=True),
        sa.Column("tax_behavior", sa.String(length=16), nullable=False),
        sa.Column("currency_options", seikyu.db.types.JsonType(), nullable=True),
        sa.Column("lookup_key", sa.String(length=200), nullable=True),
        sa.Column("nickname", sa.String(length=5000), nullable=True),
        sa.Column("metadata", seikyu.db.types.JsonType(), nullable=False),
        sa.Column("id", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("account_id", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("livemode", sa.Boolean(), nullable=False),
        sa.Column("created", seikyu.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prices")),
    )
    with op.batch_alter_table("prices", schema=None) as batch_op:
        batch_op.create_index(
            "ix_prices_account_page", ["account_id", "livemode", "id"], unique=False
        )
        batch_op.create_index(
            "ix_prices_account_product",
            ["account_id", "livemode", "product_id", "id"],
            unique=False,
        )
        batch_op.create_index(
            "uq_prices_lookup_key", ["account_id", "livemode", "lookup_key"], unique=True
        )


def downgrade() -> None:
    with op.batch_alter_table("prices", schema=None) as batch_op:
        batch_op.drop_index("uq_prices_lookup_key")
        batch_op.drop_index("ix_prices_account_product")
        batch_op.drop_index("ix_prices_account_page")
    op.drop_table("prices")
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.drop_index("ix_products_account_url")
        batch_op.drop_index("ix_products_account_page")
    op.drop_table("products")
