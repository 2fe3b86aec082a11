"""SQL that stores a group's meter events and adds them to the hourly rollups.

On PostgreSQL it is one statement: the events go in as one JSON parameter (orjson writes
it in C; binding eight arrays of Python values cost 0.8 ms more for 800 events), the
duplicates are skipped by the unique identifier, and the rows actually inserted are
summed per (meter, customer, hour) into the rollups by the same statement, so the events
make one round trip and no Python object each after the insert. SQLite has no
data-modifying CTE: there a second statement sums the rows the first inserted into the
rollups. Both take the same rows and give the same rollups; the tests check them against
the raw events on both databases.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from seikyu.metering.domain.aggregation import HOUR, hour_floor


@dataclass(slots=True)
class EventRow:
    # Field names are the columns': orjson writes them as the JSON keys PostgreSQL reads.
    # Not frozen: a frozen dataclass costs three times as much to build, once per event.
    account_id: str
    livemode: bool
    meter_id: str
    customer_id: str
    identifier: str
    timestamp: int
    value: int
    received: int


# (account_id, livemode, identifier) of each row actually inserted.
Inserted = set[tuple[str, bool, str]]

# The rollup's max and last: a NULL (an hour whose events were all canceled) is empty,
# and the last event is the one with the latest (timestamp, seq).
_ROLLUP_MERGE = """
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

_ROLLUP_COLUMNS = (
    "(meter_id, customer_id, bucket, sum_value, event_count, max_value, last_value,"
    " last_timestamp, last_seq)"
)

# The hour an event falls in, stored with it and its rollup's bucket: the floor of the
# hour, as `hour_floor` computes it, negative times included. Only constants and parameter
# placeholders are formatted into these statements; every value is bound.
_HOUR_OF_TIMESTAMP = f'"timestamp" - mod(mod("timestamp", {HOUR}) + {HOUR}, {HOUR})'


def events_from_json(name: str, *, skip_duplicates: bool) -> str:
    """A data-modifying CTE `name` inserting the events of one JSON parameter (EventRow
    objects as orjson writes them) and returning those inserted. Without
    `skip_duplicates`, an identifier stored before fails the whole statement."""
    conflict = (
        "ON CONFLICT (account_id, livemode, identifier) DO NOTHING" if skip_duplicates else ""
    )
    return f"""
    {name} AS (
        INSERT INTO meter_events
            (account_id, livemode, meter_id, customer_id, identifier, "timestamp", hour,
             value, received, canceled)
        SELECT account_id, livemode, meter_id, customer_id, identifier, "timestamp",
            {_HOUR_OF_TIMESTAMP}, value, received, false
        FROM json_to_recordset(%s::json) AS e(
            account_id varchar, livemode boolean, meter_id varchar, customer_id varchar,
            identifier varchar, "timestamp" bigint, value bigint, received bigint)
        {conflict}
        RETURNING seq, account_id, livemode, identifier, meter_id, customer_id,
            "timestamp", hour, value
    )"""  # noqa: S608


def rollups_from(source: str) -> str:
    """A data-modifying CTE adding the events returned by the CTE `source` to their hours'
    rollups."""
    return f"""
    hours AS (
        INSERT INTO meter_rollups AS r {_ROLLUP_COLUMNS}
        SELECT meter_id, customer_id, hour AS bucket, sum(value), count(*), max(value),
            (array_agg(value ORDER BY "timestamp" DESC, seq DESC))[1],
            max("timestamp"),
            (array_agg(seq ORDER BY "timestamp" DESC, seq DESC))[1]
        FROM {source}
        GROUP BY meter_id, customer_id, bucket
        -- In key order, so two groups written at once lock rollups in the same order.
        ORDER BY meter_id, customer_id, bucket
        {_ROLLUP_MERGE}
    )"""  # noqa: S608


_PG_STORE = f"""
    WITH {events_from_json("new", skip_duplicates=True)}, {rollups_from("new")}
    -- Only a strict request's events are asked after: a stream drops duplicates silently.
    SELECT account_id, livemode, identifier FROM new WHERE identifier = ANY(%s::varchar[])
"""  # noqa: S608

# Only placeholders are formatted into it; every value is bound.
_SQLITE_INSERT = (
    "INSERT INTO meter_events (account_id, livemode, meter_id, customer_id, identifier, "
    '"timestamp", hour, value, received, canceled) VALUES {values} '
    "ON CONFLICT (account_id, livemode, identifier) DO NOTHING"
)
# Ten columns a row: well under SQLite's limit of 32,766 bound parameters a statement.
_SQLITE_ROWS_PER_STATEMENT = 1000

