"""radar value list items: an index by account, mode and value, for screening's lookups

Revision ID: 0017
Revises: 0016
"""

from __future__ import annotations

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_radar_value_list_items_account_value",
        "radar_value_list_items",
        ["account_id", "livemode", "value"],
    )


def downgrade() -> None:
    op.drop_index("ix_radar_value_list_items_account_value", table_name="radar_value_list_items")
