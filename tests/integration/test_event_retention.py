"""Retention: events, finished webhook deliveries and their attempts, and request log lines
older than the retention period (30 days by default) are deleted in bounded batches, by
the age of their id (when they were really written), never while a delivery is pending."""

from __future__ import annotations

import os
import subprocess
import sys
from contextlib import AbstractContextManager, nullcontext
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from seikyu.core.clock import FrozenClock
from seikyu.core.ids import IdGenerator, first_id_at
from seikyu.db.models import Event, RequestLog
from seikyu.db.models.webhook_attempts import WebhookAttempt
from seikyu.db.models.webhook_deliveries import WebhookDelivery
from seikyu.db.uow import Database, UnitOfWork
from seikyu.events.deliveries import ATTEMPT_PREFIX
from seikyu.events.delivery_status import DELIVERY_PREFIX
from seikyu.events.retention import DEFAULT_RETENTION
from seikyu.payments.test_processor import TestProcessor
from seikyu.worker.maintenance import jobs, prune_history
from tests.conftest import TestAccount
from tests.support.server import start_server

DAY = timedelta(days=1)


def written(db: Database, age: timedelta, prefix: str) -> str:
    """An id as one made `age` ago would be."""
    return IdGenerator(FrozenClock(db.clock.now() - age)).new(prefix)


def unit_of(db: Database, uow: UnitOfWork | None) -> AbstractContextManager[UnitOfWork]:
    """`uow` if given, so that rows go in together, else a unit of their own."""
    return nullcontext(uow) if uow is not None else db.unit()


def add_event(
    db: Database,
    account: TestAccount,
    age: timedelta,
    *,
    created: datetime | None = None,
    uow: UnitOfWork | None = None,
) -> str:
    event_id = written(db, age, "evt")
    with unit_of(db, uow) as uow:
        uow.session.add(
            Event(
                id=event_id,
                account_id=account.id,
                livemode=False,
                created=created or uow.now - age,
                type="customer.created",
                api_version="2026-10-28.endive",
                object_id="cus_x",
                data={"object": {"id": "cus_x"}},
                request_id=None,
                idempotency_key=None,
                pending_webhooks=0,
            )
        )
    return event_id


def add_delivery(
    db: Database,
    account: TestAccount,
    event_id: str,
    age: timedelta,
    status: str,
    *,
    uow: UnitOfWork | None = None,
) -> tuple[str, str]:
    """A delivery of the event with one attempt: (delivery id, attempt id)."""
    # The tables' own prefixes: retention bounds ids by the prefix the table holds.
    delivery_id = written(db, age, DELIVERY_PREFIX)
    attempt_id = written(db, age, ATTEMPT_PREFIX)
    with unit_of(db, uow) as uow:
        at = uow.now - age
        tenancy: dict[str, Any] = {"account_id": account.id, "livemode": False, "created": at}
        uow.session.add(
            WebhookDelivery(
                id=delivery_id,
                event_id=event_id,
                endpoint_id="we_x",
                status=status,
                attempts=1,
                next_attempt_at=at + DAY if status == "pending" else None,
                last_attempt_at=at,
                last_status_code=500,
                **tenancy,
            )
        )
        uow.session.add(
            WebhookAttempt(
                id=attempt_id,
                delivery_id=delivery_id,
                event_id=event_id,
                endpoint_id="we_x",
                succeeded=status == "succeeded",
                status_code=200 if status == "succeeded" else 500,
                duration_ms=5,
                **tenancy,
            )
        )
    return delivery_id, attempt_id


def add_log(db: Database, account: TestAccount, age: timedelta) -> str:
    log_id = written(db, age, "req")
    with db.unit() as uow:
        uow.session.add(
            RequestLog(
                id=log_id,
                account_id=account.id,
                livemode=False,
                created=uow.now - age,
                method="POST",
                path="/v1/customers",
                status=200,
                duration_us=10,
                params={},
            )
        )
    return log_id


def present(db: Database, model: Any, ids: list[str]) -> set[str]:
    with db.unit(readonly=True) as uow:
        return set(uow.session.scalars(select(model.id).where(model.id.in_(ids))))


def test_events_past_30_days_go_and_younger_ones_stay(db: Database, account: TestAccount) -> None:
    old = add_event(db, account, 31 * DAY)
    young = add_event(db, account, 29 * DAY)
    prune_history(db)
    assert present(db, Event, [old, young]) == {young}


def test_age_is_when_an_event_was_written_not_its_test_clock_time(
    db: Database, account: TestAccount
) -> None:
    simulated = datetime(2020, 1, 1, tzinfo=UTC)
    on_clock = add_event(db, account, timedelta(0), created=simulated)
    prune_history(db)
    assert present(db, Event, [on_clock]) == {on_clock}


def test_finished_deliveries_and_their_attempts_go_with_their_events(
    db: Database, account: TestAccount
) -> None:
    age = 40 * DAY
    done = {status: add_event(db, account, age) for status in ("succeeded", "failed", "canceled")}
    rows = {status: add_delivery(db, account, event, age, status) for status, event in done.items()}
    prune_history(db)
    deliveries = [delivery for delivery, _ in rows.values()]
    attempts = [attempt for _, attempt in rows.values()]
    assert present(db, Event, list(done.values())) == set()
    assert present(db, WebhookDelivery, deliveries) == set()
    assert present(db, WebhookAttempt, attempts) == set()


def test_a_pending_delivery_keeps_its_event_and_attempts(
    db: Database, account: TestAccount
) -> None:
    age = 40 * DAY
    # Written together: the session's server prunes the same database in the background,
    # and an old event alone for a moment would be its to delete.
    with db.unit() as uow:
        event = add_event(db, account, age, uow=uow)
        delivery, attempt = add_delivery(db, account, event, age, "pending", uow=uow)
    prune_history(db)
    assert present(db, Event, [event]) == {event}
    assert present(db, WebhookDelivery, [delivery]) == {delivery}
    assert present(db, WebhookAttempt, [attempt]) == {attempt}

    with db.unit() as uow:
        row = uow.session.get(WebhookDelivery, delivery)
        assert row is not None
        row.status, row.next_attempt_at = "failed", None
    prune_history(db)
    assert present(db, Event, [event]) == set()
    assert present(db, WebhookDelivery, [delivery]) == set()
    assert present(db, WebhookAttempt, [attempt]) == set()


def test_request_log_lines_past_retention_go(db: Database, account: TestAccount) -> None:
    old = add_log(db, account, 31 * DAY)
    young = add_log(db, account, 29 * DAY)
    prune_history(db)
    assert present(db, RequestLog, [old, young]) == {young}


def test_retention_is_configurable(db: Database, account: TestAccount) -> None:
    event = add_event(db, account, 3 * DAY)
    log = add_log(db, account, 3 * DAY)
    prune_history(db)
    assert present(db, Event, [event]) == {event}
    prune_history(db, timedelta(days=2))
    assert present(db, Event, [event]) == set()
    assert present(db, RequestLog, [log]) == set()


def test_a_backlog_is_deleted_in_bounded_batches_over_several_passes(
    db: Database, account: TestAccount
) -> None:
    events = [add_event(db, account, 50 * DAY) for _ in range(7)]
    prune_history(db, batch=2, max_batches=2)
    left = present(db, Event, events)
    assert len(left) >= 3  # at most 2 x 2 deleted in one pass
    # Oldest first: what is left is the newest of them.
    assert left == set(sorted(events)[-len(left) :])
    for _ in range(3):
        prune_history(db, batch=2, max_batches=2)
    assert present(db, Event, events) == set()


def test_the_maintenance_jobs_take_the_retention(db: Database, account: TestAccount) -> None:
    event = add_event(db, account, 10 * DAY)
    [job] = [
        run
        for name, run in jobs(db, TestProcessor(), timedelta(days=7)).items()
        if "retention" in name
    ]
    assert job() >= 1
    assert present(db, Event, [event]) == set()


def test_the_default_is_stripes_30_days() -> None:
    assert timedelta(days=30) == DEFAULT_RETENTION


def test_first_id_at_splits_ids_by_when_they_were_made(db: Database) -> None:
    at = db.clock.now()
    before = IdGenerator(FrozenClock(at - timedelta(milliseconds=1))).new("evt")
    after = IdGenerator(FrozenClock(at)).new("evt")
    assert before < first_id_at("evt", at) <= after


def test_serve_refuses_a_retention_out_of_range() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEIKYU_")}
    for days in ("0", "3651", "soon"):
        result = subprocess.run(
            [sys.executable, "-m", "seikyu", "serve", "--retention-days", days],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            check=False,
        )
        assert result.returncode == 2, result.stderr
        assert "--retention-days" in result.stderr


def test_serve_takes_a_retention_in_days(database_url: str, tmp_path: Path) -> None:
    server = start_server(database_url, tmp_path, extra_args=("--retention-days", "7"))
    try:
        assert server.process.poll() is None
    finally:
        server.stop()
    assert server.process.returncode == 0
