"""A group of meter event requests on PostgreSQL: written in one statement on a connection
that commits it at once, and, when a strict event's identifier or an Idempotency-Key
turns out to be taken, written again in a transaction that answers as before."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson
import pytest
from sqlalchemy import event

from seikyu.db.uow import Database
from seikyu.metering import ingest_statement
from seikyu.metering.ingest_jobs import Job, Reply
from seikyu.metering.ingester import Ingester
from tests.conftest import TestAccount
from tests.support.meter_jobs import (
    kept_status,
    logged,
    metered_customer,
    stored,
    stream_job,
    v1_job,
)


@pytest.fixture
def customer(backend: str, db: Database, account: TestAccount) -> str:
    return metered_customer(backend, db, account)


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


def write(db: Database, *group: Job) -> list[Reply]:
    Ingester(db).write(list(group))
    return [job.future.result(timeout=10) for job in group]


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


def test_the_statement_is_short_enough_for_psycopg_to_parse_it_once() -> None:
    # psycopg caches the parsing of statements up to this length only; beyond it, every
    # group would parse 4 kB of SQL again.
    from psycopg._queries import MAX_CACHED_STATEMENT_LENGTH

    assert len(ingest_statement.SQL) <= MAX_CACHED_STATEMENT_LENGTH
