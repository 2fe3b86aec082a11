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
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from seikyu.billing import due_work
from seikyu.db.uow import Actor, Database
from seikyu.payments.domain.processor import Processor
from seikyu.payments.payment_intents import Redirect
from seikyu.worker import clock_advances

log = logging.getLogger("seikyu.worker")

BATCH = 200


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
        """Run what is due at `now`: in real time, or on one test clock."""
        with self.db.unit(readonly=True, now=now) as uow:
            found = due_work.due(uow, limit, self.account_id, test_clock)
        done = failed = 0
        for item in found:
            run: Callable[..., bool] = (
                due_work.run_subscription if item.kind == "subscription" else due_work.run_invoice
            )
            try:
                with self.db.unit(Actor(item.account_id, item.livemode), now=now) as uow:
                    if run(uow, self._processor, item.id, redirect=self._redirect):
                        done += 1
            except Exception:
                failed += 1
                log.exception("%s %s failed; retrying on a later pass", item.kind, item.id)
        return Pass(done, failed)

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
