"""WAL checkpoints on SQLite, in a thread of their own.

A checkpoint copies the pages committed to the WAL back into the database file. SQLite
runs one by default in whichever connection commits past 1,000 pages of WAL: that request,
or that group of meter events, waits for the copy and its fsync. Under meter event
ingestion that was nearly always the one writer thread; with the checkpoints out of its
commits, the stream took in 1.17 times as many events a second. The server runs this
thread instead. It checkpoints every `INTERVAL_S` on a connection of its own, in
PASSIVE mode, which never blocks writers or readers. Committing connections still
checkpoint themselves past `engine.WAL_BACKSTOP_PAGES`, so the WAL stays bounded if this
thread falls behind or a process runs without it (a tool, the billing worker).
"""

from __future__ import annotations

import logging
import sqlite3
import threading

log = logging.getLogger("seikyu.db")

INTERVAL_S = 0.25


class Checkpointer:
    def __init__(self, path: str, *, interval: float = INTERVAL_S) -> None:
        self._path = path
        self._interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(
                target=self._run, name="seikyu-sqlite-checkpoints", daemon=True
            )
            self._thread.start()

    def stop(self) -> None:
        thread, self._thread = self._thread, None
        if thread is not None:
            self._stop.set()
            thread.join(10)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        connection = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
        try:
            while not self._stop.wait(self._interval):
                try:
                    checkpoint(connection)
                except sqlite3.Error:
                    log.exception("WAL checkpoint failed; trying again")
        finally:
            connection.close()


def checkpoint(connection: sqlite3.Connection) -> tuple[int, int]:
    """One PASSIVE checkpoint: the WAL's pages, and how many of them are now copied into
    the database file (all, unless a reader still needs an older page or a writer was
    appending). With nothing new in the WAL it costs next to nothing."""
    _busy, wal_pages, copied = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    return int(wal_pages), int(copied)
