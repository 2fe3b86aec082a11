"""payment intents and charges

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import seikyu.db.types


revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "payment_intents",
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("customer_id", seikyu.db.types.IdString(length=64), nullable=True),
        sa.Column("payment_method_id", seikyu.db.types.IdString(length=64), nullable=True),
        sa.Column("capture_method", sa.String(length=32), nullable=False),
        sa.Column("confirmation_method", sa.String(length=16), nullable=False),
        sa.Column("setup_future_usage", sa.String(length=16), nullable=True),
        sa.Column("off_session", sa.Boolean(), nullable=False),
        sa.Column("client_secret", sa.String(length=128), nullable=False),
        sa.Column("amount_capturable", sa.BigInteger(), nullable=False),
        sa.Column("amount_received", sa.BigInteger(), nullable=False),
        sa.Column("latest_charge_id", seikyu.db.types.IdString(length=64), nullable=True),
        sa.Column("last_payment_error", seikyu.db.types.JsonType(), nullable=True),
        sa.Column("next_action", seikyu.db.types.JsonType(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("canceled_at", seikyu.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("cancellation_reason", sa.String(length=32), nullable=True),
        sa.Column("description", sa.String(length=1000), nullable=True),
        sa.Column("receipt_email", sa.String(length=800), nullable=True),
        sa.Column("statement_descriptor", sa.String(length=22), nullable=True),
        sa.Column("statement_descriptor_suffix", sa.String(length=22), nullable=True),
        sa.Column("payment_method_types", seikyu.db.types.JsonType(), nullable=False),
        sa.Column("shipping", seikyu.db.types.JsonType(), nullable=True),
        sa.Column("metadata", seikyu.db.types.JsonType(), nullable=False),
        sa.Column("id", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("account_id", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("livemode", sa.Boolean(), nullable=False),
        sa.Column("created", seikyu.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_payment_intents_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["payment_method_id"],
            ["payment_methods.id"],
            name=op.f("fk_payment_intents_payment_method_id_payment_methods"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_intents")),
    )
    with op.batch_alter_table("payment_intents", schema=None) as batch_op:
        batch_op.create_index(
            "ix_payment_intents_account_page", ["account_id", "livemode", "id"], unique=False
        )
        batch_op.create_index(
            "ix_payment_intents_customer_page", ["customer_id", "id"], unique=False
        )

    op.create_table(
        "charges",
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("amount_captured", sa.BigInteger(), nullable=False),
        sa.Column("amount_refunded", sa.BigInteger(), nullable=False),
        sa.Column("captured", sa.Boolean(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("customer_id", seikyu.db.types.IdString(length=64), nullable=True),
        sa.Column("payment_intent_id", seikyu.db.types.IdString(length=64), nullable=True),
        sa.Column("payment_method_id", seikyu.db.types.IdString(length=64), nullable=True),
        sa.Column("failure_code", sa.String(length=64), nullable=True),
        sa.Column("failure_message", sa.String(length=500), nullable=True),
        sa.Column("outcome", seikyu.db.types.JsonType(), nullable=True),
        sa.Column("payment_method_details", seikyu.db.types.JsonType(), nullable=False),
        sa.Column("billing_details", seikyu.db.types.JsonType(), nullable=False),
        sa.Column("processor_reference", sa.String(length=128), nullable=True),
        sa.Column("description", sa.String(length=1000), nullable=True),
        sa.Column("receipt_email", sa.String(length=800), nullable=True),
        sa.Column("statement_descriptor", sa.String(length=22), nullable=True),
        sa.Column("metadata", seikyu.db.types.JsonType(), nullable=False),
        sa.Column("id", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("account_id", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("livemode", sa.Boolean(), nullable=False),
        sa.Column("created", seikyu.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_charges_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["payment_intent_id"],
            ["payment_intents.id"],
            name=op.f("fk_charges_payment_intent_id_payment_intents"),
        ),
        sa.ForeignKeyConstraint(
            ["payment_method_id"],
            ["payment_methods.id"],
            name=op.f("fk_charges_payment_method_id_payment_methods"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_charges")),
    )
    with op.batch_alter_table("charges", schema=None) as batch_op:
        batch_op.create_index(
            "ix_charges_account_page", ["account_id", "livemode", "id"], unique=False
        )
        batch_op.create_index("ix_charges_customer_page", ["customer_id", "id"], unique=False)
        batch_op.create_index(
            "ix_charges_payment_intent", ["payment_intent_id", "id"], unique=False
        )

    with op.batch_alter_table("payment_methods", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "set_up_for_off_session", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("payment_methods", schema=None) as batch_op:
        batch_op.drop_column("set_up_for_off_session")

    with op.batch_alter_table("charges", schema=None) as batch_op:
        batch_op.drop_index("ix_charges_payment_intent")
        batch_op.drop_index("ix_charges_customer_page")
        batch_op.drop_index("ix_charges_account_page")

    op.drop_table("charges")
    with op.batch_alter_table("payment_intents", schema=None) as batch_op:
        batch_op.drop_index("ix_payment_intents_customer_page")
        batch_op.drop_index("ix_payment_intents_account_page")

    op.drop_table("payment_intents")
