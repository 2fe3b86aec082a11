"""Advancing test clocks: a clock's due work runs at each simulated moment in turn.

An advance asked for through the API leaves the clock `advancing` towards its target.
Here the worker runs the clock's subscriptions and invoices with the same code as real
time, each at the moment its work falls due (a renewal at the period end, its finalization
an hour later, each retry on its day), so every object and event carries the simulated
time, until nothing on the clock is due before the target. Then the clock stands at the
target and is `ready`. Each step is its own transaction and the work is idempotent, so an
advance interrupted by a crash continues on a later pass, and two workers may share it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from seikyu.clocks import repository, test_clocks
from seikyu.db.uow import Actor

if TYPE_CHECKING:
    from seikyu.worker.billing import BillingWorker

log = logging.getLogger("seikyu.worker")

# Clocks taken on in one pass; more wait for the next.
CLOCKS_PER_PASS = 20
# A step whose work raised this many times in a row ends the advance in internal_failure.
FAILED_STEPS = 3


@dataclass(frozen=True, slots=True)
class Advancing:
    id: str
    account_id: str
    frozen_time: datetime
    target: datetime


def advance_all(worker: BillingWorker) -> int:
    """Advance every clock that is advancing; returns how many got to their target."""
    with worker.db.unit(readonly=True) as uow:
        clocks = [
            Advancing(clock.id, clock.account_id, clock.frozen_time, clock.target_frozen_time)
            for clock in repository.advancing(uow.session, worker.account_id, CLOCKS_PER_PASS)
            if clock.target_frozen_time is not None
        ]
    return sum(1 for clock in clocks if advance(worker, clock))


def advance(worker: BillingWorker, clock: Advancing) -> bool:
    """Run the clock's due work up to its target, then mark it ready; False when it could
    not get there in this pass (another worker holds some of it, or some of it failed)."""
    at = clock.frozen_time
    failures = 0
    while True:
        with worker.db.unit(readonly=True) as uow:
            due_at = repository.earliest_due(uow.session, clock.id)
        if due_at is None or due_at > clock.target:
            break
        at = max(at, due_at)
        result = worker.run_due(now=at, test_clock=clock.id)
        failures = failures + 1 if result.failed else 0
        if failures >= FAILED_STEPS:
            _fail(worker, clock)
            return False
        if not result.done and not result.failed:
            return False  # another worker holds what is due
    with worker.db.unit(Actor(clock.account_id)) as uow:
        return test_clocks.finish(uow, clock.id) is not None


def _fail(worker: BillingWorker, clock: Advancing) -> None:
    log.error("test clock %s: its due work keeps failing; marked internal_failure", clock.id)
    with worker.db.unit(Actor(clock.account_id)) as uow:
        test_clocks.fail(uow, clock.id)
