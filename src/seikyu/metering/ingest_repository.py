"""SQL for ingesting meter events: bulk inserts that skip duplicates, rollup upserts, and
the batched look-ups that keep the hot path free of per-event queries."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from seikyu.db.base import Base
from seikyu.db.models import Customer, IdempotencyKey
from seikyu.db.models.billing_meters import BillingMeter
from seikyu.db.models.meter_event_sessions import MeterEventSession
from seikyu.db.models.meter_events import MeterEvent
from seikyu.db.models.meter_rollups import MeterRollup
from seikyu.db.models.test_clocks import TestClock
from seikyu.metering.domain.aggregation import Usage
from seikyu.metering.domain.rollup_deltas import RollupDelta


@dataclass(frozen=True, slots=True)
class EventRow:
    account_id: str
    livemode: bool
    meter_id: str
    customer_id: str
    identifier: str
    timestamp: int
    value: int
    received: int


# (account_id, livemode, identifier) -> seq of each row actually inserted.
Inserted = dict[tuple[str, bool, str], int]

_PG_INSERT = """
    INSERT INTO meter_events
        (account_id, livemode, meter_id, customer_id, identifier, "timestamp", value,
         received, canceled)
    SELECT a, l, m, c, i, t, v, r, false
    FROM unnest(
        %b::varchar[], %b::boolean[], %b::varchar[], %b::varchar[], %b::varchar[],
        %b::bigint[], %b::bigint[], %b::bigint[]
    ) AS u(a, l, m, c, i, t, v, r)
    ON CONFLICT (account_id, livemode, identifier) DO NOTHING
    RETURNING seq, account_id, livemode, identifier
