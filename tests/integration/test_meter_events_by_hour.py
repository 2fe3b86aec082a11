"""Raw meter events carry the hour they fall in, and the partial hours at a period's edges
are found through the index keyed by it: within an hour the index keeps arrival order, so
an event reported out of order lands at the end of its customer's hour, not anywhere in it.

Every write path fills the hour (SQLite's and PostgreSQL's group statements, and the ORM),
and the migration fills it for events stored before it existed, negative times included."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, inspect, text

from seikyu.app import build_database
from seikyu.db.engine import make_engine
from seikyu.db.migrate import upgrade
from seikyu.db.models.meter_events import MeterEvent
from seikyu.db.uow import Actor, Database
from seikyu.metering import event_storage, usage_repository
from seikyu.metering.domain.aggregation import Formula
from seikyu.metering.event_storage import EventRow, store_events
from tests.support.databases import fresh_database

HOUR = 3600
# Each side of an hour's edges, and of the epoch.
TIMESTAMPS = [1_790_000_000, 1_790_002_799, 1_790_002_800, 1_790_006_399, 0, -1, -3600, -3601]
INDEX = ["meter_id", "customer_id", "hour"]


def floor_hour(ts: int) -> int:
    return ts - ts % HOUR  # Python's % floors: -1 falls in the hour from -3600


@pytest.fixture
def database(backend: str, tmp_path: Path) -> Iterator[Database]:
    with fresh_database(backend, tmp_path) as url:
        db = build_database(url, pool_size=2)
        yield db
        db.dispose()


def stored_hours(db: Database) -> dict[int, int]:
    with db.engine.connect() as conn:
        rows = conn.execute(text('SELECT "timestamp", hour FROM meter_events')).all()
    return {row[0]: row[1] for row in rows}


def test_the_migration_fills_the_hour_of_events_stored_before_it(
    backend: str, tmp_path: Path
) -> None:
    with fresh_database(backend, tmp_path, revision="0018") as url:
        engine = make_engine(url)
        with engine.begin() as conn:
            for n, ts in enumerate(TIMESTAMPS):
                conn.execute(
                    text(
                        "INSERT INTO meter_events (account_id, livemode, meter_id, customer_id,"
                        ' identifier, "timestamp", value, received, canceled)'
                        " VALUES ('acct_m', false, 'mtr_m', 'cus_m', :identifier, :ts, 1, 0,"
                        " false)"
                    ),
                    {"identifier": f"before-{n}", "ts": ts},
                )
        upgrade(engine)
        with engine.connect() as conn:
            hours = dict(conn.execute(text('SELECT "timestamp", hour FROM meter_events')).all())
        (usage,) = [
            index
            for index in inspect(engine).get_indexes("meter_events")
            if index["name"] == "ix_meter_events_usage"
        ]
        engine.dispose()
    assert hours == {ts: floor_hour(ts) for ts in TIMESTAMPS}
    assert usage["column_names"] == INDEX


def test_the_group_statements_fill_the_hour(database: Database) -> None:
    rows = [
        EventRow("acct_g", False, "mtr_g", "cus_g", f"group-{n}", ts, 2, 0)
        for n, ts in enumerate(TIMESTAMPS)
    ]
    with database.unit(Actor("acct_g")) as uow:
        inserted = store_events(uow.session, rows, [row.identifier for row in rows])
    assert len(inserted) == len(TIMESTAMPS)
    assert stored_hours(database) == {ts: floor_hour(ts) for ts in TIMESTAMPS}
    with database.engine.connect() as conn:
        buckets = conn.execute(text("SELECT bucket FROM meter_rollups")).scalars().all()
    assert sorted(buckets) == sorted({floor_hour(ts) for ts in TIMESTAMPS})


def test_an_event_added_through_the_orm_gets_its_hour(database: Database) -> None:
    with database.unit(Actor("acct_o")) as uow:
        for n, ts in enumerate(TIMESTAMPS):
            uow.session.add(
                MeterEvent(
                    account_id="acct_o",
                    meter_id="mtr_o",
                    customer_id="cus_o",
                    identifier=f"orm-{n}",
                    timestamp=ts,
                    value=1,
                    received=0,
                )
            )
    assert stored_hours(database) == {ts: floor_hour(ts) for ts in TIMESTAMPS}


def test_a_partial_hour_is_found_by_its_hour(database: Database) -> None:
    """Out of order within their hour, events still sum exactly; the read seeks the
    customer's hours in the index (its plan says so; on PostgreSQL with sequential scans
    off, since the table is small)."""
    start = 1_790_002_800  # an hour's start
    reported = [(start + 1_000, 5), (start + 10, 7), (start + 3_599, 11), (start + 200, 13)]
    rows = [
        EventRow("acct_p", False, "mtr_p", "cus_p", f"p-{n}", ts, value, 0)
        for n, (ts, value) in enumerate(reported)
    ]
    with database.unit(Actor("acct_p")) as uow:
        store_events(uow.session, rows)
    statements: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, params: Any, *args: Any) -> None:
        if "meter_events" in statement:
            statements.append((statement, params))

    event.listen(database.engine, "before_cursor_execute", capture)
    try:
        with database.unit(readonly=True) as uow:
            usage = usage_repository.raw_usage(
                uow.session, "mtr_p", "cus_p", start + 10, start + 1_001, Formula.LAST
            )
    finally:
        event.remove(database.engine, "before_cursor_execute", capture)
    assert (usage.total, usage.count, usage.peak, usage.last) == (25, 3, 13, 5)
    statement, params = statements[0]
    with database.engine.connect() as conn:
        if database.is_sqlite:
            plan = " ".join(
                str(row[-1])
                for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", params)
            )
            assert "INDEX ix_meter_events_usage (meter_id=? AND customer_id=? AND hour>" in plan
        else:
            conn.exec_driver_sql("SET enable_seqscan = off")
            plan = " ".join(
                str(row[0]) for row in conn.exec_driver_sql(f"EXPLAIN {statement}", params)
            )
            assert "ix_meter_events_usage" in plan
            assert "hour >=" in plan


def test_a_group_adds_only_what_it_inserted_to_the_rollups(database: Database) -> None:
    """A second group repeating a stored identifier: the repeat is neither stored, nor
    summed, nor answered as inserted; the hour's last event is the latest timestamp, and
    the latest stored among equal timestamps."""
    hour = 1_790_002_800

    def row(identifier: str, offset: int, value: int) -> EventRow:
        return EventRow("acct_r", False, "mtr_r", "cus_r", identifier, hour + offset, value, 0)

    with database.unit(Actor("acct_r")) as uow:
        first = store_events(uow.session, [row("a", 100, 1), row("b", 50, 2)], ["a"])
    with database.unit(Actor("acct_r")) as uow:
        second = store_events(
            uow.session,
            [row("b", 100, 40), row("c", 100, 3), row("d", 7_200, 4), row("e", 10, 5)],
            ["b", "c", "e"],
        )
    assert first == {("acct_r", False, "a")}
    assert second == {("acct_r", False, "c"), ("acct_r", False, "e")}
    with database.engine.connect() as conn:
        rollups = conn.execute(
            text(
                "SELECT bucket, sum_value, event_count, max_value, last_value, last_timestamp"
                " FROM meter_rollups ORDER BY bucket"
            )
        ).all()
    # "a" and "c" tie on timestamp; "c" was stored later, so it is the hour's last.
    assert [tuple(r) for r in rollups] == [
        (hour, 1 + 2 + 3 + 5, 4, 5, 3, hour + 100),
        (hour + 7_200, 4, 1, 4, 4, hour + 7_200),
    ]


def test_sqlite_sums_a_group_from_the_rows_after_the_last_seq(database: Database) -> None:
    """The rollup statement finds the group's rows by seq; walking an index instead made
    every group read the whole table (v1 fell from about 2,500 requests a second to 380)."""
    if not database.is_sqlite:
        pytest.skip("SQLite's statement")
    with database.engine.connect() as conn:
        plan = [
            str(row[-1])
            for row in conn.exec_driver_sql(
                f"EXPLAIN QUERY PLAN {event_storage._SQLITE_ROLLUP}", (0,)
            )
        ]
    assert "SEARCH meter_events USING INTEGER PRIMARY KEY (rowid>?)" in plan
    assert not [step for step in plan if step.startswith("SCAN meter_events")]
