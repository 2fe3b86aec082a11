"""Engines for the embedded SQLite file and for PostgreSQL, configured for durability."""

from __future__ import annotations

import os
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.pool import ConnectionPoolEntry, NullPool

from seikyu.core.clock import monotonic

DEFAULT_URL = "sqlite:///seikyu.db"
READONLY = "seikyu_readonly"
# A pooled PostgreSQL connection idle this long is checked before it is handed out.
PING_AFTER_IDLE_S = 1.0
_IDLE_SINCE = "seikyu_idle_since"


def database_url(explicit: str | None = None) -> str:
    return normalize_url(explicit or os.environ.get("SEIKYU_DATABASE_URL") or DEFAULT_URL)


def normalize_url(url: str) -> str:
    """Accept the plain `postgresql://` form people paste, and use psycopg 3 for it."""
    for plain in ("postgresql://", "postgres://"):
        if url.startswith(plain):
            return "postgresql+psycopg://" + url[len(plain) :]
    return url


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def make_engine(
    url: str, *, pool_size: int = 10, ping_after_idle: float = PING_AFTER_IDLE_S
) -> Engine:
    url = normalize_url(url)
    if is_sqlite(url):
        return _sqlite_engine(url, pool_size)
    engine = create_engine(
        url, pool_size=pool_size, max_overflow=pool_size, isolation_level="READ COMMITTED"
    )
    _ping_when_idle(engine, ping_after_idle)
    return engine


def _ping_when_idle(engine: Engine, after: float) -> None:
    """Check a connection that sat in the pool for `after` seconds or more before use.

    A connection that went away while idle (a database restart, an idle timeout on the
    way) is replaced instead of failing a request. SQLAlchemy's own `pool_pre_ping` checks
    every checkout: a round trip for each request and each group of meter events, about a
    fifth of a stream writer's time. A connection back in the pool a moment ago is as
    likely to work as one just checked; if it failed meanwhile, the statement's error
    invalidates the pool's older connections as well."""

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        record.info[_IDLE_SINCE] = monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: ConnectionPoolEntry, _proxy: Any) -> None:
        since = record.info.get(_IDLE_SINCE)
        if since is None or monotonic() - since < after:
            return  # new, or back in the pool only just now
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            # The pool discards the connection and hands out another one.
            raise DisconnectionError(str(error)) from error


# 40 MB of WAL at SQLite's default 4 kB page.
WAL_BACKSTOP_PAGES = 10_000


def sqlite_file(url: str) -> str | None:
    """The database file of a SQLite URL; None for an in-memory database."""
    database = make_url(url).database
    return None if not database or database == ":memory:" else database


def _sqlite_engine(url: str, pool_size: int) -> Engine:
    memory = sqlite_file(url) is None
    kwargs: dict[str, Any] = {"connect_args": {"check_same_thread": False, "timeout": 30}}
    if memory:
        kwargs["poolclass"] = NullPool
    else:
        # Enough pooled connections for every request thread: opening one runs PRAGMAs.
        kwargs.update(pool_size=pool_size, max_overflow=pool_size * 2)
    engine = create_engine(url, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # The driver's own transaction handling is off so that BEGIN IMMEDIATE below
        # takes the write lock up front instead of failing on lock upgrade later.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # FULL: a committed request survives power loss, not just a process crash.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        # The server checkpoints the WAL in a thread of its own (db/sqlite_checkpoints.py);
        # a committing connection does so itself only past this many pages, so that a
        # process without that thread still keeps the WAL bounded.
        cursor.execute(f"PRAGMA wal_autocheckpoint={WAL_BACKSTOP_PAGES}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Readers start a deferred transaction and never wait for the writer (WAL).
        # A reader needs no BEGIN at all: in WAL mode each of its statements sees a
        # committed snapshot, and skipping BEGIN/COMMIT halves the cost of a small read.
        if not connection.get_execution_options().get(READONLY, False):
            connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine
