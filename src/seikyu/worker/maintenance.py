"""Housekeeping that keeps tables bounded: expired idempotency keys."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from seikyu.db.uow import Database
from seikyu.requests import repository as store

log = logging.getLogger("seikyu.worker")

IDEMPOTENCY_RETENTION = timedelta(hours=24)


def prune_idempotency_keys(db: Database) -> int:
    with db.unit() as uow:
        return store.prune_keys(uow.session, uow.now - IDEMPOTENCY_RETENTION)


class MaintenanceThread(threading.Thread):
    """Runs the housekeeping jobs every `interval` seconds until stopped."""

    def __init__(self, db: Database, interval: float = 300.0) -> None:
        super().__init__(name="seikyu-maintenance", daemon=True)
        self._db = db
        self._interval = interval
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.wait(self._interval):
            try:
                pruned = prune_idempotency_keys(self._db)
                if pruned:
                    log.info("pruned %d expired idempotency keys", pruned)
            except Exception:
                log.exception("maintenance run failed; retrying next interval")

    def stop(self) -> None:
        self._stop_event.set()