_SQLITE_LAST_SEQ = "SELECT max(seq) FROM meter_events"

# The rows after a seq, summed into their hours' rollups: the rows a group inserted, since
# its transaction holds SQLite's only write lock. An hour's last event is the one with the
# latest (timestamp, seq). NOT INDEXED: the rows are found by seq, while the planner
# would rather walk the whole usage index to skip sorting the window's partitions.
# `WHERE true` keeps SQLite from reading ON CONFLICT as a join's.
_SQLITE_ROLLUP = f"""
    INSERT INTO meter_rollups AS r {_ROLLUP_COLUMNS}
    SELECT meter_id, customer_id, hour, sum(value), count(*), max(value),
        max(CASE WHEN latest = 1 THEN value END), max("timestamp"),
        max(CASE WHEN latest = 1 THEN seq END)
    FROM (
        SELECT meter_id, customer_id, hour, value, "timestamp", seq,
            row_number() OVER (
                PARTITION BY meter_id, customer_id, hour ORDER BY "timestamp" DESC, seq DESC
            ) AS latest
        FROM meter_events NOT INDEXED WHERE seq > ?
    )
    WHERE true
    GROUP BY meter_id, customer_id, hour
    {_ROLLUP_MERGE}
"""  # noqa: S608

_SQLITE_INSERTED = "SELECT account_id, livemode, identifier FROM meter_events WHERE seq > ?"


def store_events(
    session: Session, rows: Sequence[EventRow], asked: Collection[str] = ()
) -> Inserted:
    """Insert the rows whose identifier is new to their account and mode, and add them to
    their hours' rollups; the rest are duplicates and are left out. Returns those inserted
    whose identifier is among `asked`."""
    if not rows:
        return set()
    # Driver SQL through SQLAlchemy's connection: no compiling, and a deadlock still comes
    # out as the OperationalError the ingester retries on.
    connection = session.connection()
    rows = sorted_rows(rows)
    if session.get_bind().dialect.name == "postgresql":
        result = connection.exec_driver_sql(_PG_STORE, (orjson.dumps(rows).decode(), list(asked)))
        return {(a, bool(lm), i) for a, lm, i in result}
    return _store_sqlite(connection, rows, asked)


def _store_sqlite(
    connection: Connection, rows: Sequence[EventRow], asked: Collection[str]
) -> Inserted:
    """Nothing of the rows comes back to Python: SQLite sums the rollups from the rows
    after the last seq stored before. Fetching each inserted row's seq and summing the
    rows in Python took about a sixth of the writer's time at 40,000 events a second."""
    before = connection.exec_driver_sql(_SQLITE_LAST_SEQ).scalar() or 0
    stored = 0
    for start in range(0, len(rows), _SQLITE_ROWS_PER_STATEMENT):
        chunk = rows[start : start + _SQLITE_ROWS_PER_STATEMENT]
        values = ",".join(["(?,?,?,?,?,?,?,?,?,0)"] * len(chunk))
        params: list[Any] = []
        for r in chunk:
            params += (
                r.account_id,
                int(r.livemode),
                r.meter_id,
                r.customer_id,
                r.identifier,
                r.timestamp,
                hour_floor(r.timestamp),
                r.value,
                r.received,
            )
        insert = _SQLITE_INSERT.format(values=values)
        stored += connection.exec_driver_sql(insert, tuple(params)).rowcount
    if stored:
        connection.exec_driver_sql(_SQLITE_ROLLUP, (before,))
    wanted = set(asked)
    if not wanted:
        return set()
    if stored == len(rows):  # no duplicates: every row went in
        return {(r.account_id, r.livemode, r.identifier) for r in rows if r.identifier in wanted}
    found = connection.exec_driver_sql(_SQLITE_INSERTED, (before,))
    return {(a, bool(lm), i) for a, lm, i in found if i in wanted}


def sorted_rows(rows: Sequence[EventRow]) -> list[EventRow]:
    """In key order, so that two groups written at once wait for each other's identifiers
    in the same order and cannot deadlock."""
    return sorted(rows, key=_identifier_key)


def _identifier_key(row: EventRow) -> tuple[str, bool, str]:
    return (row.account_id, row.livemode, row.identifier)
