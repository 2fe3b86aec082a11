"""Meter events under contention on PostgreSQL: two server processes (two ingesters, two
group commits) taking overlapping identifiers at once, and a process killed mid-stream.
Whatever happens, an identifier counts once and the rollups agree with the raw events."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import stripe
from sqlalchemy import func, select

from seikyu.db.models.meter_events import MeterEvent
from seikyu.db.models.meter_rollups import MeterRollup
from seikyu.db.uow import Database
from seikyu.metering.domain.aggregation import hour_floor
from tests.support.server import ServerProcess, start_server

HOUR = 3600


@pytest.fixture
def second_server(backend: str, database_url: str, tmp_path: Path) -> Iterator[ServerProcess]:
    if backend != "postgresql":
        pytest.skip("two writing server processes need PostgreSQL (SQLite has one writer)")
    process = start_server(database_url, tmp_path)
    yield process
    process.stop()


@pytest.fixture
def setup(client: stripe.StripeClient) -> tuple[str, str, str]:
    meter = client.v1.billing.meters.create(
        params={
            "display_name": "Raced",
            "event_name": "raced_stream",
            "default_aggregation": {"formula": "sum"},  # type: ignore[typeddict-item]
        }
    )
    customer = client.v1.customers.create()
    token = client.v2.billing.meter_event_session.create().authentication_token
    return meter.id, customer.id, token


def batch(customer: str, first: int, start: int) -> list[dict[str, Any]]:
    return [
        {
            "event_name": "raced_stream",
            "payload": {"stripe_customer_id": customer, "value": str(i)},
            "identifier": f"id-{i}",
            "timestamp": datetime.fromtimestamp(start + i % HOUR, tz=UTC).isoformat(),
        }
        for i in range(first, first + 100)
    ]


def totals(db: Database, meter_id: str) -> tuple[tuple[int, int], tuple[int, int]]:
    """(sum, count) of the meter's uncanceled raw events, and of its rollups."""
    with db.unit(readonly=True) as uow:
        raw = uow.session.execute(
            select(func.coalesce(func.sum(MeterEvent.value), 0), func.count()).where(
                MeterEvent.meter_id == meter_id, MeterEvent.canceled.is_(False)
            )
        ).one()
        rolled = uow.session.execute(
            select(
                func.coalesce(func.sum(MeterRollup.sum_value), 0),
                func.coalesce(func.sum(MeterRollup.event_count), 0),
            ).where(MeterRollup.meter_id == meter_id)
        ).one()
    return (int(raw[0]), int(raw[1])), (int(rolled[0]), int(rolled[1]))


def send(url: str, token: str, events: list[dict[str, Any]]) -> int:
    response = httpx.post(
        url + "/v2/billing/meter_event_stream",
        json={"events": events},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    return response.status_code


def test_two_processes_with_overlapping_identifiers_never_double_count(
    server: ServerProcess,
    second_server: ServerProcess,
    setup: tuple[str, str, str],
    db: Database,
) -> None:
    meter_id, customer, token = setup
    start = hour_floor(int(time.time())) - 3 * HOUR
    # Each identifier in 0..549 is sent by several requests, through both processes.
    plans = [(url, first) for first in range(0, 500, 50) for url in (server.url, second_server.url)]
    barrier = threading.Barrier(len(plans))
    statuses: list[int] = []

    def run(url: str, first: int) -> None:
        barrier.wait()
        statuses.append(send(url, token, batch(customer, first, start)))

    threads = [threading.Thread(target=run, args=plan) for plan in plans]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert statuses == [202] * len(plans)
    expected = (sum(range(550)), 550)
    assert totals(db, meter_id) == (expected, expected)


def test_a_killed_process_leaves_rollups_that_agree_with_raw_events(
    server: ServerProcess,
    second_server: ServerProcess,
    setup: tuple[str, str, str],
    db: Database,
) -> None:
    """SIGKILL mid-stream: each group commit is all or nothing, so whatever survived is
    consistent; resending everything then counts each identifier exactly once."""
    meter_id, customer, token = setup
    start = hour_floor(int(time.time())) - 3 * HOUR
    batches = [batch(customer, first, start) for first in range(0, 3000, 100)]
    stop = threading.Event()

    def hammer() -> None:
        for events in batches:
            if stop.is_set():
                return
            try:
                send(second_server.url, token, events)
            except httpx.TransportError:
                return  # the process is gone

    threads = [threading.Thread(target=hammer) for _ in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(0.3)
    second_server.kill()
    stop.set()
    for thread in threads:
        thread.join(30)
    raw, rolled = totals(db, meter_id)
    assert raw == rolled

    for events in batches:
        assert send(server.url, token, events) == 202
    expected = (sum(range(3000)), 3000)
    assert totals(db, meter_id) == (expected, expected)
