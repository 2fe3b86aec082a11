"""Background jobs of the serving process: housekeeping that keeps tables bounded, and the
settling of processor calls whose outcome was lost."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import timedelta

from seikyu.db.uow import Database
from seikyu.payments.domain.processor import Processor
from seikyu.payments.reconciliation import reconcile
from seikyu.payments.refund_settlement import settle_refunds
from seikyu.requests import repository as store

log = logging.getLogger("seikyu.worker")

IDEMPOTENCY_RETENTION = timedelta(hours=24)


def prune_idempotency_keys(db: Database) -> int:
    with db.unit() as uow:
        return store.prune_keys(uow.session, uow.now - IDEMPOTENCY_RETENTION)


def jobs(db: Database, processor: Processor) -> dict[str, Callable[[], int]]:
    """Each job by name: one pass, returning how many things it did."""
    return {
        "pruned expired idempotency keys": lambda: prune_idempotency_keys(db),
        "reconciled lost processor calls": lambda: reconcile(db, processor),
        "settled refunds": lambda: settle_refunds(db, processor),
    }


class MaintenanceThread(threading.Thread):
    """Runs every job once per `interval` seconds until stopped; a failing job is logged
    and retried on the next round without holding the others back."""

    def __init__(self, db: Database, processor: Processor, interval: float = 60.0) -> None:
        super().__init__(name="seikyu-maintenance", daemon=True)
        self._jobs = jobs(db, processor)
        self._interval = interval
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.wait(self._interval):
            self.run_once()

    def run_once(self) -> None:
        for name, job in self._jobs.items():
            try:
                done = job()
                if done:
                    log.info("%s: %d", name, done)
            except Exception:
                log.exception("%s failed; retrying next round", name)

    def stop(self) -> None:
        self._stop_event.set()
