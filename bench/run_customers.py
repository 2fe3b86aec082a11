"""Benchmark customer create/retrieve: Seikyu (SQLite, PostgreSQL) vs localstripe.

Run from the repository root:

    .venv/bin/python bench/run_customers.py [--quick] [--only localstripe,seikyu-sqlite]

The servers run one after another (never at the same time, so they never
compete for the two cores), each on a fresh store and a loopback port; this
process is the load generator. See bench/README.md for the method.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import shutil
import signal
import sqlite3
import sys
import tempfile
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import report
import servers
from customers import CustomerWorkload
from loadgen import BatchAborted, Operation, Sample, connections, run_batch
from report import Growth, Measurement, ServerReport

TARGETS = ("localstripe", "seikyu-sqlite", "seikyu-postgres")
RESULTS_DIR = servers.BENCH_DIR / "results"
PERSISTENCE_SAMPLE = 200


@dataclass(frozen=True)
class Plan:
    """How many requests of each kind, and at which customer counts."""

    checkpoints: tuple[int, ...]  # customers that exist when the retrieves are measured
    create_batch: int  # measured creates: the last ones before each checkpoint
    retrieve_batch: int  # measured retrieves per checkpoint
    warmup: int  # unmeasured requests of each kind before measuring
    fill_chunk: int  # the unmeasured fill is timed in chunks of this size, to show growth
    concurrency: int = 8


FULL = Plan(
    checkpoints=(1_000, 10_000),
    create_batch=500,
    retrieve_batch=2_000,
    warmup=100,
    fill_chunk=1_000,
)
QUICK = Plan(
    checkpoints=(200, 1_000), create_batch=100, retrieve_batch=500, warmup=50, fill_chunk=200
)


def describe(plan: Plan) -> list[str]:
    points = " and ".join(f"{n:,}" for n in plan.checkpoints)
    return [
        f"closed loop, {plan.concurrency} concurrent keep-alive HTTP/1.1 connections (asyncio + "
        "httptools client, bench/httpclient.py), client in its own process; servers measured one "
        "at a time on 127.0.0.1",
        f"every server starts empty; customers are created through the API (POST /v1/customers, "
        f"form body, Bearer key, a fresh Idempotency-Key each); {plan.warmup} warm-up creates "
        "first",
        f"at each checkpoint N ({points} customers): the {plan.create_batch:,} creates that grow "
        f"the store from N-{plan.create_batch:,} to N are measured (the earlier ones are an "
        f"unmeasured fill), then {plan.warmup} warm-up and {plan.retrieve_batch:,} measured "
        "retrieves (GET /v1/customers/{id}) of ids drawn uniformly from all N customers, "
        "same seed for every server",
        "req/s = successful requests / wall time of the batch; p50/p99 = nearest-rank percentiles "
        "of per-request latency (time.perf_counter around each request); any non-200 or wrong body "
        "counts as an error",
    ]


# --- one server --------------------------------------------------------------


async def drive(
    server: servers.RunningServer, plan: Plan, deadline: float, rpt: ServerReport
) -> CustomerWorkload:
    """Warm up, then grow the store and measure at each checkpoint."""
    workload = CustomerWorkload()
    with connections(server.base_url, server.api_key, plan.concurrency) as pool:

        async def batch(label: str, count: int, op: Operation) -> Sample:
            sample = await run_batch(
                pool, f"{server.name} {label}", count, op, deadline, server_pid=server.process.pid
            )
            print("  " + report.sample_line(sample), flush=True)
            return sample

        await batch("warm-up create", plan.warmup, workload.create)

        for customers in plan.checkpoints:
            measured_from = customers - plan.create_batch
            while workload.count < measured_from:
                start = workload.count
                # Chunk ends fall on multiples of fill_chunk, so every server
                # reports the same segments.
                end = min(measured_from, (start // plan.fill_chunk + 1) * plan.fill_chunk)
                fill = await batch(f"fill {start:,}->{end:,}", end - start, workload.create)
                rpt.growth.append(Growth(start, end, fill))
            creates = await batch(
                f"create {workload.count:,}->{customers:,}",
                customers - workload.count,
                workload.create,
            )
            rpt.measurements.append(Measurement(server.name, customers, "create", creates))
            workload.plan_retrieves(plan.warmup)
            await batch("warm-up retrieve", plan.warmup, workload.retrieve)
            workload.plan_retrieves(plan.retrieve_batch)
            retrieves = await batch(
                f"retrieve @ {customers:,}", plan.retrieve_batch, workload.retrieve
            )
            rpt.measurements.append(Measurement(server.name, customers, "retrieve", retrieves))
    return workload


async def check_persisted(
    server: servers.RunningServer, workload: CustomerWorkload, deadline: float
) -> str:
    """After a kill and restart, retrieve a sample of the customers created."""
    count = min(PERSISTENCE_SAMPLE, workload.count)
    workload.plan_retrieves(count)
    with connections(server.base_url, server.api_key, 8) as pool:
        sample = await run_batch(
            pool, "persistence", count, workload.retrieve, deadline, max_errors=count
        )
    return (
        f"persistence: killed with SIGKILL, restarted, "
        f"{sample.ok}/{count} sampled customers retrieved"
    )


def run_localstripe(plan: Plan, workdir: Path, deadline: float, rpt: ServerReport) -> None:
    servers.ensure_localstripe_venv()
    rpt.facts.append(servers.localstripe_versions())
    rpt.facts.append(
        "store: in-memory dict, whole store pickled to disk (no fsync) after every write"
    )
    server = servers.start_localstripe(workdir, "sk_test_bench_" + secrets.token_hex(12))
    try:
        asyncio.run(drive(server, plan, deadline, rpt))
    finally:
        server.stop()


def seikyu_versions() -> str:
    names = ("seikyu", "starlette", "uvicorn", "sqlalchemy", "psycopg")
    found = []
    for name in names:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name} (not installed)")
    return ", ".join(found)


def sqlite_journal_mode(database_url: str) -> str:
    path = database_url.removeprefix("sqlite:///")
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        mode: str = conn.execute("PRAGMA journal_mode").fetchone()[0]
    return mode


def run_seikyu(name: str, plan: Plan, workdir: Path, deadline: float, rpt: ServerReport) -> None:
    api_key = "sk_test_bench_" + secrets.token_hex(12)
    if name == "seikyu-sqlite":
        url = servers.sqlite_url(workdir)
        rpt.facts.append(f"SQLite {sqlite3.sqlite_version}, fresh file in {workdir}")
    else:
        url = servers.reset_postgres_db("seikyu_bench")
        rpt.facts.append(
            servers.postgres_facts() + ", fresh database seikyu_bench on 127.0.0.1:5432"
        )
    rpt.facts.append(seikyu_versions())
    # Deployed as recommended: one API process per core on PostgreSQL; SQLite takes one.
    workers = 1 if name == "seikyu-sqlite" else 2
    rpt.facts.append(
        f"seikyu serve --workers {workers}"
        + ("" if workers == 1 else " (server CPU figures cover the supervisor process only)")
    )
    servers.migrate_seikyu(url, api_key)
    server = servers.start_seikyu(name, url, api_key, workdir, workers=workers)
    try:
        workload = asyncio.run(drive(server, plan, deadline, rpt))
    finally:
        server.stop(hard=True)  # hard: the restart below must find only committed data
    # Migrate again before the restart: this check is about the data, and the schema
    # may have moved on if the checkout changed while the run was going.
    servers.migrate_seikyu(url, api_key)
    server = servers.start_seikyu(name, url, api_key, workdir, workers=workers)
    try:
        rpt.facts.append(asyncio.run(check_persisted(server, workload, deadline)))
    finally:
        server.stop()
    if name == "seikyu-sqlite":
        rpt.facts.append(f"SQLite journal_mode after the run: {sqlite_journal_mode(url)}")


def run_target(name: str, plan: Plan, workdir: Path, deadline: float) -> ServerReport:
    rpt = ServerReport(name)
    print(f"\n== {name}", flush=True)
    # Other work on this machine skews figures; the load average shows it.
    rpt.facts.append(f"load average before start: {os.getloadavg()[0]:.2f} (1 min)")
    started = time.monotonic()
    try:
        if name == "localstripe":
            run_localstripe(plan, workdir, deadline, rpt)
        else:
            run_seikyu(name, plan, workdir, deadline, rpt)
    except (servers.ServerError, BatchAborted, OSError) as exc:
        rpt.failure = f"{type(exc).__name__}: {exc}"
        print(f"  FAILED: {rpt.failure}", flush=True)
    rpt.facts.append(f"wall time for this server: {time.monotonic() - started:.0f}s")
    for fact in rpt.facts:
        print(f"  {fact}", flush=True)
    return rpt


# --- whole run ---------------------------------------------------------------


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--quick", action="store_true", help="small counts (200 and 1,000 customers): a smoke run"
    )
    parser.add_argument(
        "--only",
        default=",".join(TARGETS),
        help=f"comma-separated subset of {', '.join(TARGETS)} (default: all)",
    )
    parser.add_argument(
        "--max-minutes", type=float, default=None, help="abort past this (default 120, quick 15)"
    )
    parser.add_argument(
        "--keep-workdir", action="store_true", help="keep server logs and SQLite/pickle files"
    )
    args = parser.parse_args(argv)
    wanted = {t.strip() for t in args.only.split(",") if t.strip()}
    # A fixed order, localstripe first: it is the baseline every ratio needs,
    # so a run cut short by its deadline still has it.
    args.targets = [t for t in TARGETS if t in wanted]
    unknown = sorted(wanted - set(TARGETS))
    if unknown:
        parser.error(f"unknown target(s) {unknown}; choose from {TARGETS}")
    return args


def write_results(reports: list[ServerReport], markdown: str) -> Path:
    RESULTS_DIR.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    path = RESULTS_DIR / f"customers-{stamp}.md"
    path.write_text(markdown)
    raw = [
        {
            "server": r.name,
            "failure": r.failure,
            "facts": r.facts,
            "measurements": [
                {"customers": m.customers, "operation": m.operation, **m.sample.summary()}
                for m in r.measurements
            ],
        }
        for r in reports
    ]
    path.with_suffix(".json").write_text(json.dumps(raw, indent=2))
    return path


def exit_on_sigterm(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    # The servers run in their own sessions, out of reach of signals sent to
    # the harness: turn SIGTERM into an exception so the finally blocks that
    # stop them still run.
    signal.signal(signal.SIGTERM, exit_on_sigterm)
    plan = QUICK if args.quick else FULL
    minutes = args.max_minutes or (15.0 if args.quick else 120.0)
    deadline = time.monotonic() + minutes * 60
    machine = report.machine_facts()
    method = describe(plan)
    print("Machine:\n" + "\n".join(f"  {fact}" for fact in machine))
    print("Method:\n" + "\n".join(f"  {line}" for line in method), flush=True)

    workroot = Path(tempfile.mkdtemp(prefix="seikyu-bench-"))
    reports: list[ServerReport] = []
    try:
        for name in args.targets:
            workdir = workroot / name
            workdir.mkdir()
            reports.append(run_target(name, plan, workdir, deadline))
    finally:
        # A failed run keeps its server logs: they are the only clue to why.
        if args.keep_workdir or any(r.failure for r in reports):
            print(f"\nworkdir kept: {workroot}")
        else:
            shutil.rmtree(workroot, ignore_errors=True)

    checks = report.target_checks(reports, max(plan.checkpoints))
    if args.quick and checks:
        checks.insert(0, "(--quick: the targets are for 10,000 customers; this is a smoke check)")
    markdown = report.markdown_report(reports, machine, method, checks)
    print("\n" + markdown)
    print(f"written: {write_results(reports, markdown)}")
    return 1 if any(r.failure for r in reports) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
