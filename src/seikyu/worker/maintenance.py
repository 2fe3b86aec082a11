"""Background jobs of the serving process: housekeeping that keeps tables bounded (old
idempotency keys, expired test clocks and files, events, webhook deliveries and request log
lines past their retention), and the settling of processor calls whose outcome was lost."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from seikyu.clocks import repository as clocks
from seikyu.clocks import test_clocks
from seikyu.db.uow import Actor, Database, UnitOfWork
from seikyu.events import retention as history
from seikyu.files import repository as files
from seikyu.payments.domain.processor import Processor
from seikyu.payments.reconciliation import reconcile
from seikyu.payments.refund_settlement import settle_refunds
from seikyu.requests import logs as request_logs
from seikyu.requests import repository as store

log = logging.getLogger("seikyu.worker")

IDEMPOTENCY_RETENTION = timedelta(hours=24)
PRUNE_BATCH = 500
# Per table and pass: a backlog (a first run, a lowered retention) drains over several
# passes instead of keeping the other jobs waiting.
PRUNE_MAX_BATCHES = 20

Pruner = Callable[[UnitOfWork, datetime, int], int]


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


def delete_expired_files(db: Database, *, now: datetime | None = None) -> int:
    """Files past their purpose's keeping time go, bytes and all, as Stripe's expire."""
    return _in_batches(
        db, now, lambda uow, batch: files.delete_expired(uow.session, uow.now, batch)
    )


def _in_batches(
    db: Database,
    now: datetime | None,
    step: Callable[[UnitOfWork, int], int],
    batch: int = PRUNE_BATCH,
    max_batches: int = PRUNE_MAX_BATCHES,
) -> int:
    """Run `step` a batch at a time, each in its own short transaction, until a batch comes
    back short; a backlog beyond `max_batches` waits for the next pass."""
    done = 0
    for _ in range(max_batches):
        with db.unit(now=now) as uow:
            deleted = step(uow, batch)
        done += deleted
        if deleted < batch:
            break
    return done


def prune_history(
    db: Database,
    retention: timedelta = history.DEFAULT_RETENTION,
    *,
    now: datetime | None = None,
    batch: int = PRUNE_BATCH,
    max_batches: int = PRUNE_MAX_BATCHES,
) -> int:
    """Delete what is older than `retention`: webhook attempts and deliveries that are over,
    then events, then request log lines; each batch in its own short transaction."""
    pruners: list[Pruner] = [
        history.prune_attempts,
        history.prune_deliveries,
        history.prune_events,
        request_logs.prune,
    ]
    return sum(
        _in_batches(db, now, _older_than(prune, retention), batch, max_batches) for prune in pruners
    )


def _older_than(prune: Pruner, retention: timedelta) -> Callable[[UnitOfWork, int], int]:
    return lambda uow, size: prune(uow, uow.now - retention, size)


def jobs(
    db: Database,
    processor: Processor,
    retention: timedelta = history.DEFAULT_RETENTION,
) -> dict[str, Callable[[], int]]:
    """Each job by name: one pass, returning how many things it did."""
    return {
        "pruned expired idempotency keys": lambda: prune_idempotency_keys(db),
        "pruned events and request logs past retention": lambda: prune_history(db, retention),
        "reconciled lost processor calls": lambda: reconcile(db, processor),
        "settled refunds": lambda: settle_refunds(db, processor),
        "deleted expired test clocks": lambda: delete_expired_test_clocks(db),
        "deleted expired files": lambda: delete_expired_files(db),
    }


class MaintenanceThread(threading.Thread):
    """Runs every job once per `interval` seconds until stopped; a failing job is logged
    and retried on the next round without holding the others back."""

    def __init__(
        self,
        db: Database,
        processor: Processor,
        interval: float = 60.0,
        retention: timedelta = history.DEFAULT_RETENTION,
    ) -> None:
        super().__init__(name="seikyu-maintenance", daemon=True)
        self._jobs = jobs(db, processor, retention)
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
