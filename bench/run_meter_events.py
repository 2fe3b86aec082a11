"""Benchmark usage ingestion and aggregation: meter events through the v2 stream and the v1
endpoint of a real `seikyu serve`, then one customer's period aggregated over 10 million
stored events.

Run from the repository root:

    .venv/bin/python bench/run_meter_events.py [--quick] [--only postgres|sqlite]
        [--workers 1,2] [--stored N] [--max-minutes M] [--v1-connections 8]

For each database (PostgreSQL, then SQLite):
1. for each server process count W (default 1 and 2): a fresh database, `seikyu migrate`,
   `seikyu serve --workers W`; a meter (formula sum) and 100 customers created through the
   API; then steps 2 to 4;
2. **stream**: a meter event session, then closed-loop POSTs of 100 events each to
   /v2/billing/meter_event_stream from 16 connections, JSON bodies, unique identifiers and an
   Idempotency-Key per request as the SDK sends them;
3. **v1**: single-event form POSTs to /v1/billing/meter_events from 8 connections (and
   from each count `--v1-connections` names, for reference);
4. a check: the stored event count and every customer's hourly rollups equal what was sent;
5. **aggregation**, on the last database: the server is stopped; N events (default
   10,000,000; half of them one customer's, spread over a 30-day period) are bulk-loaded
   with their rollups; then that customer's usage over a period with unaligned edges is
   read (the invoice path, `usage_repository.period_usage`) for each formula, and, as the
   reference, the same sum by scanning the raw events.

Stripe's documented limits are the reference for ingestion (v2 stream: 10,000 events/s;
v1: 1,000 calls/s); their ratio is printed with the issue's targets (50,000/s stream,
5,000/s v1, aggregation under 100 ms). See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import orjson
from sqlalchemy import text
from sqlalchemy.orm import Session

import loadgen
import report
import servers

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from seikyu.core.api_version import API_VERSION  # noqa: E402
from seikyu.db.engine import make_engine  # noqa: E402
from seikyu.metering import usage_repository  # noqa: E402
from seikyu.metering.domain.aggregation import HOUR, Formula  # noqa: E402

PG_DATABASE = "seikyu_bench_meter_events"
API_KEY = "sk_test_benchmeterevents000000000000"
EVENT_NAME = "api_request"
CUSTOMERS = 100
STREAM_BATCH = 100
STREAM_CONCURRENCY = 16
V1_CONCURRENCY = 8
STRIPE_STREAM_LIMIT = 10_000  # events/s, Stripe's documented v2 stream limit (live mode)
STRIPE_V1_LIMIT = 1_000  # calls/s, Stripe's documented v1 limit (live mode)
TARGET_STREAM = 50_000
TARGET_V1 = 5_000
TARGET_AGGREGATION_MS = 100.0
PERIOD = 30 * 24 * HOUR
READS = 30


@dataclass
class Ingestion:
    label: str
    events: int
    sample: loadgen.Sample
    workers: int = 1

    @property
    def rate(self) -> float:
        return self.events / self.sample.elapsed_s if self.sample.elapsed_s else 0.0


@dataclass
class Aggregation:
    formula: str
    p50_ms: float
    p99_ms: float  # the slowest of the repeated reads
    value: int
    first_ms: float = 0.0  # the first read after the load, from a cold cache


@dataclass
class DatabaseRun:
    name: str
    load: list[float] = field(default_factory=list)
    ingestion: list[Ingestion] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)
    stored: int = 0
    load_seconds: float = 0.0
    aggregation: list[Aggregation] = field(default_factory=list)
    raw_scan: Aggregation | None = None


# --- ingestion through the API --------------------------------------------------------------


def _headers(extra: dict[str, str] | None = None) -> dict[str, str]:
    return {"Stripe-Version": API_VERSION, "Idempotency-Key": str(uuid.uuid4()), **(extra or {})}


async def _setup(base_url: str) -> tuple[str, list[str], str]:
    """A meter and the customers, through the API; returns meter id, customer ids, token."""
    with loadgen.connections(base_url, API_KEY, 1) as (conn,):
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        meter = await conn.post(
            "/v1/billing/meters",
            content=(
                f"display_name=Requests&event_name={EVENT_NAME}&default_aggregation[formula]=sum"
            ).encode(),
            headers=_headers(form),
        )
        if meter.status_code != 200:
            raise RuntimeError(f"meter: {meter.status_code} {meter.content[:300]!r}")
        customers = []
        for number in range(CUSTOMERS):
            answer = await conn.post(
                "/v1/customers", content=f"name=Usage+{number}".encode(), headers=_headers(form)
            )
            customers.append(orjson.loads(answer.content)["id"])
        session = await conn.post(
            "/v2/billing/meter_event_session",
            content=b"{}",
            headers=_headers({"Content-Type": "application/json"}),
        )
        if session.status_code != 200:
            raise RuntimeError(f"session: {session.status_code} {session.content[:300]!r}")
        token = orjson.loads(session.content)["authentication_token"]
        return orjson.loads(meter.content)["id"], customers, token


def _stream_body(batch: int, customers: list[str], now: int) -> bytes:
    events = [
        {
            "event_name": EVENT_NAME,
            "identifier": f"s{batch}-{j}",
            "timestamp": _iso(now - (batch * STREAM_BATCH + j) % 3000),
            "payload": {
                "stripe_customer_id": customers[(batch * STREAM_BATCH + j) % len(customers)],
                "value": str(1 + j % 5),
            },
        }
        for j in range(STREAM_BATCH)
    ]
    return orjson.dumps({"events": events})


def _iso(ts: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(ts))


def _v1_body(i: int, customers: list[str], now: int) -> bytes:
    return (
        f"event_name={EVENT_NAME}&identifier=v{i}&timestamp={now - i % 3000}"
        f"&payload[stripe_customer_id]={customers[i % len(customers)]}&payload[value]={1 + i % 5}"
    ).encode()


async def _ingest(
    server: servers.RunningServer,
    requests_stream: int,
    requests_v1: int,
    deadline: float,
    v1_connections: list[int],
) -> tuple[str, list[str], list[Ingestion], int]:
    meter, customers, token = await _setup(server.base_url)
    now = int(time.time())
    stream_bodies = [_stream_body(b, customers, now) for b in range(requests_stream)]
    json_headers = {"Content-Type": "application/json"}

    async def stream(conn: loadgen.Connection, i: int) -> None:
        answer = await conn.post(
            "/v2/billing/meter_event_stream",
            content=stream_bodies[i],
            headers=_headers(json_headers),
        )
        if answer.status_code >= 300:
            raise loadgen.RequestFailed(f"{answer.status_code} {answer.content[:200]!r}")

    form = {"Content-Type": "application/x-www-form-urlencoded"}
    # Each connection count sends its own identifiers.
    v1_bodies = [_v1_body(i, customers, now) for i in range(requests_v1 * len(v1_connections))]

    async def single(conn: loadgen.Connection, i: int) -> None:
        answer = await conn.post(
            "/v1/billing/meter_events", content=v1_bodies[i], headers=_headers(form)
        )
        if answer.status_code != 200:
            raise loadgen.RequestFailed(f"{answer.status_code} {answer.content[:200]!r}")

    results = []
    pid = server.process.pid
    with loadgen.connections(server.base_url, token, STREAM_CONCURRENCY) as pool:
        # Warm-up: connections, caches, the ingester's first group.
        await loadgen.run_batch(pool, "stream warm-up", min(32, requests_stream), stream, deadline)
        warm = min(32, requests_stream)
        rest = list(range(warm, requests_stream))

        async def stream_rest(conn: loadgen.Connection, i: int) -> None:
            await stream(conn, rest[i])

        with Progress("stream", len(rest) * STREAM_BATCH):
            sample = await loadgen.run_batch(
                pool, "v2 stream", len(rest), stream_rest, deadline, server_pid=pid
            )
        results.append(
            Ingestion(
                "v2 stream (100 events/request, 16 connections)", sample.ok * STREAM_BATCH, sample
            )
        )
    for number, count in enumerate(v1_connections):
        first = number * requests_v1
        with loadgen.connections(server.base_url, API_KEY, count) as pool:
            warm = min(200, requests_v1)

            async def single_warm(conn: loadgen.Connection, i: int, first: int = first) -> None:
                await single(conn, first + i)

            await loadgen.run_batch(pool, "v1 warm-up", warm, single_warm, deadline)
            rest_v1 = list(range(first + warm, first + requests_v1))

            async def single_rest(
                conn: loadgen.Connection, i: int, rest_v1: list[int] = rest_v1
            ) -> None:
                await single(conn, rest_v1[i])

            with Progress(f"v1 at {count} connections", len(rest_v1)):
                sample = await loadgen.run_batch(
                    pool, "v1", len(rest_v1), single_rest, deadline, server_pid=pid
                )
            results.append(
                Ingestion(f"v1 (1 event/request, {count} connections)", sample.ok, sample)
            )
    sent = requests_stream * STREAM_BATCH + requests_v1 * len(v1_connections)
    return meter, customers, results, sent


class Progress:
    """A one-line progress note while a batch runs (the batch itself reports the figures)."""

    def __init__(self, what: str, count: int) -> None:
        self.what, self.count = what, count

    def __enter__(self) -> None:
        print(f"  {self.what}: sending {self.count:,} events ...", flush=True)

    def __exit__(self, *_: object) -> None:
        print(f"  {self.what}: done", flush=True)


def _check(url: str, meter: str, sent: int) -> str:
    """Every accepted event stored once, and the rollups add up to the raw events."""
    engine = make_engine(url)
    with engine.connect() as conn:
        stored = conn.exec_driver_sql(
            "SELECT count(*), coalesce(sum(value), 0) FROM meter_events WHERE meter_id = ?"
            if url.startswith("sqlite")
            else "SELECT count(*), coalesce(sum(value), 0) FROM meter_events WHERE meter_id = %s",
            (meter,),
        ).one()
        rolled = conn.exec_driver_sql(
            "SELECT coalesce(sum(event_count), 0), coalesce(sum(sum_value), 0) FROM meter_rollups"
            + (" WHERE meter_id = ?" if url.startswith("sqlite") else " WHERE meter_id = %s"),
            (meter,),
        ).one()
    engine.dispose()
    ok = stored[0] == sent and tuple(rolled) == tuple(stored)
    return (
        f"{'OK' if ok else 'MISMATCH'}: sent {sent:,}, stored {stored[0]:,} "
        f"(sum {stored[1]:,}), rollups count {rolled[0]:,} sum {rolled[1]:,}"
    )


# --- aggregation over stored events ---------------------------------------------------------


def _load_events(url: str, meter: str, customers: list[str], total: int) -> float:
    """Bulk-load `total` events (half for customers[0], over one 30-day period) and their
    hourly rollups, outside the API: the aggregation is measured, not the loading."""
    started = time.perf_counter()
    engine = make_engine(url)
    period_start = int(time.time()) - 40 * 24 * HOUR
    sqlite = url.startswith("sqlite")
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        if sqlite:
            cur.execute("PRAGMA synchronous=OFF")
            cur.execute("PRAGMA cache_size=-1048576")  # 1 GiB for this connection
        # Built once after the load: kept up row by row, it would slow the load down.
        cur.execute("DROP INDEX IF EXISTS ix_meter_events_usage")
        raw.commit()
        chunk = 200_000
        for offset in range(0, total, chunk):
            rows = [
                (
                    meter,
                    customers[0] if i % 2 == 0 else customers[1 + i % (len(customers) - 1)],
                    f"load-{i:09d}",  # in insertion order: the unique index grows at its end
                    (ts := period_start + (i * 7919) % PERIOD),
                    ts - ts % HOUR,
                    1 + i % 7,
                )
                for i in range(offset, min(total, offset + chunk))
            ]
            if sqlite:
                cur.executemany(
                    "INSERT INTO meter_events (account_id, livemode, meter_id, customer_id, "
                    "identifier, timestamp, hour, value, received, canceled) "
                    "VALUES ('acct_load', 0, ?, ?, ?, ?, ?, ?, 0, 0)",
                    rows,
                )
            else:
                with cur.copy(
                    "COPY meter_events (account_id, livemode, meter_id, customer_id, identifier,"
                    " timestamp, hour, value, received, canceled) FROM STDIN"
                ) as copy:
                    for row in rows:
                        copy.write_row(("acct_load", False, *row, 0, False))
            raw.commit()
            done = min(total, offset + chunk)
            print(
                f"\r  loading events {done:,}/{total:,} ({done * 100 // total}%)",
                end="",
                flush=True,
            )
        print(flush=True)
        cur.execute(
            "CREATE INDEX ix_meter_events_usage ON meter_events (meter_id, customer_id, hour)"
        )
        cur.execute(
            "DELETE FROM meter_rollups WHERE meter_id = " + ("?" if sqlite else "%s"), (meter,)
        )
        floor = f"(timestamp - timestamp {'%' if sqlite else '%%'} {HOUR})"
        mark = "?" if sqlite else "%s"
        cur.execute(
            "INSERT INTO meter_rollups (meter_id, customer_id, bucket, sum_value, event_count,"
            " max_value, last_value, last_timestamp, last_seq)"
            f" SELECT meter_id, customer_id, {floor}, sum(value), count(*), max(value), NULL,"
            " max(timestamp), max(seq)"
            f" FROM meter_events WHERE meter_id = {mark} AND NOT canceled"
            f" GROUP BY meter_id, customer_id, {floor}",
            (meter,),
        )
        # The hour's last event: the latest timestamp, the latest received among equals.
        cur.execute(
            "UPDATE meter_rollups SET last_value = (SELECT e.value FROM meter_events e"
            " WHERE e.meter_id = meter_rollups.meter_id"
            " AND e.customer_id = meter_rollups.customer_id AND e.hour = meter_rollups.bucket"
            " AND e.timestamp = meter_rollups.last_timestamp ORDER BY e.seq DESC LIMIT 1)"
            f" WHERE meter_id = {mark}",
            (meter,),
        )
        raw.commit()
        if not sqlite:
            cur.execute("ANALYZE meter_events")
            cur.execute("ANALYZE meter_rollups")
            raw.commit()
    finally:
        raw.close()
        engine.dispose()
    return time.perf_counter() - started


def _aggregate(url: str, meter: str, customer: str) -> tuple[list[Aggregation], Aggregation, int]:
    engine = make_engine(url)
    stored_start = int(time.time()) - 40 * 24 * HOUR
    # An invoice period with edges in the middle of an hour, as real periods have.
    start, end = stored_start + 1234, stored_start + PERIOD - 2345
    results = []
    with Session(engine) as session:
        stored = session.execute(text("SELECT count(*) FROM meter_events")).scalar_one()
        for formula in Formula:
            times = []
            value = 0
            for _ in range(READS + 1):
                began = time.perf_counter()
                usage = usage_repository.period_usage(session, meter, customer, start, end, formula)
                times.append((time.perf_counter() - began) * 1000)
                value = usage.value(formula)
            first, rest = times[0], times[1:]
            results.append(
                Aggregation(formula.value, statistics.median(rest), max(rest), value, first)
            )
        times = []
        scan = text(
            "SELECT coalesce(sum(value), 0) FROM meter_events WHERE meter_id = :m AND"
            " customer_id = :c AND timestamp >= :s AND timestamp < :e AND NOT canceled"
        )
        total = 0
        for _ in range(3):
            began = time.perf_counter()
            total = session.execute(
                scan, {"m": meter, "c": customer, "s": start, "e": end}
            ).scalar_one()
            times.append((time.perf_counter() - began) * 1000)
        raw = Aggregation("sum by raw scan", statistics.median(times), max(times), int(total))
    engine.dispose()
    return results, raw, int(stored)


# --- the run ----------------------------------------------------------------------------------


def _run_database(
    name: str, fresh_url: Callable[[int], str], workdir: Path, args: argparse.Namespace
) -> DatabaseRun:
    """Ingestion on a fresh database per worker count; aggregation on the last one."""
    run = DatabaseRun(name)
    print(f"\n== {name} ==", flush=True)
    # `seikyu serve --workers` needs PostgreSQL: SQLite admits one writing process.
    for workers in args.workers if name == "PostgreSQL" else [1]:
        url = fresh_url(workers)
        servers.migrate_seikyu(url, API_KEY)
        server = servers.start_seikyu(
            f"seikyu-{name}-{workers}", url, API_KEY, workdir, workers=workers
        )
        deadline = time.monotonic() + args.max_minutes * 60
        try:
            run.load.append(os.getloadavg()[0])
            meter, customers, results, sent = asyncio.run(
                _ingest(
                    server, args.stream_requests, args.v1_requests, deadline, args.v1_connections
                )
            )
            for result in results:
                result.workers = workers
                print(
                    f"  {workers} worker(s), {result.label}: {result.rate:,.0f} events/s",
                    f"({report.sample_line(result.sample)})",
                )
            run.ingestion += results
            run.load.append(os.getloadavg()[0])
        finally:
            server.stop()
        run.checked.append(f"{workers} worker(s): {_check(url, meter, sent)}")
        print("  check:", run.checked[-1], flush=True)
    run.load_seconds = _load_events(url, meter, customers, args.stored)
    run.aggregation, run.raw_scan, run.stored = _aggregate(url, meter, customers[0])
    for agg in [*run.aggregation, run.raw_scan]:
        print(
            f"  {agg.formula}: p50 {agg.p50_ms:.2f} ms, max {agg.p99_ms:.2f} ms",
            f"(value {agg.value:,})",
        )
    return run


def _markdown(runs: list[DatabaseRun], args: argparse.Namespace) -> str:
    lines = [
        "## Meter events",
        "",
        *(f"- {fact}" for fact in report.machine_facts()),
        "- `seikyu serve --workers W` on a fresh database per W; load generator in its own"
        " process.",
        "",
        "| Database | W | Path | Events | Events/s | p50 | Stripe's limit | Ratio to limit"
        " | Target | |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    judged_v1 = f"{V1_CONCURRENCY} connections"
    for run in runs:
        for ing in run.ingestion:
            stream = ing.label.startswith("v2")
            limit = STRIPE_STREAM_LIMIT if stream else STRIPE_V1_LIMIT
            target = TARGET_STREAM if stream else TARGET_V1
            verdict = "MET" if ing.rate >= target else "NOT MET"
            judged = f"{target:,}/s | **{verdict}**"
            if not stream and judged_v1 not in ing.label:
                judged = "(the target is at 8) |"
            lines.append(
                f"| {run.name} | {ing.workers} | {ing.label} | {ing.events:,} | {ing.rate:,.0f}"
                f" | {ing.sample.p50_ms:.2f} ms | {limit:,}/s | {ing.rate / limit:.2f}×"
                f" | {judged} |"
            )
    lines += [
        "",
        "| Database | Stored events | Formula | First read (cold) | p50 of 30 | max of 30 | Target"
        " | |",
        "|---|---:|---|---:|---:|---:|---:|---|",
    ]
    for run in runs:
        for agg in run.aggregation:
            verdict = "MET" if agg.p99_ms < TARGET_AGGREGATION_MS else "NOT MET"
            lines.append(
                f"| {run.name} | {run.stored:,} | {agg.formula} | {agg.first_ms:.2f} ms"
                f" | {agg.p50_ms:.2f} ms | {agg.p99_ms:.2f} ms | < {TARGET_AGGREGATION_MS:.0f} ms"
                f" | **{verdict}** |"
            )
        if run.raw_scan is not None:
            raw = run.raw_scan
            lines.append(
                f"| {run.name} | {run.stored:,} | {raw.formula} (reference, no rollups)"
                f" | | {raw.p50_ms:.2f} ms (of 3) | {raw.p99_ms:.2f} ms (of 3) | | |"
            )
    lines.append("")
    for run in runs:
        lines.append(
            f"- {run.name}: {'; '.join(run.checked)}; load average {run.load};"
            f" bulk load {run.load_seconds:.0f} s."
        )
    return "\n".join(lines) + "\n"


def _sqlite_file(workdir: Path, workers: int) -> str:
    folder = workdir / f"workers-{workers}"
    folder.mkdir()
    return servers.sqlite_url(folder)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", choices=("postgres", "sqlite"))
    parser.add_argument("--workers", default="1,2", help="server processes, e.g. 1,2")
    parser.add_argument("--stored", type=int, default=None)
    parser.add_argument("--max-minutes", type=float, default=30)
    parser.add_argument(
        "--v1-connections",
        default=str(V1_CONCURRENCY),
        help=f"v1 connection counts, e.g. 1,8,64 (the target is at {V1_CONCURRENCY})",
    )
    args = parser.parse_args()
    args.v1_connections = [int(n) for n in args.v1_connections.split(",")]
    args.stream_requests = 300 if args.quick else 3000
    args.v1_requests = 2000 if args.quick else 20000
    args.workers = [int(w) for w in args.workers.split(",")]
    args.stored = args.stored or (200_000 if args.quick else 10_000_000)
    workdir = Path(tempfile.mkdtemp(prefix="seikyu-bench-meters-"))
    runs = []
    try:
        if args.only in (None, "postgres"):
            runs.append(
                _run_database(
                    "PostgreSQL", lambda _w: servers.reset_postgres_db(PG_DATABASE), workdir, args
                )
            )
        if args.only in (None, "sqlite"):
            runs.append(_run_database("SQLite", lambda w: _sqlite_file(workdir, w), workdir, args))
    finally:
        if args.only in (None, "postgres"):
            servers.psql(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
    text = _markdown(runs, args)
    print("\n" + text)
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / f"meter_events_{int(time.time())}.md").write_text(text)
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