"""

# Only placeholders are formatted into it; every value is bound.
_SQLITE_INSERT = (
    "INSERT INTO meter_events (account_id, livemode, meter_id, customer_id, identifier, "
    '"timestamp", value, received, canceled) VALUES {values} '
    "ON CONFLICT (account_id, livemode, identifier) DO NOTHING "
    "RETURNING seq, account_id, livemode, identifier"
)
# Nine columns a row: well under SQLite's limit of 32,766 bound parameters a statement.
_SQLITE_ROWS_PER_STATEMENT = 1000


def insert_events(session: Session, rows: Sequence[EventRow]) -> Inserted:
    """Insert the rows whose identifier is new to their account and mode, in one statement
    (PostgreSQL) or a few (SQLite); the rest are duplicates and are left out."""
    if not rows:
        return {}
    connection = session.connection().connection.driver_connection
    assert connection is not None
    if session.get_bind().dialect.name == "postgresql":
        # In key order, so two groups written at once wait for each other's identifiers
        # in the same order and cannot deadlock.
        rows = sorted(rows, key=lambda r: (r.account_id, r.livemode, r.identifier))
        # Binary arrays: psycopg dumps them about a third faster than text ones.
        with connection.cursor(binary=True) as cursor:
            cursor.execute(
                _PG_INSERT,
                [
                    [r.account_id for r in rows],
                    [r.livemode for r in rows],
                    [r.meter_id for r in rows],
                    [r.customer_id for r in rows],
                    [r.identifier for r in rows],
                    [r.timestamp for r in rows],
                    [r.value for r in rows],
                    [r.received for r in rows],
                ],
            )
            return {(a, bool(lm), i): seq for seq, a, lm, i in cursor.fetchall()}
    inserted: Inserted = {}
    for start in range(0, len(rows), _SQLITE_ROWS_PER_STATEMENT):
        chunk = rows[start : start + _SQLITE_ROWS_PER_STATEMENT]
        values = ",".join(["(?,?,?,?,?,?,?,?,0)"] * len(chunk))
        params: list[Any] = []
        for r in chunk:
            params += [
                r.account_id,
                int(r.livemode),
                r.meter_id,
                r.customer_id,
                r.identifier,
                r.timestamp,
                r.value,
                r.received,
            ]
        cursor = connection.execute(_SQLITE_INSERT.format(values=values), params)
        inserted.update({(a, bool(lm), i): seq for seq, a, lm, i in cursor.fetchall()})
    return inserted


_ROLLUP_UPSERT = text(
    """
    INSERT INTO meter_rollups AS r
        (meter_id, customer_id, bucket, sum_value, event_count, max_value, last_value,
         last_timestamp, last_seq)
    VALUES (:meter_id, :customer_id, :bucket, :total, :count, :peak, :last,
            :last_timestamp, :last_seq)
    ON CONFLICT (meter_id, customer_id, bucket) DO UPDATE SET
        sum_value = r.sum_value + excluded.sum_value,
        event_count = r.event_count + excluded.event_count,
        max_value = CASE WHEN r.max_value IS NULL OR excluded.max_value > r.max_value
            THEN excluded.max_value ELSE r.max_value END,
        last_value = CASE WHEN r.last_timestamp IS NULL
            OR (excluded.last_timestamp, excluded.last_seq) > (r.last_timestamp, r.last_seq)
            THEN excluded.last_value ELSE r.last_value END,
        last_timestamp = CASE WHEN r.last_timestamp IS NULL
            OR (excluded.last_timestamp, excluded.last_seq) > (r.last_timestamp, r.last_seq)
            THEN excluded.last_timestamp ELSE r.last_timestamp END,
        last_seq = CASE WHEN r.last_timestamp IS NULL
            OR (excluded.last_timestamp, excluded.last_seq) > (r.last_timestamp, r.last_seq)
            THEN excluded.last_seq ELSE r.last_seq END
    """
)


def add_to_rollups(session: Session, deltas: Sequence[RollupDelta]) -> None:
    """Add each delta to its hour's rollup; `deltas` come sorted by key (see rollup_deltas),
    and the CASEs treat a NULL max/last (an hour whose events were all canceled) as empty."""
    if deltas:
        session.execute(
            _ROLLUP_UPSERT,
            [
                {
                    "meter_id": d.meter_id,
                    "customer_id": d.customer_id,
                    "bucket": d.bucket,
                    "total": d.total,
                    "count": d.count,
                    "peak": d.peak,
                    "last": d.last,
                    "last_timestamp": d.last_timestamp,
                    "last_seq": d.last_seq,
                }
                for d in deltas
            ],
        )


# --- look-ups, batched per account and mode -------------------------------------------


@dataclass(frozen=True, slots=True)
class MeterRow:
    id: str
    event_name: str
    customer_key: str
    value_key: str
    active: bool


def meters_named(
    session: Session, account_id: str, livemode: bool, names: Collection[str]
) -> list[MeterRow]:
    rows = session.execute(
        select(
            BillingMeter.id,
            BillingMeter.event_name,
            BillingMeter.customer_payload_key,
            BillingMeter.value_payload_key,
            BillingMeter.status,
        ).where(
            BillingMeter.account_id == account_id,
            BillingMeter.livemode == livemode,
            BillingMeter.event_name.in_(list(names)),
        )
    )
    return [MeterRow(i, n, c, v, s == "active") for i, n, c, v, s in rows]


def event_name_of_meter(session: Session, meter_id: str) -> str | None:
    return session.scalar(select(BillingMeter.event_name).where(BillingMeter.id == meter_id))


def live_customers(
    session: Session, account_id: str, livemode: bool, ids: Collection[str]
) -> dict[str, str | None]:
    """Each existing, undeleted customer among `ids`, with its test clock if it has one."""
    rows = session.execute(
        select(Customer.id, Customer.test_clock).where(
            Customer.account_id == account_id,
            Customer.livemode == livemode,
            Customer.id.in_(list(ids)),
            Customer.deleted_at.is_(None),
        )
    )
    return dict(rows.tuples().all())


def clock_times(session: Session, clock_ids: Collection[str]) -> dict[str, int]:
    rows = session.execute(
        select(TestClock.id, TestClock.frozen_time).where(TestClock.id.in_(list(clock_ids)))
    )
    return {clock_id: int(frozen.timestamp()) for clock_id, frozen in rows}


# --- idempotency keys, batched ----------------------------------------------------------


# Core tables: the ORM's bulk paths cost more per row than these small rows do.
_KEYS = Base.metadata.tables["idempotency_keys"]
_LOGS = Base.metadata.tables["request_logs"]


@dataclass(frozen=True, slots=True)
class StoredKey:
    id: int
    key: str
    created: datetime
    request_fingerprint: str
    status: int
    body: bytes
    request_id: str


def keys_in_use(
    session: Session, account_id: str, livemode: bool, keys: Collection[str]
) -> list[StoredKey]:
    k = IdempotencyKey
    rows = session.execute(
        select(k.id, k.key, k.created, k.request_fingerprint, k.status, k.body, k.request_id).where(
            k.account_id == account_id, k.livemode == livemode, k.key.in_(list(keys))
        )
    )
    return [StoredKey(*row) for row in rows]


def delete_keys(session: Session, ids: Collection[int]) -> None:
    if ids:
        session.execute(delete(_KEYS).where(IdempotencyKey.id.in_(list(ids))))


def add_logs(session: Session, rows: list[dict[str, Any]]) -> None:
    """One line per request, as the request log keeps them."""
    if rows:
        session.execute(insert(_LOGS), rows)


def insert_new_keys(session: Session, rows: list[dict[str, Any]]) -> set[tuple[str, bool, str]]:
    """Insert the keys no other transaction holds; returns those inserted. A key missing
    from the answer was stored meanwhile by another process."""
    if not rows:
        return set()
    dialect = session.get_bind().dialect.name
    make = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = _KEYS
    stmt = (
        make(table)
        .on_conflict_do_nothing(index_elements=["account_id", "livemode", "key"])
        .returning(table.c.account_id, table.c.livemode, table.c.key)
    )
    # In key order, as events are (see insert_events); SQLAlchemy sends the rows as one
    # multi-row INSERT ("insertmanyvalues").
    rows = sorted(rows, key=lambda r: (r["account_id"], r["livemode"], r["key"]))
    return {(a, bool(lm), k) for a, lm, k in session.execute(stmt, rows)}


# --- cancellations and sessions: a few rows each, not on the hot path -------------------


def event_to_cancel(
    session: Session, account_id: str, livemode: bool, identifier: str
) -> MeterEvent | None:
    return session.scalar(
        select(MeterEvent)
        .where(
            MeterEvent.account_id == account_id,
            MeterEvent.livemode == livemode,
            MeterEvent.identifier == identifier,
        )
        .with_for_update()
    )


def take_from_rollup(session: Session, event: MeterEvent, bucket: int, rest: Usage) -> None:
    """Remove a canceled event from its hour: the sum and count by subtraction, the max and
    last as `rest` (the hour's remaining events, read from raw rows) says."""
    session.execute(
        update(MeterRollup)
        .where(
            MeterRollup.meter_id == event.meter_id,
            MeterRollup.customer_id == event.customer_id,
            MeterRollup.bucket == bucket,
        )
        .values(
            sum_value=MeterRollup.sum_value - event.value,
            event_count=MeterRollup.event_count - 1,
            max_value=rest.peak,
            last_value=rest.last,
            last_timestamp=None if rest.last_at is None else rest.last_at[0],
            last_seq=None if rest.last_at is None else rest.last_at[1],
        )
    )


def session_by_token_hash(session: Session, token_hash: str) -> MeterEventSession | None:
    return session.scalar(
        select(MeterEventSession).where(MeterEventSession.token_hash == token_hash)
    )
