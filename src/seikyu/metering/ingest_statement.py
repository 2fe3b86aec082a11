"""A group of meter event requests written in one statement, on PostgreSQL.

Nearly every group is new events under new Idempotency-Keys. For such a group, everything
it writes (the events, their hours' rollups, one log line per request, the responses kept
for the keys) goes in one statement on a connection that commits each statement on its
own (the event loop's, see loop_writer): one round trip, its commit included, where a
transaction takes four (BEGIN, the events, the keys and log lines, COMMIT).

The responses are decided before the statement runs, on the assumption that every
identifier of a strict request (v1, a single v2 event) and every key is new. The statement
checks the assumption itself: such an identifier or key stored before is a unique
violation, which fails the statement whole, and the group is then written again by the
ingester's threads in a transaction that looks first (`KeyTakenMeanwhile`). A stream's
duplicates are skipped as always, since its response does not depend on them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson
import psycopg
from psycopg import AsyncConnection
from psycopg.rows import TupleRow

from seikyu.metering.event_storage import EventRow, events_from_json, rollups_from, sorted_rows
from seikyu.metering.ingest_idempotency import KeyTakenMeanwhile
from seikyu.metering.ingest_repository import LOGS_FROM_JSON, keys_from_json, keys_json


def _compact(sql: str) -> str:
    """The statement without indentation and comment lines: psycopg parses a statement of
    up to 4,096 characters once and caches it, and parses a longer one at every group."""
    lines = (line.strip() for line in sql.splitlines())
    return "\n".join(line for line in lines if line and not line.startswith("--"))


SQL = _compact(f"""
    WITH {events_from_json("strict_new", skip_duplicates=False)},
    {events_from_json("stream_new", skip_duplicates=True)},
    new AS (SELECT * FROM strict_new UNION ALL SELECT * FROM stream_new),
    {rollups_from("new")},
    {LOGS_FROM_JSON},
    {keys_from_json(skip_taken=False)}
    SELECT count(*) FROM new
""")  # noqa: S608


# The statement's parameters: strict events, stream events, log lines, keys, as JSON.
GroupParams = tuple[str, str, str, str]


def params(
    *,
    strict: Sequence[EventRow],
    stream: Sequence[EventRow],
    keys: list[dict[str, Any]],
    logs: list[dict[str, Any]],
) -> GroupParams:
    return (
        orjson.dumps(sorted_rows(strict)).decode(),
        orjson.dumps(sorted_rows(stream)).decode(),
        orjson.dumps(logs).decode(),
        keys_json(keys),
    )


async def store_group(connection: AsyncConnection[TupleRow], group: GroupParams) -> None:
    """Write the group in one statement, on a connection that commits each statement itself
    (the event loop's, see loop_writer). Raises `KeyTakenMeanwhile`, having written
    nothing, when a strict event's identifier or a key was stored before."""
    try:
        await connection.execute(SQL, group)
    except psycopg.errors.UniqueViolation as error:
        raise KeyTakenMeanwhile from error
