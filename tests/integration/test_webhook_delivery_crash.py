"""A `seikyu worker` process killed (SIGKILL) while deliveries are in flight, then started
again: every delivery reaches its receiver at least once, and every attempt that got an
answer recorded is kept. Real processes, a fresh database of each kind, the real clock."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from seikyu.accounts import service as accounts
from seikyu.api.resources import all_routers
from seikyu.app import build_database
from seikyu.core.clock import FrozenClock
from seikyu.db.models import Event
from seikyu.db.models.webhook_attempts import WebhookAttempt
from seikyu.db.models.webhook_deliveries import WebhookDelivery
from seikyu.db.uow import Database
from tests.conftest import TestAccount
from tests.integration.test_webhook_delivery import Hooks
from tests.support.databases import fresh_database
from tests.support.receivers import Receiver

EVENTS = 30
# The first worker's posts must still be in flight when it is killed: held by the receiver,
# well inside its timeout. Its claims lapse twice that after they were taken (see
# WebhookWorker.lease), and the second worker takes them again then.
FIRST_TIMEOUT = 8.0
SECOND_TIMEOUT = 3.0


@dataclass
class WorkerProcess:
    process: subprocess.Popen[bytes]
    log_path: Path

    @classmethod
    def start(
        cls, name: str, url: str, account_id: str, workdir: Path, *, timeout: float
    ) -> WorkerProcess:
        log_path = workdir / f"worker-{name}.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "seikyu", "worker", "--interval", "0.2",
                 "--account", account_id, "--database-url", url,
                 "--webhook-timeout", str(timeout)],
                stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        return cls(process, log_path)

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=30)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@pytest.fixture
def fresh(backend: str, tmp_path: Path) -> Iterator[tuple[str, Database]]:
    """A database of its own: no server of the test session delivers from it."""
    all_routers()
    with fresh_database(backend, tmp_path) as url:
        db = build_database(url, pool_size=4)
        yield url, db
        db.dispose()


@pytest.fixture
def processes() -> Iterator[list[WorkerProcess]]:
    started: list[WorkerProcess] = []
    yield started
    for worker in started:
        if worker.process.poll() is None:
            worker.kill()
        print(worker.log())


def deliveries_of(db: Database, account_id: str) -> list[WebhookDelivery]:
    with db.unit(readonly=True) as uow:
        stmt = select(WebhookDelivery).where(WebhookDelivery.account_id == account_id)
        return list(uow.session.scalars(stmt))


def wait_for(condition: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_a_worker_killed_mid_delivery_and_restarted_delivers_everything_at_least_once(
    fresh: tuple[str, Database], tmp_path: Path, processes: list[WorkerProcess]
) -> None:
    url, db = fresh
    with db.unit() as uow:
        created = accounts.create_account(uow, name="crash")
    account = TestAccount(created.id, "")
    hooks = Hooks(db, FrozenClock(db.clock.now()), account)  # the clock is not moved here
    with Receiver() as receiver:
        # Given two endpoints owed the same events, one of which holds every request
        released = receiver.hang("/held")
        held = hooks.endpoint(receiver.url("/held"))
        answering = hooks.endpoint(receiver.url("/answers"))
        events = [hooks.event(held, answering) for _ in range(EVENTS)]

        # When a worker is killed while its posts to the holding endpoint are in flight
        first = WorkerProcess.start("first", url, account.id, tmp_path, timeout=FIRST_TIMEOUT)
        processes.append(first)
        assert receiver.wait_for(4, "/held", timeout=30), first.log()
        assert receiver.wait_for(EVENTS, "/answers", timeout=30), first.log()
        first.kill()
        in_flight = {r.event_id for r in receiver.to("/held")}
        unrecorded = [
            d for d in deliveries_of(db, account.id) if d.endpoint_id == held.id and d.attempts
        ]
        assert unrecorded == []  # the held posts were never answered: no attempt recorded
        released.set()

        # And a worker is started again
        second = WorkerProcess.start("second", url, account.id, tmp_path, timeout=SECOND_TIMEOUT)
        processes.append(second)
        settled = wait_for(
            lambda: all(d.status == "succeeded" for d in deliveries_of(db, account.id)), 60
        )
        assert settled, second.log()
        assert second.stop() == 0

    # Then every event reached both endpoints at least once; those in flight twice
    got = Counter((r.path, r.event_id) for r in receiver.received)
    for event in events:
        assert got[("/held", event.id)] >= 1
        assert got[("/answers", event.id)] >= 1
    for event_id in in_flight:
        assert got[("/held", event_id)] >= 2
    # And each delivery has its successful attempt recorded, and no event anything pending
    with db.unit(readonly=True) as uow:
        succeeded = set(
            uow.session.execute(
                select(WebhookAttempt.event_id, WebhookAttempt.endpoint_id).where(
                    WebhookAttempt.account_id == account.id, WebhookAttempt.succeeded
                )
            )
        )
        pending = uow.session.scalars(
            select(Event.pending_webhooks).where(Event.account_id == account.id)
        ).all()
    assert succeeded == {(e.id, ep.id) for e in events for ep in (held, answering)}
    assert set(pending) == {0}
    assert all(d.attempts >= 1 for d in deliveries_of(db, account.id))
