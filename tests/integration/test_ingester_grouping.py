"""How the ingester's writer gathers a group: a lone request is written at once; requests
arriving back to back on SQLite wait up to the linger for more, so that one commit serves
them (a group costs its commit and statements whatever its size)."""

from __future__ import annotations

import threading
import time

from seikyu.db.uow import Database
from seikyu.metering.ingest_jobs import Job
from seikyu.metering.ingester import LINGER_EVENTS, LINGER_S, Ingester
from tests.conftest import TestAccount
from tests.support.meter_jobs import stream_job, v1_job

LINGER = 0.5


def job(db: Database, account: TestAccount, n: int) -> Job:
    return v1_job(db, account, "cus_grouping", f"grouping-{n}", f"key-{n}")


def gather(ingester: Ingester) -> tuple[threading.Thread, list[list[Job]], list[float]]:
    """The writer's next group, gathered in a thread as the writer gathers it."""
    groups: list[list[Job]] = []
    took: list[float] = []

    def run() -> None:
        began = time.monotonic()
        group, _ = ingester._next_group()
        took.append(time.monotonic() - began)
        groups.append(group)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, groups, took


def test_a_lone_request_is_taken_at_once(db: Database, account: TestAccount) -> None:
    ingester = Ingester(db, linger=LINGER)
    thread, groups, took = gather(ingester)
    time.sleep(0.05)  # the writer is waiting when the request comes
    first = job(db, account, 1)
    ingester._queue.put(first)
    thread.join(5)
    assert groups == [[first]]
    assert took[0] < 0.05 + LINGER / 2


def test_requests_arriving_back_to_back_wait_for_more(db: Database, account: TestAccount) -> None:
    ingester = Ingester(db, linger=LINGER)
    first, second = job(db, account, 1), job(db, account, 2)
    ingester._queue.put(first)  # waiting already as the writer comes back
    thread, groups, _ = gather(ingester)
    time.sleep(0.05)
    ingester._queue.put(second)
    thread.join(5)
    assert groups == [[first, second]]


def test_the_wait_is_bounded(db: Database, account: TestAccount) -> None:
    ingester = Ingester(db, linger=0.1)
    first = job(db, account, 1)
    ingester._queue.put(first)
    thread, groups, took = gather(ingester)
    thread.join(5)
    assert groups == [[first]]
    assert 0.1 <= took[0] < 2


def test_only_sqlites_writer_waits_by_default(db: Database) -> None:
    assert Ingester(db)._linger == (LINGER_S if db.is_sqlite else 0.0)


def test_a_group_of_many_events_does_not_wait(db: Database, account: TestAccount) -> None:
    ingester = Ingester(db, linger=LINGER)
    first = stream_job(db, account, "cus_grouping", [f"many-{n}" for n in range(LINGER_EVENTS)])
    ingester._queue.put(first)  # back to back, but the commit is spread over enough events
    thread, groups, took = gather(ingester)
    thread.join(5)
    assert groups == [[first]]
    assert took[0] < LINGER / 2
