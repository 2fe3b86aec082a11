"""SQLite's WAL is checkpointed by a thread of the server's own, off the writers' path;
committing connections checkpoint themselves only past a 10,000-page backstop."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

from seikyu.app import _checkpointer
from seikyu.db.engine import WAL_BACKSTOP_PAGES, make_engine, sqlite_file
from seikyu.db.sqlite_checkpoints import Checkpointer, checkpoint
from seikyu.db.uow import Database

ROWS = 2000
ROW_BYTES = 1000


def wal_database(path: Path) -> sqlite3.Connection:
    """A WAL database whose connection never checkpoints on its own: only a checkpoint
    puts pages into the database file."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA wal_autocheckpoint=0")
    connection.execute("CREATE TABLE t (body BLOB)")
    return connection


def write_rows(connection: sqlite3.Connection) -> None:
    connection.execute("BEGIN")
    connection.executemany(
        "INSERT INTO t VALUES (?)", ((os.urandom(ROW_BYTES),) for _ in range(ROWS))
    )
    connection.execute("COMMIT")


def test_the_thread_copies_committed_pages_into_the_database_file(tmp_path: Path) -> None:
    path = tmp_path / "wal.db"
    writer = wal_database(path)
    write_rows(writer)
    before = path.stat().st_size
    assert before < ROWS * ROW_BYTES  # the rows are in the WAL only
    checkpointer = Checkpointer(str(path), interval=0.01)
    checkpointer.start()
    try:
        deadline = time.monotonic() + 10
        while path.stat().st_size < ROWS * ROW_BYTES and time.monotonic() < deadline:
            time.sleep(0.01)
        assert checkpointer.running
    finally:
        checkpointer.stop()
    assert path.stat().st_size >= ROWS * ROW_BYTES
    assert not checkpointer.running
    writer.close()


def test_a_checkpoint_reports_the_pages_it_copied(tmp_path: Path) -> None:
    path = tmp_path / "wal.db"
    writer = wal_database(path)
    write_rows(writer)
    reader = sqlite3.connect(path, isolation_level=None)
    wal_pages, copied = checkpoint(reader)
    assert wal_pages > ROWS * ROW_BYTES // 4096
    assert copied == wal_pages
    reader.close()
    writer.close()


def test_committing_connections_checkpoint_only_past_the_backstop(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'seikyu.db'}"
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            pages = connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar()
    finally:
        engine.dispose()
    assert pages == WAL_BACKSTOP_PAGES


def test_the_server_checkpoints_a_sqlite_file_only(db: Database) -> None:
    made = _checkpointer(db)
    assert isinstance(made, Checkpointer) if db.is_sqlite else made is None
    assert sqlite_file("sqlite://") is None
    assert sqlite_file("sqlite:///:memory:") is None
