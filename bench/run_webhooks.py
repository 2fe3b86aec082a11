"""Benchmark webhook delivery: events queued for several endpoints, delivered end to end by
a real `seikyu worker` process to a local receiver in a process of its own, with that
receiver's own rate for the same requests, posted by a plain client, as the ceiling.

Run from the repository root:

    .venv/bin/python bench/run_webhooks.py [--quick] [--events N] [--endpoints K]
        [--only postgres|sqlite] [--max-minutes M]

For each database (PostgreSQL, then SQLite): a fresh database; N events of one account,
each owed to K endpoints (N x K deliveries, all due), written with bulk inserts (not
timed); then the measured run: one `seikyu worker` process sends every delivery while a
progress line polls the database; then a check (every delivery succeeded with one attempt
recorded, the receiver counted every event at every endpoint, no event still pending). The
ceiling, in the same run: the same bodies and headers posted to the same receiver by an
httpx client (the one the worker uses) with the worker's concurrency (4 per endpoint), no
database involved. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, insert, select

import report
import servers

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import seikyu.app  # noqa: E402  (the composition root first, as the worker imports it)
from seikyu.accounts import service as accounts  # noqa: E402
from seikyu.api.resources import all_routers  # noqa: E402
from seikyu.core.api_version import API_VERSION  # noqa: E402
from seikyu.core.clock import to_unix  # noqa: E402
from seikyu.db.engine import make_engine  # noqa: E402
from seikyu.db.migrate import upgrade  # noqa: E402
from seikyu.db.models import Event  # noqa: E402
from seikyu.db.models.webhook_attempts import WebhookAttempt  # noqa: E402
from seikyu.db.models.webhook_deliveries import WebhookDelivery  # noqa: E402
from seikyu.db.models.webhook_endpoints import WebhookEndpoint  # noqa: E402
from seikyu.db.uow import Actor, Database  # noqa: E402
from seikyu.events.payload import payload  # noqa: E402
from seikyu.events.signature import header, new_secret  # noqa: E402
from seikyu.worker.webhooks import CONTENT_TYPE, USER_AGENT  # noqa: E402

PG_DATABASE = "seikyu_bench_webhooks"
PER_ENDPOINT = 4  # WebhookWorker's default: posts in flight per endpoint
SEIKYU = ROOT / ".venv" / "bin" / "seikyu"
CHUNK = 2000


@dataclass
class Result:
    database: str
    events: int
    endpoints: int
    deliveries: int
    wall: float
    attempts: int
    received: int
    ceiling_wall: float
    load: float

    @property
    def rate(self) -> float:
        return self.deliveries / self.wall

    @property
    def ceiling(self) -> float:
        return self.deliveries / self.ceiling_wall


# --- the receiver ------------------------------------------------------------------------


class ReceiverProcess:
    def __init__(self, workdir: Path) -> None:
        self.port = servers.free_loopback_port()
        self.log_path = workdir / "receiver.log"
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "tests.support.receivers", "--port", str(self.port)],
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=ROOT,
            )
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                self.counts()
                return
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError(f"receiver not ready:\n{self.log_path.read_text()}")

    def counts(self) -> dict[str, int]:
        answer: dict[str, int] = httpx.get(self.url + "/_counts", timeout=5).json()
        return answer

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


# --- seeding -------------------------------------------------------------------------------


def customer_object(number: int, created: int) -> dict[str, Any]:
    """A customer as Seikyu renders one: the usual size of an event's object."""
    return {
        "id": f"cus_bench{number:08d}",
        "object": "customer",
        "address": None,
        "balance": 0,
        "created": created,
        "currency": None,
        "default_source": None,
        "delinquent": False,
        "description": None,
        "discount": None,
        "email": f"customer{number}@example.com",
        "invoice_prefix": f"B{number:07X}",
        "invoice_settings": {
            "custom_fields": None,
            "default_payment_method": None,
            "footer": None,
            "rendering_options": None,
        },
        "livemode": False,
        "metadata": {"plan": "pro"},
        "name": f"Customer {number}",
        "next_invoice_sequence": 1,
        "phone": None,
        "preferred_locales": [],
        "shipping": None,
        "tax_exempt": "none",
        "test_clock": None,
    }


