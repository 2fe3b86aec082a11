"""Background jobs of the serving process: housekeeping that keeps tables bounded (old
idempotency keys, expired test clocks), and the settling of processor calls whose outcome
was lost."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from seikyu.clocks import repository as clocks
from seikyu.clocks import test_clocks
from seikyu.db.uow import Actor, Database
from seikyu.payments.domain.processor import Processor
from seikyu.payments.reconciliation import reconcile
from seikyu.payments.refund_settlement import settle_refunds
from seikyu.requests import repository as store

log = logging.getLogger("seikyu.worker")

IDEMPOTENCY_RETENTION = timedelta(hours=24)


def prune_idempotency_keys(db: Database) -> int:
    with db.unit() as uow:
        return store.prune_keys(uow.session, uow.now - IDEMPOTENCY_RETENTION)


def delete_expired_test_clocks(
    db: Database, *, now: datetime | None = None, limit: int = 100
) -> int:
    """Clocks past their `deletes_after` go, with their customers, as Stripe's do."""
    with db.unit(readonly=True, now=now) as uow:
        expired = clocks.expired(uow.session, uow.now, limit)
    for clock_id, account_id in expired:
        with db.unit(Actor(account_id)) as uow:
            test_clocks.delete(uow, clock_id)
    return len(expired)


def jobs(db: Database, processor: Processor) -> dict[str, Callable[[], int]]:
    """Each job by name: one pass, returning how many things it did."""
    return {
        "pruned expired idempotency keys": lambda: prune_idempotency_keys(db),
        "reconciled lost processor calls": lambda: reconcile(db, processor),
        "settled refunds": lambda: settle_refunds(db, processor),
        "deleted expired test clocks": lambda: delete_expired_test_clocks(db),
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
