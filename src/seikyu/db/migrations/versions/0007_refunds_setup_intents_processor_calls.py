"""refunds setup intents processor calls

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import seikyu.db.types


revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "processor_calls",
        sa.Column("idempotency_key", sa.String(length=255), nullable=False),
        sa.Column("account_id", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("livemode", sa.Boolean(), nullable=False),
        sa.Column("operation", sa.String(length=16), nullable=False),
        sa.Column("subject_id", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("request", seikyu.db.types.JsonType(), nullable=False),
        sa.Column("sent_at", seikyu.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("settled", sa.Boolean(), nullable=False),
        sa.Column("resolution", sa.String(length=32), nullable=True),
        sa.Column("settled_at", seikyu.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("idempotency_key", name=op.f("pk_processor_calls")),
    )
    with op.batch_alter_table("processor_calls", schema=None) as batch_op:
        batch_op.create_index("ix_processor_calls_open", ["settled", "sent_at"], unique=False)

    op.create_table(
        "setup_intents",
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("customer_id", seikyu.db.types.IdString(length=64), nullable=True),
        sa.Column("payment_method_id", seikyu.db.types.IdString(length=64), nullable=True),
        sa.Column("usage", sa.String(length=16), nullable=False),
        sa.Column("client_secret", sa.String(length=128), nullable=False),
        sa.Column("last_setup_error", seikyu.db.types.JsonType(), nullable=True),
        sa.Column("next_action", seikyu.db.types.JsonType(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("canceled_at", seikyu.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("cancellation_reason", sa.String(length=32), nullable=True),
        sa.Column("description", sa.String(length=1000), nullable=True),
        sa.Column("payment_method_types", seikyu.db.types.JsonType(), nullable=False),
        sa.Column("metadata", seikyu.db.types.JsonType(), nullable=False),
        sa.Column("id", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("account_id", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("livemode", sa.Boolean(), nullable=False),
        sa.Column("created", seikyu.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_setup_intents_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["payment_method_id"],
            ["payment_methods.id"],
            name=op.f("fk_setup_intents_payment_method_id_payment_methods"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_setup_intents")),
    )
    with op.batch_alter_table("setup_intents", schema=None) as batch_op:
        batch_op.create_index(
            "ix_setup_intents_account_page", ["account_id", "livemode", "id"], unique=False
        )
        batch_op.create_index("ix_setup_intents_customer_page", ["customer_id", "id"], unique=False)
        batch_op.create_index(
            "ix_setup_intents_payment_method_page", ["payment_method_id", "id"], unique=False
        )

    op.create_table(
        "refunds",
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("charge_id", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("payment_intent_id", seikyu.db.types.IdString(length=64), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=True),
        sa.Column("failure_reason", sa.String(length=64), nullable=True),
        sa.Column("description", sa.String(length=1000), nullable=True),
        sa.Column("instructions_email", sa.String(length=800), nullable=True),
        sa.Column("processor_reference", sa.String(length=128), nullable=True),
        sa.Column("metadata", seikyu.db.types.JsonType(), nullable=False),
        sa.Column("id", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("account_id", seikyu.db.types.IdString(length=64), nullable=False),
        sa.Column("livemode", sa.Boolean(), nullable=False),
        sa.Column("created", seikyu.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["charge_id"], ["charges.id"], name=op.f("fk_refunds_charge_id_charges")
        ),
        sa.ForeignKeyConstraint(
            ["payment_intent_id"],
            ["payment_intents.id"],
            name=op.f("fk_refunds_payment_intent_id_payment_intents"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refunds")),
    )
    with op.batch_alter_table("refunds", schema=None) as batch_op:
        batch_op.create_index(
            "ix_refunds_account_page", ["account_id", "livemode", "id"], unique=False
        )
        batch_op.create_index("ix_refunds_charge_page", ["charge_id", "id"], unique=False)
        batch_op.create_index(
            "ix_refunds_payment_intent_page", ["payment_intent_id", "id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("refunds", schema=None) as batch_op:
        batch_op.drop_index("ix_refunds_payment_intent_page")
        batch_op.drop_index("ix_refunds_charge_page")
        batch_op.drop_index("ix_refunds_account_page")

    op.drop_table("refunds")
    with op.batch_alter_table("setup_intents", schema=None) as batch_op:
        batch_op.drop_index("ix_setup_intents_payment_method_page")
        batch_op.drop_index("ix_setup_intents_customer_page")
        batch_op.drop_index("ix_setup_intents_account_page")

    op.drop_table("setup_intents")
    with op.batch_alter_table("processor_calls", schema=None) as batch_op:
        batch_op.drop_index("ix_processor_calls_open")

    op.drop_table("processor_calls")