def seed(db: Database, receiver_url: str, events: int, endpoints: int) -> tuple[str, int]:
    """N customer.created events, each owed to K endpoints, all due now."""
    with db.unit() as uow:
        account = accounts.create_account(uow, name="bench")
        account_id = account.id
    ids = []
    with db.unit(Actor(account_id)) as uow:
        for number in range(endpoints):
            endpoint_id = uow.new_id("we")
            ids.append(endpoint_id)
            uow.session.add(
                WebhookEndpoint(
                    id=endpoint_id,
                    account_id=account_id,
                    livemode=False,
                    created=uow.now,
                    url=f"{receiver_url}/endpoint-{number}",
                    description=None,
                    enabled_events=["*"],
                    api_version=None,
                    metadata_={},
                    status="enabled",
                    secret=new_secret(),
                    previous_secret=None,
                    previous_secret_expires_at=None,
                    failing_since=None,
                    disabled_reason=None,
                    deleted_at=None,
                )
            )
    for start in range(0, events, CHUNK):
        with db.unit(Actor(account_id)) as uow:
            now = uow.now
            rows, owed = [], []
            for number in range(start, min(start + CHUNK, events)):
                event_id = uow.new_id("evt")
                rows.append(
                    {
                        "id": event_id,
                        "account_id": account_id,
                        "livemode": False,
                        "created": now,
                        "type": "customer.created",
                        "api_version": API_VERSION,
                        "object_id": f"cus_bench{number:08d}",
                        "data": {"object": customer_object(number, to_unix(now))},
                        "request_id": None,
                        "idempotency_key": None,
                        "pending_webhooks": endpoints,
                    }
                )
                owed += [
                    {
                        "id": uow.new_id("whdel"),
                        "account_id": account_id,
                        "livemode": False,
                        "created": now,
                        "event_id": event_id,
                        "endpoint_id": endpoint_id,
                        "status": "pending",
                        "attempts": 0,
                        "next_attempt_at": now,
                        "claimed_until": None,
                        "last_attempt_at": None,
                        "last_status_code": None,
                    }
                    for endpoint_id in ids
                ]
            uow.session.execute(insert(Event), rows)
            uow.session.execute(insert(WebhookDelivery), owed)
    return account_id, events * endpoints


# --- the measured run -------------------------------------------------------------------


def succeeded(db: Database, account_id: str) -> int:
    with db.unit(readonly=True) as uow:
        stmt = select(func.count()).where(
            WebhookDelivery.account_id == account_id, WebhookDelivery.status == "succeeded"
        )
        return int(uow.session.scalar(stmt) or 0)


def deliver(
    db: Database, url: str, account_id: str, total: int, workdir: Path, deadline: float
) -> float:
    """Wall seconds for one `seikyu worker` process to deliver everything."""
    log_path = workdir / "worker.log"
    with log_path.open("wb") as log:
        began = time.perf_counter()
        worker = subprocess.Popen(
            [str(SEIKYU), "worker", "--interval", "1", "--account", account_id,
             "--database-url", url],
            stdout=log, stderr=subprocess.STDOUT, cwd=workdir,
        )  # fmt: skip
    try:
        done = 0
        while done < total:
            if time.monotonic() > deadline:
                raise RuntimeError(f"out of time at {done}/{total}")
            if worker.poll() is not None:
                raise RuntimeError(f"worker exited:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.5)
            done = succeeded(db, account_id)
            spent = time.perf_counter() - began
            print(
                f"\r  delivered {done:>7,}/{total:,}  {spent:6.1f}s  {done / spent:7.1f}/s",
                end="",
                flush=True,
            )
        wall = time.perf_counter() - began
        print()
        return wall
    finally:
        worker.terminate()
        worker.wait(timeout=60)


def check(db: Database, account_id: str, total: int, receiver: ReceiverProcess) -> int:
    """Attempts recorded; raises if anything was not delivered and recorded."""
    with db.unit(readonly=True) as uow:
        attempts = int(
            uow.session.scalar(select(func.count()).where(WebhookAttempt.account_id == account_id))
            or 0
        )
        still_pending = int(
            uow.session.scalar(
                select(func.count()).where(
                    Event.account_id == account_id, Event.pending_webhooks != 0
                )
            )
            or 0
        )
        good = int(
            uow.session.scalar(
                select(func.count()).where(
                    WebhookAttempt.account_id == account_id, WebhookAttempt.succeeded
                )
            )
            or 0
        )
    received = sum(receiver.counts().values())
    problems = []
    if good < total:
        problems.append(f"{good} successful attempts for {total} deliveries")
    if still_pending:
        problems.append(f"{still_pending} events still count pending webhooks")
    if received < total:
        problems.append(f"the receiver counted {received} requests for {total} deliveries")
    if problems:
        raise RuntimeError("; ".join(problems))
    return attempts


# --- the ceiling -------------------------------------------------------------------------


def requests_of(db: Database, account_id: str) -> list[tuple[str, bytes, str]]:
    """(url, body, secret) of every delivery, as the worker would send them."""
    with db.unit(readonly=True) as uow:
        targets = {
            e.id: (e.url, e.secret)
            for e in uow.session.scalars(
                select(WebhookEndpoint).where(WebhookEndpoint.account_id == account_id)
            )
        }
        bodies = {
            e.id: payload(e)
            for e in uow.session.scalars(select(Event).where(Event.account_id == account_id))
        }
        pairs = uow.session.execute(
            select(WebhookDelivery.event_id, WebhookDelivery.endpoint_id).where(
                WebhookDelivery.account_id == account_id
            )
        ).all()
    return [(targets[ep][0], bodies[ev], targets[ep][1]) for ev, ep in pairs]


async def post_all(requests: list[tuple[str, bytes, str]], endpoints: int) -> float:
    """Wall seconds to post every request, PER_ENDPOINT at a time per endpoint."""
    by_url: dict[str, list[tuple[bytes, str]]] = {}
    for url, body, secret in requests:
        by_url.setdefault(url, []).append((body, secret))
    concurrency = PER_ENDPOINT * endpoints
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=10.0) as client:

        async def lane(url: str, work: list[tuple[bytes, str]]) -> None:
            for body, secret in work:
                signed = header(body, [secret], int(time.time()))
                headers = {
                    "Content-Type": CONTENT_TYPE,
                    "Stripe-Signature": signed,
                    "User-Agent": USER_AGENT,
                }
                answer = await client.post(url, content=body, headers=headers)
                if answer.status_code != 200:
                    raise RuntimeError(f"receiver answered {answer.status_code}")

        began = time.perf_counter()
        lanes = [
            lane(url, work[index::PER_ENDPOINT])
            for url, work in by_url.items()
            for index in range(PER_ENDPOINT)
        ]
        await asyncio.gather(*lanes)
        return time.perf_counter() - began


