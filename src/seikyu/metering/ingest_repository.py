"""SQL for ingesting meter events: the batched look-ups that keep the hot path free of
per-event queries, idempotency keys, log lines, cancellations and sessions. The events
themselves and their rollups are stored by `event_storage`."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import delete, insert, select, update
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session

from seikyu.db.base import Base
from seikyu.db.models import Customer, IdempotencyKey
from seikyu.db.models.billing_meters import BillingMeter
from seikyu.db.models.meter_event_sessions import MeterEventSession
from seikyu.db.models.meter_events import MeterEvent
from seikyu.db.models.meter_rollups import MeterRollup
from seikyu.db.models.test_clocks import TestClock
from seikyu.metering.domain.aggregation import Usage

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
    return dict(rows.all())


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


def add_keys_and_logs(
    session: Session, keys: list[dict[str, Any]], logs: list[dict[str, Any]]
) -> set[tuple[str, bool, str]]:
    """Insert the keys no other transaction holds, and one log line per request (as the
    request log keeps them); returns the keys inserted. A key missing from the answer was
    stored meanwhile by another transaction."""
    if session.get_bind().dialect.name != "postgresql":
        if logs:
            session.execute(insert(_LOGS), logs)
        # In key order, as events are (see event_storage), so that two groups cannot
        # deadlock.
        return _insert_new_keys(
            session, sorted(keys, key=lambda r: (r["account_id"], r["livemode"], r["key"]))
        )
    # One statement and one round trip for both: orjson writes the rows as JSON, where
    # SQLAlchemy's per-row parameter handling for two multi-row INSERTs cost more.
    # SQLAlchemy still wraps a driver error, so a deadlock is an OperationalError to retry.
    result = session.connection().exec_driver_sql(
        _PG_KEYS_AND_LOGS, (orjson.dumps(logs).decode(), keys_json(keys))
    )
    return {(a, bool(lm), k) for a, lm, k in result}


# A JSON null is stored as SQL NULL, as the request pipeline's log writer stores it.
LOGS_FROM_JSON = """
    logged AS (
        INSERT INTO request_logs
            (id, account_id, livemode, created, method, path, status, duration_us,
             api_key_id, idempotency_key, object_id, error, error_type, stripe_version,
             source_ip, user_agent, params)
        SELECT id, account_id, livemode, created, method, path, status, duration_us,
             api_key_id, idempotency_key, object_id, error, error_type, stripe_version,
             source_ip, user_agent, params
        FROM json_to_recordset(%s::json) AS l(
            id varchar, account_id varchar, livemode boolean, created timestamptz,
            method varchar, path varchar, status integer, duration_us integer,
            api_key_id varchar, idempotency_key varchar, object_id varchar, error jsonb,
            error_type varchar, stripe_version varchar, source_ip varchar,
            user_agent varchar, params jsonb)
    )"""


def keys_from_json(*, skip_taken: bool) -> str:
    """A data-modifying CTE `kept` inserting the idempotency keys of one JSON parameter
    (`keys_json`) and returning those inserted. Without `skip_taken`, a key stored before
    fails the whole statement."""
    conflict = "ON CONFLICT (account_id, livemode, key) DO NOTHING" if skip_taken else ""
    return f"""
    kept AS (
        INSERT INTO idempotency_keys
            (account_id, livemode, key, created, request_fingerprint, method, path, status,
             body, request_id)
        SELECT account_id, livemode, key, created, request_fingerprint, method, path,
            status, convert_to(body, 'UTF8'), request_id
        FROM json_to_recordset(%s::json) AS k(
            account_id varchar, livemode boolean, key varchar, created timestamptz,
            request_fingerprint varchar, method varchar, path varchar, status integer,
            body text, request_id varchar)
        {conflict}
        RETURNING account_id, livemode, key
    )"""  # noqa: S608


def keys_json(keys: list[dict[str, Any]]) -> str:
    """The keys as `keys_from_json` reads them, in key order, as events are (see
    event_storage), so that two groups cannot deadlock."""
    ordered = sorted(keys, key=lambda r: (r["account_id"], r["livemode"], r["key"]))
    return orjson.dumps([{**row, "body": row["body"].decode()} for row in ordered]).decode()


_PG_KEYS_AND_LOGS = f"""
    WITH {LOGS_FROM_JSON}, {keys_from_json(skip_taken=True)}
    SELECT account_id, livemode, key FROM kept
"""  # noqa: S608


def _insert_new_keys(session: Session, rows: list[dict[str, Any]]) -> set[tuple[str, bool, str]]:
    if not rows:
        return set()
    table = _KEYS
    stmt = (
        sqlite.insert(table)
        .on_conflict_do_nothing(index_elements=["account_id", "livemode", "key"])
        .returning(table.c.account_id, table.c.livemode, table.c.key)
    )
    # SQLAlchemy sends the rows as one multi-row INSERT ("insertmanyvalues").
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
