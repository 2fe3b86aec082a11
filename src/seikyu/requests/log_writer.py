"""Request-log rows for read requests, written in batches off the request path.

A write request logs itself inside its own transaction, atomically with its effects. A read
request has nothing else to commit, and a commit per read would put every GET behind the
database's write lock and an fsync; so reads hand their log row to this writer, which
inserts them in batches. The cost: a hard crash can lose the last few tens of
milliseconds of read-request log lines (never a write's).
"""

from __future__ import annotations

import logging
import queue
import threading
from typing import Any

from seikyu.core.clock import monotonic
from seikyu.db.uow import Database
from seikyu.requests import repository

log = logging.getLogger("seikyu.requests")

_STOP = object()


class RequestLogWriter:
    def __init__(self, db: Database, *, max_delay: float = 0.05, max_batch: int = 500) -> None:
        self._db = db
        self._max_delay = max_delay
        self._max_batch = max_batch
        self._queue: queue.Queue[object] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="seikyu-request-log", daemon=True)
        self._started = False

    def start(self) -> None:
        if not self._started:
            self._started = True
            self._thread.start()

    def submit(self, row: dict[str, Any]) -> None:
        if not self._started:
            self._write([row])  # not running (tools, tests): write at once
            return
        self._queue.put(row)

    def close(self, timeout: float = 10.0) -> None:
        """Write what is queued, then stop."""
        if self._started:
            self._queue.put(_STOP)
            self._thread.join(timeout)
            self._started = False

    def _run(self) -> None:
        stopping = False
        while not stopping:
            first = self._queue.get()
            if first is _STOP:
                return
            batch = [first]
            deadline = monotonic() + self._max_delay
            try:
                while len(batch) < self._max_batch:
                    item = self._queue.get(timeout=max(0.0, deadline - monotonic()))
                    if item is _STOP:
                        stopping = True
                        break
                    batch.append(item)
            except queue.Empty:
                pass
            self._write([row for row in batch if isinstance(row, dict)])

    def _write(self, rows: list[dict[str, Any]]) -> None:
        try:
            with self._db.unit() as uow:
                repository.add_logs(uow.session, rows)
        except Exception:
            log.exception("could not write %d request log rows", len(rows))
