"""Meter event groups written from the event loop on PostgreSQL: the usual group goes in
one statement on the loop's own connection; whatever needs more is handed to the
ingester's threads, and every request is answered either way."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import orjson
import pytest

from seikyu.db.uow import Database
from seikyu.metering import ingest_statement
from seikyu.metering.ingest_jobs import Job, Reply
from seikyu.metering.ingester import Ingester
from seikyu.metering.loop_writer import LoopWriter, application_name
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


def submit(db: Database, ingester: Ingester, *jobs: Job) -> list[Reply]:
    """The jobs' replies, submitted at once to a loop writer on a loop of their own."""

    async def run() -> list[Reply]:
        writer = LoopWriter(db, ingester)
        try:
            return list(await asyncio.gather(*(writer.submit(job) for job in jobs)))
        finally:
            await writer.close()

    return asyncio.run(run())


@pytest.fixture
def ingester(db: Database) -> Iterator[Ingester]:
    started = Ingester(db)
    yield started
    started.stop()


def answers(replies: list[Reply]) -> list[tuple[int, str | None]]:
    """Each reply's status and error code, if any."""
    return [
        (reply.status, orjson.loads(reply.body)["error"]["code"] if reply.error else None)
        for reply in replies
    ]


def handed_over(*jobs: Job) -> list[bool]:
    # The ingester's threads answer through the job's own future; the loop, directly.
    return [job.future.done() for job in jobs]


def test_a_group_the_cache_knows_is_written_by_the_loop(
    db: Database, account: TestAccount, customer: str, ingester: Ingester
) -> None:
    first = v1_job(db, account, customer, "warm", "k-warm")
    submit(db, ingester, first)
    jobs = [v1_job(db, account, customer, f"loop-{n}", f"k-{n}") for n in range(4)]
    jobs.append(stream_job(db, account, customer, ["streamed-1", "streamed-2"]))

    replies = submit(db, ingester, *jobs)

    # The first group's meter and customer were not cached yet: the threads looked them up.
    assert handed_over(first) == [True]
    assert handed_over(*jobs) == [False] * 5
    assert answers(replies) == [(200, None)] * 4 + [(202, None)]
    assert [orjson.loads(reply.body)["identifier"] for reply in replies[:4]] == [
        f"loop-{n}" for n in range(4)
    ]
    assert stored(db, customer) == (7, 35, 35)
    assert logged(db, account) == 6
    assert kept_status(db, account, "k-3") == 200


def test_a_stream_drops_an_identifier_stored_before_within_the_statement(
    db: Database, account: TestAccount, customer: str, ingester: Ingester
) -> None:
    submit(db, ingester, stream_job(db, account, customer, ["seen"]))
    again = stream_job(db, account, customer, ["seen", "new"])

    assert answers(submit(db, ingester, again)) == [(202, None)]
    assert handed_over(again) == [False]
    assert stored(db, customer) == (2, 10, 10)


def test_a_key_used_before_replays_its_response_from_the_threads(
    db: Database, account: TestAccount, customer: str, ingester: Ingester
) -> None:
    (first,) = submit(db, ingester, v1_job(db, account, customer, "once", "retried"))
    retry = v1_job(db, account, customer, "once", "retried")

    (again,) = submit(db, ingester, retry)

    assert handed_over(retry) == [True]
    assert again.status == first.status == 200
    assert again.body == first.body
    assert again.headers["Idempotent-Replayed"] == "true"
    assert stored(db, customer) == (1, 5, 5)
    assert logged(db, account) == 2


def test_an_identifier_stored_before_is_refused_by_the_threads(
    db: Database, account: TestAccount, customer: str, ingester: Ingester
) -> None:
    submit(db, ingester, v1_job(db, account, customer, "taken", "k-1"))
    fresh = v1_job(db, account, customer, "fresh", "k-2")
    repeated = v1_job(db, account, customer, "taken", "k-3")

    replies = submit(db, ingester, fresh, repeated)

    assert answers(replies) == [(200, None), (400, "duplicate_meter_event")]
    assert handed_over(fresh, repeated) == [True, True]
    assert stored(db, customer) == (2, 10, 10)
    assert logged(db, account) == 3


def test_a_key_used_twice_in_one_group_is_in_use_for_the_second(
    db: Database, account: TestAccount, customer: str, ingester: Ingester
) -> None:
    submit(db, ingester, v1_job(db, account, customer, "warm", "k-warm"))
    twice = [v1_job(db, account, customer, name, "same") for name in ("first", "second")]

    assert answers(submit(db, ingester, *twice)) == [(200, None), (409, "idempotency_key_in_use")]
    assert handed_over(*twice) == [False, False]
    assert stored(db, customer) == (2, 10, 10)
    assert kept_status(db, account, "same") == 200


def test_a_lost_connection_hands_the_group_over(
    db: Database, account: TestAccount, customer: str, ingester: Ingester
) -> None:
    submit(db, ingester, v1_job(db, account, customer, "warm", "k-warm"))

    async def run() -> list[Reply]:
        writer = LoopWriter(db, ingester)
        try:
            await writer.submit(v1_job(db, account, customer, "before", "k-before"))
            # Every connection of the writer is cut, as by a database restart.
            with db.engine.connect() as conn:
                cut = conn.exec_driver_sql(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE application_name = %s",
                    (application_name(),),
                ).scalar()
            assert cut
            jobs = [v1_job(db, account, customer, f"after-{n}", f"k-after-{n}") for n in range(2)]
            return list(await asyncio.gather(*(writer.submit(job) for job in jobs)))
        finally:
            await writer.close()

    replies = asyncio.run(run())

    assert answers(replies) == [(200, None), (200, None)]
    assert stored(db, customer) == (4, 20, 20)


def test_a_database_the_loop_cannot_reach_hands_the_group_over(
    db: Database, account: TestAccount, customer: str, ingester: Ingester
) -> None:
    submit(db, ingester, v1_job(db, account, customer, "warm", "k-warm"))
    job = v1_job(db, account, customer, "unreached", "k-unreached")

    async def run() -> Reply:
        # Nothing listens there: the connection is refused at once.
        writer = LoopWriter(db, ingester, conninfo="postgresql://postgres@127.0.0.1:9/none")
        try:
            return await writer.submit(job)
        finally:
            await writer.close()

    assert answers([asyncio.run(run())]) == [(200, None)]
    assert handed_over(job) == [True]
    assert stored(db, customer) == (2, 10, 10)


def test_the_statement_is_short_enough_for_psycopg_to_parse_it_once() -> None:
    # psycopg caches the parsing of statements up to this length only; beyond it, every
    # group would parse 4 kB of SQL again.
    from psycopg._queries import MAX_CACHED_STATEMENT_LENGTH

    assert len(ingest_statement.SQL) <= MAX_CACHED_STATEMENT_LENGTH
