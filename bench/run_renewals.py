"""Benchmark a renewal run: every subscription due at the same moment, renewed end to end
by `seikyu worker` processes, with the database's bulk-insert rate for the same rows as the
ceiling.

Run from the repository root:

    .venv/bin/python bench/run_renewals.py [--quick] [--subscriptions N]
        [--only postgres|sqlite] [--processes 1,2] [--max-minutes M]
    .venv/bin/python bench/run_renewals.py --profile [--subscriptions 2000] [--only sqlite]

For each database (PostgreSQL, then SQLite) and each worker process count: a fresh
database, a seeded fleet (bench/renewal_fleet.py, not timed), then the measured run: the
worker processes renew, finalize and charge every subscription while a progress bar polls
the database. Then, not timed, a check that every subscription got exactly one paid
renewal invoice with its payment and events, and the ceiling: the rows the run wrote,
copied into empty tables of the same shape with the fastest plain bulk insert. See
bench/README.md.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import (
    Column,
    Engine,
    Index,
    MetaData,
    Table,
    create_engine,
    event,
    func,
    select,
    text,
)

import renewal_fleet
import report
import servers
from autovacuum_stand_in import AutovacuumStandIn
from renewal_fleet import Fleet, libpq_url, quote, sqlite_path
from run_customers import seikyu_versions
from seikyu.app import build_database
from seikyu.core.clock import FrozenClock, SystemClock
from seikyu.core.ids import IdGenerator
from seikyu.db.base import Base
from seikyu.db.migrate import upgrade
from seikyu.payments.payment_intents import Redirect
from seikyu.payments.test_processor import TestProcessor
from seikyu.worker.billing import BillingWorker

DATABASES = ("postgres", "sqlite")
PG_DATABASE = "seikyu_bench_renewals"
RESULTS_DIR = servers.BENCH_DIR / "results"
TARGET_RPS = 2_000  # on PostgreSQL: a million renewals in under 9 minutes
POLL_S = 0.5
# Rows per bulk-insert transaction for the ceiling.
CEILING_BATCH = 20_000
SHADOW = "ceiling_"
CLOCK = SystemClock()


@dataclass(frozen=True)
class Plan:
    subscriptions: int
    processes: tuple[int, ...]  # worker process counts tried on PostgreSQL
    max_seconds: float  # a measured run stops here, and reports what it did


@dataclass
class Ceiling:
    rows: int = 0
    bytes: int = 0
    seconds: float = 0.0
    renewals: int = 0
    tables: dict[str, tuple[int, int, float]] = field(default_factory=dict)  # rows, bytes, s

    def add(self, table: str, rows: int, size: int, seconds: float) -> None:
        before = self.tables.get(table, (0, 0, 0.0))
        self.tables[table] = (before[0] + rows, before[1] + size, before[2] + seconds)
        self.rows += rows
        self.bytes += size
        self.seconds += seconds

    @property
    def rps(self) -> float:
        return self.renewals / self.seconds if self.seconds else 0.0


@dataclass
class Phase:
    database: str
    processes: int
    subscriptions: int
    # Renewal invoices when the run ended: paid, finalized (paid or not) and cut (any
    # status); the three differ only when the run was cut short.
    renewed: int = 0
    finalized: int = 0
    invoiced: int = 0
    seconds: float = 0.0
    first_renewed_s: float = 0.0  # from starting the workers to the first renewal committed
    capped: bool = False
    rows: dict[str, int] = field(default_factory=dict)  # rows the run added, per table
    checks: list[str] = field(default_factory=list)
    verified: bool = False
    facts: list[str] = field(default_factory=list)
    ceiling: Ceiling | None = None
    failure: str | None = None

    @property
    def rps(self) -> float:
        return self.renewed / self.seconds if self.seconds else 0.0

    @property
    def label(self) -> str:
        return (
            f"{self.database}, {self.processes} worker process{'es' if self.processes > 1 else ''}"
        )


# --- progress ----------------------------------------------------------------------------


def bar(done: int, total: int, elapsed: float, width: int = 40) -> str:
    filled = width * done // max(1, total)
    rate = done / elapsed if elapsed > 0 else 0.0
    left = f"{(total - done) / rate:5.0f}s left" if rate > 0 else "          "
    return (
        f"\r  [{'#' * filled}{'.' * (width - filled)}] {done:>9,}/{total:,} "
        f"{elapsed:6.1f}s {rate:7,.0f}/s {left}"
    )


class Progress:
    """What is left: subscriptions still due, and invoices still waiting to be finalized
    or charged. Two index range scans per poll, so polling costs the workers little."""

    def __init__(self, engine: Engine, fleet: Fleet) -> None:
        self._engine = engine
        subscriptions = Base.metadata.tables["subscriptions"]
        invoices = Base.metadata.tables["invoices"]
        self._due = (
            select(func.count())
            .select_from(subscriptions)
            .where(subscriptions.c.next_action_at <= fleet.due_at)
        )
        self._waiting = (
            select(func.count()).select_from(invoices).where(invoices.c.next_action_at.is_not(None))
        )

    def remaining(self) -> tuple[int, int]:
        with self._engine.connect() as conn:
            return int(conn.scalar(self._due) or 0), int(conn.scalar(self._waiting) or 0)


# --- the measured run ----------------------------------------------------------------------


def table_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            name: int(conn.scalar(select(func.count()).select_from(table)) or 0)
            for name, table in Base.metadata.tables.items()
        }


def start_workers(url: str, processes: int, workdir: Path) -> list[subprocess.Popen[bytes]]:
    """`seikyu worker` processes, as deployed; each in its own session so that stopping
    them reaches nothing else."""
    env = dict(os.environ, SEIKYU_DATABASE_URL=url)
    started = []
    for n in range(processes):
        argv = [str(servers.SEIKYU_BIN), "worker", "--database-url", url, "--interval", "0.5"]
        with open(workdir / f"worker-{n}.log", "ab") as log:
            started.append(
                subprocess.Popen(
                    argv, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True
                )
            )
    return started


def stop_workers(workers: list[subprocess.Popen[bytes]], *, hard: bool) -> None:
    """SIGTERM ends an idle worker between passes; a busy one finishes every pass still due
    first, so a run cut short is killed (its open transactions roll back)."""
    for worker in workers:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL if hard else signal.SIGTERM)
    for worker in workers:
        try:
            worker.wait(timeout=servers.STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=servers.STOP_TIMEOUT_S)


def run_workers(
    phase: Phase, url: str, engine: Engine, fleet: Fleet, workdir: Path, max_seconds: float
) -> datetime:
    """Start the workers, draw the progress bar until every renewal is paid (or the time is
    up), stop them; returns the wall-clock moment they started."""
    progress = Progress(engine, fleet)
    vacuum = None
    if phase.database == "postgres":
        vacuum = AutovacuumStandIn(libpq_url(url))
        if not vacuum.start():
            vacuum = None
    since = CLOCK.now()
    began = time.perf_counter()
    workers = start_workers(url, phase.processes, workdir)
    finished = False
    try:
        while True:
            time.sleep(POLL_S)
            due, waiting = progress.remaining()
            elapsed = time.perf_counter() - began
            done = fleet.subscriptions - due - waiting
            finished = due == 0 and waiting == 0
            if due < fleet.subscriptions and not phase.first_renewed_s:
                phase.first_renewed_s = elapsed
            sys.stderr.write(bar(done, fleet.subscriptions, elapsed))
            sys.stderr.flush()
            if finished:
                break
            exited = [w.returncode for w in workers if w.poll() is not None]
            if exited:
                raise servers.ServerError(f"a worker exited with {exited[0]} mid-run")
            if elapsed > max_seconds:
                phase.capped = True
                break
    finally:
        sys.stderr.write("\n")
        stop_workers(workers, hard=not finished)
        if vacuum is not None:
            vacuum.stop()
            phase.facts.append(
                f"the server's autovacuum is off; its stand-in (bench/autovacuum_stand_in.py) "
                f"ran {vacuum.vacuums} vacuums and {vacuum.analyzes} analyzes during the run"
            )
    phase.seconds = elapsed
    return since


def worker_failures(workdir: Path) -> int:
    lines = 0
    for log in workdir.glob("worker-*.log"):
        text = log.read_text(errors="replace")
        lines += text.count("failed; retrying") + text.count("Traceback")
    return lines


# --- the ceiling ---------------------------------------------------------------------------


def shadow_tables(names: list[str]) -> dict[str, Table]:
    """Empty tables shaped like `names`: same columns, types, keys and indexes (partial
    unique ones included), without foreign keys."""
    meta = MetaData()
    made = {}
    for name in names:
        table = Base.metadata.tables[name]
        columns = [
            Column(c.name, c.type, primary_key=c.primary_key, nullable=c.nullable)
            for c in table.columns
        ]
        copy = Table(SHADOW + name, meta, *columns)
        for index in table.indexes:
            Index(
                SHADOW + str(index.name),
                *(copy.c[c.name] for c in index.columns),
                unique=index.unique,
                **index.dialect_kwargs,
            )
        made[name] = copy
    return made


def copy_compression(engine: Engine, names: list[str]) -> None:
    """Give the shadow tables the columns' compression methods (a migration's, which the
    models do not carry), so that the ceiling compresses what the run compressed."""
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as conn:
        for name in names:
            chosen = conn.execute(
                text(
                    "SELECT attname, attcompression FROM pg_attribute"
                    " WHERE attrelid = CAST(:table AS regclass) AND attcompression <> ''"
                ),
                {"table": name},
            ).all()
            for column, method in chosen:
                method_name = {"p": "pglz", "l": "lz4"}[method]
                conn.execute(
                    text(
                        f"ALTER TABLE {quote(SHADOW + name)} ALTER COLUMN {quote(column)}"
                        f" SET COMPRESSION {method_name}"
                    )
                )


def written_since(engine: Engine, name: str, since: datetime) -> tuple[str, str]:
    """A column and a lower bound that pick out the rows the run wrote in `name`. Ids sort
    by the moment they were made (seikyu/core/ids.py), so the first id possible at `since`
    bounds a table keyed by id (some rows, a renewal invoice's, are dated in the past); the
    processor journal, keyed otherwise, by when each call was sent."""
    table = Base.metadata.tables[name]
    if "id" in table.columns:
        with engine.connect() as conn:
            newest = conn.scalar(select(table.c.id).order_by(table.c.id.desc()).limit(1))
        prefix = str(newest).rsplit("_", 1)[0]
        floor = IdGenerator(FrozenClock(since - timedelta(milliseconds=1))).new(prefix)
        return "id", floor
    if "sent_at" in table.columns:
        is_sqlite = engine.dialect.name == "sqlite"
        return "sent_at", sqlite_stamp(since) if is_sqlite else since.isoformat()
    raise RuntimeError(f"cannot tell which rows of {name} the run wrote")


def sqlite_stamp(at: datetime) -> str:
    """How UTCDateTime stores an instant on SQLite (naive UTC, microseconds)."""
    return at.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")


def measure_ceiling(url: str, engine: Engine, phase: Phase, since: datetime) -> Ceiling:
    """Copy the rows the run wrote into empty tables of the same shape, in transactions of
    up to CEILING_BATCH rows: COPY on PostgreSQL, over as many connections at once as the run had
    worker processes; executemany on SQLite, its one writer. Only the inserts and their
    commits are timed."""
    names = [name for name, added in phase.rows.items() if added > 0]
    shadows = shadow_tables(names)
    meta = next(iter(shadows.values())).metadata
    meta.drop_all(engine)
    meta.create_all(engine)
    copy_compression(engine, names)
    ceiling = Ceiling(renewals=phase.renewed)
    try:
        for name in names:
            columns = [c.name for c in Base.metadata.tables[name].columns]
            since_rows = written_since(engine, name, since)
            if url.startswith("sqlite"):
                copied = _ceiling_sqlite(url, name, columns, since_rows, ceiling)
            else:
                copied = _ceiling_postgres(url, name, columns, since_rows, ceiling, phase.processes)
            if copied != phase.rows[name]:
                raise RuntimeError(f"{name}: the run added {phase.rows[name]} rows, {copied} dated")
    finally:
        meta.drop_all(engine)
    return ceiling


def _ceiling_postgres(
    url: str, name: str, columns: list[str], since: tuple[str, str], ceiling: Ceiling,
    streams: int,
) -> int:  # fmt: skip
    cols = ", ".join(quote(c) for c in columns)
    column, bound = since
    query = f"SELECT {cols} FROM {quote(name)} WHERE {quote(column)} >= %s ORDER BY {quote(column)}"
    target = f"COPY {quote(SHADOW + name)} ({cols}) FROM STDIN"
    with tempfile.TemporaryFile() as spool:
        # Read first, untimed, into a file in COPY's text format (one row per line), and
        # cut it into batches of whole rows.
        with (
            psycopg.connect(libpq_url(url)) as conn,
            conn.cursor().copy(f"COPY ({query}) TO STDOUT", (bound,)) as out,
        ):
            for block in out:
                spool.write(block)
        spool.seek(0)
        total = sum(1 for _ in spool)
        spool.seek(0)
        # At least one batch per connection, so that a small run loads over all of them.
        size = max(1, min(CEILING_BATCH, -(-total // streams)))
        batches: list[tuple[int, int, int]] = []  # offset, length, rows
        offset = 0
        while lines := [line for _, line in zip(range(size), spool, strict=False)]:
            length = sum(len(line) for line in lines)
            batches.append((offset, length, len(lines)))
            offset += length
        pending = iter(batches)
        lock = threading.Lock()
        connections = [psycopg.connect(libpq_url(url)) for _ in range(streams)]

        def load(conn: psycopg.Connection[Any]) -> None:
            while True:
                with lock:
                    batch = next(pending, None)
                if batch is None:
                    return
                at, length, _ = batch
                with conn.cursor().copy(target) as into:
                    into.write(os.pread(spool.fileno(), length, at))
                conn.commit()

        try:
            began = time.perf_counter()
            with ThreadPoolExecutor(streams) as pool:
                list(pool.map(load, connections))
            elapsed = time.perf_counter() - began
        finally:
            for conn in connections:
                conn.close()
    rows = sum(n for _, _, n in batches)
    ceiling.add(name, rows, offset, elapsed)
    return rows


def _ceiling_sqlite(
    url: str, name: str, columns: list[str], since: tuple[str, str], ceiling: Ceiling
) -> int:
    cols = ", ".join(quote(c) for c in columns)
    marks = ", ".join("?" for _ in columns)
    path = sqlite_path(url)
    # The writer is set up as Seikyu's own engine sets SQLite up (WAL, synchronous=FULL).
    db = build_database(url)
    writer = db.engine.raw_connection()
    reader = sqlite3.connect(path)
    copied = 0
    try:
        column, bound = since
        rows = reader.execute(
            f"SELECT {cols} FROM {quote(name)} WHERE {quote(column)} >= ? ORDER BY {quote(column)}",
            (bound,),
        )
        insert = f"INSERT INTO {quote(SHADOW + name)} ({cols}) VALUES ({marks})"
        while batch := rows.fetchmany(CEILING_BATCH):
            began = time.perf_counter()
            cursor = writer.cursor()
            cursor.execute("BEGIN IMMEDIATE")
            cursor.executemany(insert, batch)
            cursor.execute("COMMIT")
            elapsed = time.perf_counter() - began
            size = sum(len(v) if isinstance(v, str | bytes) else 8 for r in batch for v in r)
            ceiling.add(name, len(batch), size, elapsed)
            copied += len(batch)
    finally:
        reader.close()
        writer.close()
        db.dispose()
    return copied


# --- one database, one process count ------------------------------------------------------


@contextmanager
def fresh_database(database: str, workdir: Path) -> Iterator[str]:
    if database == "postgres":
        yield servers.reset_postgres_db(PG_DATABASE)
    else:
        path = workdir / "renewals.db"
        for leftover in workdir.glob("renewals.db*"):
            leftover.unlink()
        yield f"sqlite:///{path}"


def settle(url: str, engine: Engine) -> None:
    """What a database that has been running for a while would have done by itself after a
    bulk load: PostgreSQL's autovacuum analyzes the tables and a checkpoint writes the
    load's pages out; on SQLite the WAL is folded into the database file."""
    if url.startswith("sqlite"):
        with sqlite3.connect(sqlite_path(url)) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
        conn.execute("CHECKPOINT")
    engine.dispose()


def seed(url: str, subscriptions: int) -> tuple[Fleet, Engine]:
    db = build_database(url)
    try:
        upgrade(db.engine)
        began = time.perf_counter()

        def cloned(done: int) -> None:
            sys.stderr.write(
                f"\r  seeding: {done + len(renewal_fleet.TEMPLATES):,} subscriptions "
                f"({time.perf_counter() - began:.0f}s)"
            )

        fleet = renewal_fleet.seed(db, url, subscriptions, CLOCK.now(), cloned)
        sys.stderr.write("\n")
    finally:
        db.dispose()
    engine = create_engine(url)
    settle(url, engine)
    return fleet, engine


def run_phase(database: str, processes: int, plan: Plan, workroot: Path) -> Phase:
    phase = Phase(database, processes, plan.subscriptions)
    print(f"\n== {phase.label}", flush=True)
    # A directory per run: the worker logs read by the checks are this run's only.
    workdir = workroot / f"{database}-{processes}"
    workdir.mkdir()
    phase.facts.append(f"load average before seeding: {os.getloadavg()[0]:.2f} (1 min)")
    engine: Engine | None = None
    try:
        with fresh_database(database, workdir) as url:
            if database == "postgres":
                phase.facts.append(servers.postgres_facts() + f", fresh database {PG_DATABASE}")
            else:
                phase.facts.append(
                    f"SQLite {sqlite3.sqlite_version} (WAL, synchronous=FULL), fresh file"
                )
            fleet, engine = seed(url, plan.subscriptions)
            phase.facts.append(
                f"seeded {fleet.subscriptions:,} subscriptions ({fleet.rows_seeded:,} cloned "
                f"rows) in {fleet.seed_seconds:.0f}s, all due at {fleet.due_at:%Y-%m-%d %H:%M:%S}"
            )
            before = table_counts(engine)
            phase.facts.append(f"load average before the run: {os.getloadavg()[0]:.2f} (1 min)")
            since = run_workers(phase, url, engine, fleet, workdir, plan.max_seconds)
            after = table_counts(engine)
            phase.rows = {name: after[name] - before[name] for name in after}
            print("  checking what the run did ...", flush=True)
            began = time.perf_counter()
            _verify(phase, engine, fleet, since, workdir)
            print(f"  checked in {time.perf_counter() - began:.0f}s", flush=True)
            # Only a finished run wrote whole renewals and nothing else: the rows of one
            # cut short include drafts and unpaid invoices, so they have no renewal count.
            if phase.renewed and not phase.capped:
                print("  ceiling: bulk insert of the same rows ...", flush=True)
                phase.ceiling = measure_ceiling(url, engine, phase, since)
    except (servers.ServerError, RuntimeError, OSError, psycopg.Error) as exc:
        phase.failure = f"{type(exc).__name__}: {exc}"
        print(f"  FAILED: {phase.failure}", flush=True)
    finally:
        if engine is not None:
            engine.dispose()
    for line in phase_lines(phase):
        print(f"  {line}", flush=True)
    return phase


def _verify(phase: Phase, engine: Engine, fleet: Fleet, since: datetime, workdir: Path) -> None:
    if engine.dialect.name == "postgresql":
        # The planner's statistics still describe the tables before the run, when the
        # checks' joins would pick nested loops over tens of thousands of new events.
        with engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
    invoices = Base.metadata.tables["invoices"]
    renewals = select(func.count()).where(
        invoices.c.account_id == fleet.account_id,
        invoices.c.billing_reason == "subscription_cycle",
    )
    with engine.connect() as conn:
        phase.invoiced = int(conn.scalar(renewals) or 0)
        phase.finalized = int(conn.scalar(renewals.where(invoices.c.status != "draft")) or 0)
        phase.renewed = int(conn.scalar(renewals.where(invoices.c.status == "paid")) or 0)
    checks = renewal_fleet.verify(engine, fleet, since, complete=not phase.capped)
    failures = worker_failures(workdir)
    checks.append((failures == 0, f"failed runs in the worker logs: {failures}"))
    phase.checks = [f"{'ok  ' if ok else 'FAIL'}  {text}" for ok, text in checks]
    phase.verified = all(ok for ok, _ in checks)


def rows_per_renewal(phase: Phase) -> float:
    return sum(phase.rows.values()) / phase.invoiced if phase.invoiced else 0.0


def phase_lines(phase: Phase) -> list[str]:
    lines = list(phase.facts)
    if phase.seconds:
        cut = " (stopped at the time limit)" if phase.capped else ""
        lines.append(
            f"renewed {phase.renewed:,} of {phase.subscriptions:,} in {phase.seconds:.1f}s{cut}: "
            f"{phase.rps:,.0f} renewals/s; first subscription renewed "
            f"{phase.first_renewed_s:.1f}s after the workers started"
        )
        if phase.capped:
            stages = (("cut", phase.invoiced), ("finalized", phase.finalized),
                      ("paid", phase.renewed))  # fmt: skip
            lines.append(
                "renewal invoices when stopped: "
                + ", ".join(f"{n:,} {what} ({n / phase.seconds:,.1f}/s)" for what, n in stages)
            )
    if phase.rows:
        written = ", ".join(f"{name} {n:,}" for name, n in phase.rows.items() if n)
        lines.append(f"rows added: {written} ({rows_per_renewal(phase):.1f} per renewal)")
    lines += phase.checks
    if phase.ceiling is not None:
        c = phase.ceiling
        lines.append(
            f"ceiling: {c.rows:,} rows ({c.bytes / 1e6:,.0f} MB) in {c.seconds:.1f}s = "
            f"{c.rows / c.seconds:,.0f} rows/s = {c.rps:,.0f} renewals/s"
        )
        lines += [
            f"ceiling, {name}: {rows:,} rows, {size / 1e6:,.1f} MB, {seconds:.2f}s"
            for name, (rows, size, seconds) in c.tables.items()
        ]
    if phase.failure:
        lines.append(f"did not complete: {phase.failure.splitlines()[0]}")
    return lines


# --- profile -------------------------------------------------------------------------------


def profile(database: str, subscriptions: int, workdir: Path) -> int:
    """One in-process worker over a seeded fleet under cProfile: where a renewal's time
    goes, with the statements and commits it takes."""
    with fresh_database(database, workdir) as url:
        fleet, engine = seed(url, subscriptions)
        engine.dispose()
        db = build_database(url)
        statements: Counter[str] = Counter()

        def on_statement(_conn: object, _cursor: object, sql: str, *_: object) -> None:
            statements[statement_kind(sql)] += 1

        # On the Engine class: the processor journal's own engine is counted too.
        event.listen(Engine, "before_cursor_execute", on_statement)
        event.listen(Engine, "commit", lambda *_: statements.update(["COMMIT"]))
        worker = BillingWorker(db, TestProcessor(), Redirect("http://127.0.0.1"))
        profiler = cProfile.Profile()
        began = time.perf_counter()
        profiler.enable()
        done = worker.run_until_idle()
        profiler.disable()
        elapsed = time.perf_counter() - began
        db.dispose()
    RESULTS_DIR.mkdir(exist_ok=True)
    out = RESULTS_DIR / f"renewals-profile-{database}-{time.strftime('%Y%m%d-%H%M%S')}.prof"
    profiler.dump_stats(out)
    per = fleet.subscriptions
    print(
        f"\n{database}: {done:,} runs (renewals and invoice runs) for {per:,} subscriptions "
        f"in {elapsed:.1f}s under the profiler ({per / elapsed:,.0f} renewals/s); "
        f"{sum(statements.values()) / per:.1f} statements per renewal (commits included):"
    )
    for kind, n in statements.most_common(30):
        print(f"  {n / per:6.2f}  {kind}")
    stats = pstats.Stats(profiler)
    print_self_time(stats)
    print("\nseikyu functions by cumulative time:")
    print_cumulative(stats, "/seikyu/", 40)
    print(f"\nwritten: {out}")
    return 0


def statement_kind(sql: str) -> str:
    """What a statement does to which table: "SELECT subscriptions FOR UPDATE",
    "INSERT events", "UPDATE invoices", ..."""
    text = " ".join(sql.split())
    verb = text.split(" ", 1)[0].upper()
    if verb == "SELECT":
        found = re.search(r" FROM (\w+)", text)
        kind = f"SELECT {found.group(1) if found else '?'}"
        return kind + (" FOR UPDATE" if " FOR UPDATE" in text else "")
    found = re.match(r"(?:INSERT INTO|UPDATE|DELETE FROM) (\w+)", text, re.IGNORECASE)
    return f"{verb} {found.group(1)}" if found else verb


def _share_groups(path: str, name: str) -> str:
    if "psycopg" in path or "sqlite3" in name:
        return "database driver (including waiting for the server)"
    if "/sqlalchemy/" in path:
        return "SQLAlchemy"
    if "/seikyu/api/render" in path:
        return "seikyu rendering (event payloads)"
    if "/seikyu/" in path:
        return "seikyu, other"
    if "orjson" in name or "json" in path:
        return "JSON"
    return "Python and other libraries"


def print_self_time(stats: pstats.Stats) -> None:
    table: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    total = sum(entry[2] for entry in table.values())
    groups: dict[str, float] = {}
    for (path, _, name), entry in table.items():
        group = _share_groups(path, name)
        groups[group] = groups.get(group, 0.0) + entry[2]
    print("\nself time by where it is spent:")
    for group, seconds in sorted(groups.items(), key=lambda kv: -kv[1]):
        print(f"  {seconds / total:6.1%}  {seconds:7.2f}s  {group}")


def print_cumulative(stats: pstats.Stats, within: str, limit: int) -> None:
    table: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    total = max(entry[3] for entry in table.values())
    rows = sorted(
        ((entry[3], entry[1], path, line, name) for (path, line, name), entry in table.items()
         if within in path),
        reverse=True,
    )  # fmt: skip
    for cumulative, calls, path, line, name in rows[:limit]:
        where = path.split("/src/", 1)[-1]
        print(
            f"  {cumulative / total:6.1%}  {cumulative:7.2f}s  {calls:>8,}  {where}:{line}({name})"
        )


# --- the report ----------------------------------------------------------------------------


def describe(plan: Plan) -> list[str]:
    templates = "; ".join(t.name for t in renewal_fleet.TEMPLATES)
    return [
        f"{plan.subscriptions:,} active monthly subscriptions in one account, cloned round robin "
        f"from {len(renewal_fleet.TEMPLATES)} templates made through Seikyu's services "
        f"({templates}); each customer has a card that succeeds (test processor)",
        "every subscription's period ends at the same past moment T and the account finalizes "
        "renewal invoices at once (finalization_delay_seconds=0), so one run renews, "
        "finalizes and charges every one",
        "seeding is not timed; then PostgreSQL runs VACUUM ANALYZE and CHECKPOINT, SQLite a "
        "WAL checkpoint, as a database running for a while would have done",
        "measured: `seikyu worker --database-url URL` processes (1 or 2 on PostgreSQL, 1 on "
        "SQLite) on the real clock, from starting them to the poll (every "
        f"{POLL_S:g}s) that finds nothing due and no invoice waiting; renewals/s = paid "
        "renewal invoices / that wall time",
        f"a run not done after {plan.max_seconds / 60:g} minutes is stopped (the workers "
        "killed, their open transactions rolled back); renewals/s then counts the renewals "
        "paid by then, the renewal invoices cut and finalized by then are shown beside it, "
        "and no ceiling is taken from it",
        "checked after the run, not timed: one renewal invoice per subscription, paid in full "
        "for its first invoice's total, the subscription in its next period, payment intent "
        "and charge succeeded, each renewal event written once, no failed run in the logs",
        "ceiling, in the same run: the rows the run added, in every table, copied into empty "
        "tables of the same columns, keys and indexes (no foreign keys) with COPY (PostgreSQL, "
        "as many connections at once as worker processes) or executemany (SQLite) in "
        f"transactions of up to {CEILING_BATCH:,} rows; only inserts and commits timed; "
        "renewals-equivalent/s = renewals / that time",
    ]


def table(phases: list[Phase]) -> str:
    rows = [
        "| Database | Worker processes | Subscriptions | Renewed | Wall s | Renewals/s "
        "| Ceiling renewals/s | Measured / ceiling |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for p in phases:
        ceiling = p.ceiling
        limit = f"{ceiling.rps:,.0f}" if ceiling else "n/a"
        ratio = f"{p.rps / ceiling.rps:.1%}" if ceiling and ceiling.rps else "n/a"
        cut = " (time limit)" if p.capped else ""
        rows.append(
            f"| {p.database} | {p.processes} | {p.subscriptions:,} | {p.renewed:,}{cut} "
            f"| {p.seconds:.1f} | {p.rps:,.0f} | {limit} | {ratio} |"
        )
    return "\n".join(rows)


def checks(phases: list[Phase]) -> list[str]:
    lines = []
    postgres = [p for p in phases if p.database == "postgres" and p.verified]
    if postgres:
        best = max(postgres, key=lambda p: p.rps)
        lines.append(
            report.verdict(
                f"postgres best ({best.processes} worker processes): {best.rps:,.0f} renewals/s",
                best.rps >= TARGET_RPS,
                f">= {TARGET_RPS:,}",
            )
        )
    lines += [
        f"(no target)  sqlite: {p.rps:,.0f} renewals/s" for p in phases if p.database == "sqlite"
    ]
    lines += [f"UNVERIFIED  {p.label}: its checks failed" for p in phases if not p.verified]
    return lines


def markdown(phases: list[Phase], machine: list[str], method: list[str]) -> str:
    parts = ["## Results: renewals", "", "Machine:", ""]
    parts += [f"- {fact}" for fact in machine]
    parts += ["", "Method:", ""] + [f"- {line}" for line in method]
    for phase in phases:
        parts += ["", f"{phase.label}:", ""] + [f"- {line}" for line in phase_lines(phase)]
    parts += ["", table(phases), "", "Target:", "", "```", *checks(phases), "```", ""]
    return "\n".join(parts)


def write_results(phases: list[Phase], text: str) -> Path:
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"renewals-{time.strftime('%Y%m%d-%H%M%S', time.gmtime())}.md"
    path.write_text(text)
    raw = [
        {**asdict(p), "rps": p.rps, "ceiling_rps": p.ceiling.rps if p.ceiling else None}
        for p in phases
    ]
    path.with_suffix(".json").write_text(json.dumps(raw, indent=2, default=str))
    return path


# --- main ----------------------------------------------------------------------------------


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="1,000 subscriptions")
    parser.add_argument("--subscriptions", type=int, help="fleet size (default 100,000)")
    parser.add_argument(
        "--only", default=",".join(DATABASES), help="postgres, sqlite or both (default)"
    )
    parser.add_argument(
        "--processes", default="1,2", help="worker process counts on PostgreSQL (default 1,2)"
    )
    parser.add_argument(
        "--max-minutes",
        type=float,
        help="stop a measured run after this and report what it did (default 8, 3 with --quick)",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="profile one in-process worker instead (default 2,000 subscriptions)",
    )
    parser.add_argument("--keep-workdir", action="store_true", help="keep worker logs and files")
    args = parser.parse_args(argv)
    wanted = [d.strip() for d in args.only.split(",") if d.strip()]
    unknown = sorted(set(wanted) - set(DATABASES))
    if unknown:
        parser.error(f"unknown database(s) {unknown}; choose from {DATABASES}")
    args.databases = [d for d in DATABASES if d in wanted]
    args.process_counts = tuple(int(n) for n in args.processes.split(","))
    if any(n < 1 for n in args.process_counts):
        parser.error("--processes: counts of at least 1")
    default = 2_000 if args.profile else 1_000 if args.quick else 100_000
    args.count = args.subscriptions or default
    return args


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    # The workers run in their own sessions: SIGTERM becomes an exception so that the
    # finally blocks that stop them still run.
    signal.signal(signal.SIGTERM, lambda signum, _: sys.exit(128 + signum))
    workroot = Path(tempfile.mkdtemp(prefix="seikyu-bench-renewals-"))
    if args.profile:
        try:
            return profile(args.databases[0], args.count, workroot)
        finally:
            shutil.rmtree(workroot, ignore_errors=True)
    minutes = args.max_minutes or (3.0 if args.quick else 8.0)
    plan = Plan(args.count, args.process_counts, minutes * 60)
    machine = report.machine_facts()
    method = describe(plan)
    print("Machine:\n" + "\n".join(f"  {fact}" for fact in machine))
    print("Method:\n" + "\n".join(f"  {line}" for line in method))
    print(f"  {seikyu_versions()}", flush=True)
    phases: list[Phase] = []
    try:
        for database in args.databases:
            for processes in plan.processes if database == "postgres" else (1,):
                phases.append(run_phase(database, processes, plan, workroot))
    finally:
        if args.keep_workdir or any(p.failure or not p.verified for p in phases):
            print(f"\nworkdir kept: {workroot}")
        else:
            shutil.rmtree(workroot, ignore_errors=True)
    text = markdown(phases, machine, [*method, seikyu_versions()])
    print("\n" + text)
    print(f"written: {write_results(phases, text)}")
    return 0 if all(p.verified and not p.failure for p in phases) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
