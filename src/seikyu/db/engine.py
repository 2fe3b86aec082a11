"""Engines for the embedded SQLite file and for PostgreSQL, configured for durability."""

from __future__ import annotations

import os
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import NullPool

DEFAULT_URL = "sqlite:///seikyu.db"
READONLY = "seikyu_readonly"


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


def make_engine(url: str, *, pool_size: int = 10) -> Engine:
    url = normalize_url(url)
    if is_sqlite(url):
        return _sqlite_engine(url, pool_size)
    return create_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        isolation_level="READ COMMITTED",
    )


def _sqlite_engine(url: str, pool_size: int) -> Engine:
    memory = url in ("sqlite://", "sqlite:///:memory:")
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
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Readers start a deferred transaction and never wait for the writer (WAL).
        # A reader needs no BEGIN at all: in WAL mode each of its statements sees a
        # committed snapshot, and skipping BEGIN/COMMIT halves the cost of a small read.
        if not connection.get_execution_options().get(READONLY, False):
            connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine
