"""A group of meter event requests on PostgreSQL: written in one statement on a connection
that commits it at once, and, when a strict event's identifier or an Idempotency-Key
turns out to be taken, written again in a transaction that answers as before."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson
import pytest
from sqlalchemy import event, func, select

from seikyu.api import meter_event_params as params
from seikyu.api import meter_event_render as render
from seikyu.core.clock import monotonic
from seikyu.customers import service as customers
from seikyu.db.models import IdempotencyKey, RequestLog
from seikyu.db.models.meter_events import MeterEvent
from seikyu.db.models.meter_rollups import MeterRollup
from seikyu.db.uow import Actor, Database
from seikyu.metering import meters
from seikyu.metering.domain.meter_rules import NewMeter
from seikyu.metering.ingest_jobs import Job, Reply, RequestContext
from seikyu.metering.ingester import Ingester
from tests.conftest import TestAccount

EVENT_NAME = "one_statement_calls"


@pytest.fixture
def customer(backend: str, db: Database, account: TestAccount) -> str:
    if backend != "postgresql":
        pytest.skip("the one-statement write is PostgreSQL's (SQLite writes in-process)")
    with db.unit(Actor(account.id)) as uow:
        meters.create(uow, NewMeter("Calls", EVENT_NAME, "sum"))
        return customers.create(uow, {}).id


class Statements:
    """Each statement the database is sent, with whether its connection commits it at
    once (autocommit) or leaves it to a transaction."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, bool]] = []

    def __call__(self, conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        self.seen.append((" ".join(statement.split()[:4]), conn.connection.autocommit))

    def writes(self) -> list[tuple[str, bool]]:
        return [(sql, auto) for sql, auto in self.seen if not sql.startswith("SELECT")]


@pytest.fixture
def statements(db: Database) -> Iterator[Statements]:
    recorder = Statements()
    event.listen(db.engine, "before_cursor_execute", recorder)
    yield recorder
    event.remove(db.engine, "before_cursor_execute", recorder)


def v1_job(db: Database, account: TestAccount, customer: str, identifier: str, key: str) -> Job:
    raw = {
        "event_name": EVENT_NAME,
        "identifier": identifier,
        "payload": {"stripe_customer_id": customer, "value": "5"},
    }
    request_id = db.ids.new("req")
    return Job(
        _context(db, account, request_id, "/v1/billing/meter_events", key, f"fp-{identifier}"),
        render.responder(request_id, lambda out: render.v1_event(out[0], False)),
        events=[params.v1_event(raw)],
    )


def stream_job(db: Database, account: TestAccount, customer: str, identifiers: list[str]) -> Job:
    raw = {
        "events": [
            {
                "event_name": EVENT_NAME,
                "identifier": identifier,
                "payload": {"stripe_customer_id": customer, "value": "5"},
            }
            for identifier in identifiers
        ]
    }
    request_id = db.ids.new("req")
    return Job(
        _context(db, account, request_id, "/v2/billing/meter_event_stream", None, None),
        render.responder(request_id, lambda _: {}, status=202),
        events=params.v2_stream(raw),
        strict=False,
    )


def _context(
    db: Database,
    account: TestAccount,
    request_id: str,
    path: str,
    key: str | None,
    fingerprint: str | None,
) -> RequestContext:
    return RequestContext(
        request_id=request_id,
        account_id=account.id,
        livemode=False,
        api_key_id=None,
        method="POST",
        path=path,
        received=db.clock.now(),
        started=monotonic(),
        idempotency_key=key,
        fingerprint=fingerprint,
    )


def write(db: Database, *group: Job) -> list[Reply]:
    Ingester(db).write(list(group))
    return [job.future.result(timeout=10) for job in group]


def stored(db: Database, customer: str) -> tuple[int, int, int]:
    """Events stored for the customer, their total value, and the rollups' total."""
    with db.unit(readonly=True) as uow:
        count, total = uow.session.execute(
            select(func.count(), func.coalesce(func.sum(MeterEvent.value), 0)).where(
                MeterEvent.customer_id == customer
            )
        ).one()
        rolled = uow.session.scalar(
            select(func.coalesce(func.sum(MeterRollup.sum_value), 0)).where(
                MeterRollup.customer_id == customer
            )
        )
    return int(count), int(total), int(rolled or 0)


def logged(db: Database, account: TestAccount) -> int:
    with db.unit(readonly=True) as uow:
        return int(
            uow.session.scalar(select(func.count()).where(RequestLog.account_id == account.id)) or 0
        )


def kept_status(db: Database, account: TestAccount, key: str) -> int | None:
    with db.unit(readonly=True) as uow:
        return uow.session.scalar(
            select(IdempotencyKey.status).where(
                IdempotencyKey.account_id == account.id, IdempotencyKey.key == key
            )
        )


def test_new_events_go_in_one_statement_that_commits_itself(
    db: Database, account: TestAccount, customer: str, statements: Statements
) -> None:
    group = [v1_job(db, account, customer, f"call-{n}", f"key-{n}") for n in range(3)]
    group.append(stream_job(db, account, customer, ["streamed-1", "streamed-2"]))

    replies = write(db, *group)

    assert [reply.status for reply in replies] == [200, 200, 200, 202]
    assert statements.writes() == [("WITH strict_new AS (", True)]
    assert stored(db, customer) == (5, 25, 25)
    assert logged(db, account) == 4
    assert [kept_status(db, account, f"key-{n}") for n in range(3)] == [200, 200, 200]


def test_a_stream_drops_an_identifier_stored_before_within_the_one_statement(
    db: Database, account: TestAccount, customer: str, statements: Statements
) -> None:
    write(db, stream_job(db, account, customer, ["seen"]))
    statements.seen.clear()

    (reply,) = write(db, stream_job(db, account, customer, ["seen", "new"]))

    assert reply.status == 202
    assert [auto for _, auto in statements.writes()] == [True]
    assert stored(db, customer) == (2, 10, 10)


def test_an_identifier_stored_before_is_refused_by_a_transaction_after_the_statement_fails(
    db: Database, account: TestAccount, customer: str, statements: Statements
) -> None:
    write(db, v1_job(db, account, customer, "taken", "first"))
    statements.seen.clear()

    fresh, repeated = write(
        db,
        v1_job(db, account, customer, "fresh", "second"),
        v1_job(db, account, customer, "taken", "third"),
    )

    assert fresh.status == 200
    assert repeated.status == 400
    assert orjson.loads(repeated.body)["error"]["message"].startswith(
        "An event already exists with identifier taken"
    )
    # The one statement failed whole; the group was then written in a transaction.
    writes = statements.writes()
    assert writes[0][1] is True
    assert writes[1:]
    assert not any(auto for _, auto in writes[1:])
    assert stored(db, customer) == (2, 10, 10)
    assert logged(db, account) == 3
    assert (kept_status(db, account, "second"), kept_status(db, account, "third")) == (200, 400)


def test_a_key_used_before_replays_its_response_after_the_statement_fails(
    db: Database, account: TestAccount, customer: str
) -> None:
    (first,) = write(db, v1_job(db, account, customer, "once", "retried"))

    (again,) = write(db, v1_job(db, account, customer, "once", "retried"))

    assert again.status == first.status == 200
    assert again.body == first.body
    assert again.headers["Idempotent-Replayed"] == "true"
    assert stored(db, customer) == (1, 5, 5)
    assert logged(db, account) == 2
