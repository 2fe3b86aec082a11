"""meter_events: read by hour, in arrival order

The index for the partial hours at a period's edges was keyed by timestamp. Events that
arrive out of order within their hour then go anywhere in their customer's range of the
index, so each event of a group wrote a page of its own: on SQLite, keeping that index
up was most of the cost of storing an event. Keyed by the hour, a customer's events are
kept in arrival order within it (by rowid on SQLite, by heap position in PostgreSQL's
deduplicated entries), so they land at the end of their hour.

It rewrites every stored event: on the 2-core machine, about 7 s a million on PostgreSQL
and 2 s on SQLite, measured over 1,000,000 events.

Revision ID: 0019
Revises: 0018
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_meter_events_usage", table_name="meter_events")
    op.add_column("meter_events", sa.Column("hour", sa.BigInteger(), nullable=True))
    # The floor of the hour for negative times too: both databases' % keeps the sign.
    op.execute(
        'UPDATE meter_events SET hour = "timestamp" - ((("timestamp" % 3600) + 3600) % 3600)'
    )
    with op.batch_alter_table("meter_events") as batch:
        batch.alter_column("hour", existing_type=sa.BigInteger(), nullable=False)
    op.create_index("ix_meter_events_usage", "meter_events", ["meter_id", "customer_id", "hour"])


def downgrade() -> None:
    op.drop_index("ix_meter_events_usage", table_name="meter_events")
    with op.batch_alter_table("meter_events") as batch:
        batch.drop_column("hour")
    op.create_index(
        "ix_meter_events_usage", "meter_events", ["meter_id", "customer_id", "timestamp"]
    )
