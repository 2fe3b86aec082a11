"""The billing worker: runs time-driven billing as it falls due.

Each pass reads what is due (without locks), then claims and runs each subscription or
invoice in its own transaction (see billing/due_work.py). Several workers, in threads or
processes, can run at once on PostgreSQL: a row one of them holds is skipped by the
others, and a row already done is no longer due. A run that fails is rolled back whole,
logged, and tried again on a later pass. Test clocks being advanced are run the same way,
at each of their simulated moments in turn (see worker/clock_advances.py).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime

from seikyu.billing import due_work
from seikyu.billing.due_repository import Due
from seikyu.db import row_locks
from seikyu.db.uow import Actor, Database, UnitOfWork
from seikyu.payments.domain.processor import Processor
from seikyu.payments.payment_intents import Redirect
from seikyu.worker import clock_advances

log = logging.getLogger("seikyu.worker")

BATCH = 200
# One transaction runs at most this many subscriptions or invoices, for at most this long:
# a commit per renewal would cost more than the renewal, while a long transaction holds the
# rows it claimed (and SQLite's only write lock) from requests that wait for them.
UNIT_SIZE = 50
UNIT_SECONDS = 0.25
# Claimed this many at a time, so that a second worker finds the rest of a due set free.
CLAIM_SIZE = 10


@dataclass(frozen=True, slots=True)
class Pass:
    done: int  # subscriptions and invoices advanced
    failed: int  # runs that raised, rolled back to be tried again


class BillingWorker:
    def __init__(
        self,
        db: Database,
        processor: Processor,
        redirect: Redirect,
        *,
        account_id: str | None = None,
        real_time: bool = True,
        test_clocks: bool = True,
    ) -> None:
        """`account_id` limits the worker to one account's work (all accounts by default).
        `real_time` runs what falls due on the clock; `test_clocks` advances test clocks."""
        self.db = db
        self._processor = processor
        self._redirect = redirect
        self.account_id = account_id
        self._real_time = real_time
        self._test_clocks = test_clocks

    def run_once(self, *, now: datetime | None = None, limit: int = BATCH) -> int:
        """One pass over what is due at `now` (default: the clock's time), then over the
        test clocks being advanced; returns how many subscriptions, invoices and clocks it
        advanced."""
        done = 0
        if self._real_time:
            done += self.run_due(now=now, limit=limit).done
        if self._test_clocks:
            done += clock_advances.advance_all(self)
        return done

    def run_due(
        self, *, now: datetime | None, test_clock: str | None = None, limit: int = BATCH
    ) -> Pass:
        """Run what is due at `now`: in real time, or on one test clock. Invoices first:
        a renewal day's charges then keep up with its renewals instead of waiting behind
        all of them."""
        with self.db.unit(readonly=True, now=now) as uow:
            found = due_work.due(uow, limit, self.account_id, test_clock)
        found.sort(key=lambda item: (item.kind != "invoice", item.account_id, item.livemode))
        done = failed = 0
        for group in _units(found):
            ran = self._run_unit(group, now)
            done += ran.done
            failed += ran.failed
        return Pass(done, failed)

    def _run_unit(self, group: list[Due], now: datetime | None) -> Pass:
        """Run a group of one kind and one account in one transaction, each in a savepoint
        of its own: one that raises is rolled back alone (with its events) and tried again on
        a later pass, while the others commit together. What is left when the unit's time is
        up stays due for the next unit."""
        first = group[0]
        run: Callable[..., bool] = (
            due_work.run_subscription if first.kind == "subscription" else due_work.run_invoice
        )
        done = failed = 0
        try:
            with self.db.unit(Actor(first.account_id, first.livemode), now=now) as uow:
                deadline = time.monotonic() + UNIT_SECONDS
                for at in range(0, len(group), CLAIM_SIZE):
                    if at and time.monotonic() > deadline:
                        break
                    chunk = group[at : at + CLAIM_SIZE]
                    claimed = due_work.claim(uow, first.kind, [item.id for item in chunk])
                    for item in chunk:
                        if item.id not in claimed:
                            continue
                        ran = self._run_one(uow, run, item)
                        done += ran is True
                        failed += ran is None
        except Exception:
            log.exception("%d %ss failed together; retrying on a later pass", done, first.kind)
            return Pass(0, failed + done)
        return Pass(done, failed)

    def _run_one(self, uow: UnitOfWork, run: Callable[..., bool], item: Due) -> bool | None:
        """Run one claimed item in a savepoint, its events and their reactions included;
        None when it raised and was rolled back."""
        try:
            with uow.session.begin_nested():
                ran = run(uow, self._processor, item.id, redirect=self._redirect)
                self.db.flush_events(uow)
        except Exception:
            uow.pending_events = []
            row_locks.forget(uow.session)
            log.exception("%s %s failed; retrying on a later pass", item.kind, item.id)
            return None
        return ran

    def run_until_idle(self, *, now: datetime | None = None, max_passes: int = 1000) -> int:
        """Pass after pass until nothing is due (work done now can make more due: a renewal's
        invoice, finalized with no delay)."""
        total = 0
        for _ in range(max_passes):
            done = self.run_once(now=now)
            if not done:
                break
            total += done
        return total


class BillingThread(threading.Thread):
    """Runs the billing worker every `interval` seconds until stopped."""

    def __init__(self, worker: BillingWorker, interval: float = 1.0) -> None:
        super().__init__(name="seikyu-billing", daemon=True)
        self._worker = worker
        self._interval = interval
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.wait(self._interval):
            try:
                done = self._worker.run_until_idle()
                if done:
                    log.info("billing: advanced %d", done)
            except Exception:
                log.exception("billing pass failed; retrying")

    def stop(self) -> None:
        self._stop_event.set()


def _units(found: list[Due]) -> Iterator[list[Due]]:
    """`found` in order, cut into groups of one kind and one account of at most UNIT_SIZE."""
    group: list[Due] = []
    for item in found:
        if group and (len(group) >= UNIT_SIZE or _key(item) != _key(group[0])):
            yield group
            group = []
        group.append(item)
    if group:
        yield group


def _key(item: Due) -> tuple[str, str, bool]:
    return item.kind, item.account_id, item.livemode