# --- one database ------------------------------------------------------------------------


def run_one(
    name: str,
    url: str,
    workdir: Path,
    receiver: ReceiverProcess,
    args: argparse.Namespace,
    deadline: float,
) -> Result:
    load = os.getloadavg()[0]
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    db = seikyu.app.build_database(url, pool_size=4)
    try:
        began = time.perf_counter()
        account_id, total = seed(db, receiver.url, args.events, args.endpoints)
        print(f"  seeded {args.events:,} events, {total:,} deliveries in "
              f"{time.perf_counter() - began:.1f}s")  # fmt: skip
        before = sum(receiver.counts().values())
        wall = deliver(db, url, account_id, total, workdir, deadline)
        attempts = check(db, account_id, total, receiver)
        received = sum(receiver.counts().values()) - before
        print(f"  checked: {attempts:,} attempts, {received:,} requests received")
        work = requests_of(db, account_id)
        ceiling_wall = asyncio.run(post_all(work, args.endpoints))
        print(f"  ceiling: {len(work):,} posts in {ceiling_wall:.1f}s "
              f"({len(work) / ceiling_wall:,.0f}/s)")  # fmt: skip
    finally:
        db.dispose()
    return Result(
        name, args.events, args.endpoints, total, wall, attempts, received, ceiling_wall, load
    )


def markdown(results: list[Result], facts: list[str], args: argparse.Namespace) -> str:
    lines = ["Machine:", ""]
    lines += [f"- {fact}" for fact in facts]
    lines += [
        "",
        "| Database | Events | Endpoints | Deliveries | Load | Wall s | Deliveries/s "
        "| Ceiling/s | Measured / ceiling |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r.database} | {r.events:,} | {r.endpoints} | {r.deliveries:,} | {r.load:.2f} "
            f"| {r.wall:.1f} | {r.rate:,.0f} | {r.ceiling:,.0f} | {r.rate / r.ceiling:.1%} |"
        )
    lines += [
        "",
        f"Every run checked: each delivery succeeded, {args.endpoints} x {args.events:,} "
        "requests counted by the receiver, no event left with pending webhooks.",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--endpoints", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="1,000 events")
    parser.add_argument("--only", choices=["postgres", "sqlite"])
    parser.add_argument("--max-minutes", type=float, default=30.0)
    args = parser.parse_args()
    if args.quick:
        args.events = 1_000
    all_routers()
    deadline = time.monotonic() + args.max_minutes * 60
    facts = report.machine_facts()
    for fact in facts:
        print(fact)
    workroot = Path(tempfile.mkdtemp(prefix="seikyu-bench-webhooks-"))
    receiver = ReceiverProcess(workroot)
    plans: list[tuple[str, Callable[[], str]]] = []
    if args.only in (None, "postgres"):
        plans.append(("PostgreSQL", lambda: servers.reset_postgres_db(PG_DATABASE)))
    if args.only in (None, "sqlite"):
        plans.append(("SQLite", lambda: servers.sqlite_url(workroot)))
    results = []
    try:
        for name, make_url in plans:
            print(f"{name}:")
            if name == "PostgreSQL":
                facts.append(servers.postgres_facts())
            results.append(run_one(name, make_url(), workroot, receiver, args, deadline))
    finally:
        receiver.stop()
    text = markdown(results, facts, args)
    print()
    print(text)
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (out / f"webhooks-{stamp}.md").write_text(text + "\n")
    shutil.rmtree(workroot, ignore_errors=True)


if __name__ == "__main__":
    main()
