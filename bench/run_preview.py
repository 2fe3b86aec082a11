"""Benchmark invoice previews: POST /v1/invoices/create_preview for a subscription, with a
plain GET /v1/customers/{id} on the same server as the ceiling.

Run from the repository root:

    .venv/bin/python bench/run_preview.py [--quick] [--only seikyu-sqlite]

Each server (SQLite, then PostgreSQL) runs alone on a fresh store and a loopback port.
The subscription is set up through the official SDK: 5 items, one priced in graduated
tiers, a percent-off coupon and two tax rates. Then, over one keep-alive connection,
sequential requests (one in flight): warm-up previews, measured previews, warm-up
retrieves, measured retrieves. See bench/README.md.
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
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode

import stripe

import report
import servers
from customers import FORM_HEADERS, stripe_version
from httpclient import Connection
from loadgen import BatchAborted, RequestFailed, Sample, connections, run_batch
from run_customers import seikyu_versions

TARGETS = ("seikyu-sqlite", "seikyu-postgres")
RESULTS_DIR = servers.BENCH_DIR / "results"
# The preview's target, for SQLite; PostgreSQL's figures are reported beside it.
P99_TARGET_MS = 25.0
TARGET_SERVER = "seikyu-sqlite"


@dataclass(frozen=True)
class Plan:
    warmup: int  # unmeasured requests of each kind before measuring
    requests: int  # measured requests of each kind, one at a time


FULL = Plan(warmup=100, requests=2_000)
QUICK = Plan(warmup=20, requests=300)


def describe(plan: Plan) -> list[str]:
    return [
        "one keep-alive HTTP/1.1 connection, one request in flight (sequential), client "
        "(bench/httpclient.py) in its own process; servers measured one at a time on 127.0.0.1",
        "set-up through the official SDK on a fresh store: a customer with a card, 5 monthly "
        "prices (one graduated in 3 tiers, quantity 12; four per-unit, quantities 1 to 4), a "
        "20% forever coupon and two exclusive tax rates (8%, 2.5%) as the subscription's "
        "defaults; the subscription's first invoice is paid",
        f"{plan.warmup} warm-up, then {plan.requests:,} measured "
        "`POST /v1/invoices/create_preview` (`subscription=sub_...`, form body, Bearer key, "
        "the SDK's Stripe-Version); each answer must be 200 with the same total as the first",
        f"then {plan.warmup} warm-up and {plan.requests:,} measured `GET /v1/customers/{{id}}` "
        "of the subscription's customer on the same server: the ceiling, what the request "
        "pipeline costs with almost no work",
        "p50/p99 = nearest-rank percentiles of per-request latency (time.perf_counter around "
        "each request); req/s = requests / wall time of the batch",
    ]


# --- the subscription ------------------------------------------------------------------


@dataclass
class Fixture:
    subscription: str
    customer: str
    total: int = 0
    facts: list[str] = field(default_factory=list)


def set_up(base_url: str, api_key: str) -> Fixture:
    client = stripe.StripeClient(api_key, base_addresses={"api": base_url}, max_network_retries=0)
    v1 = client.v1
    customer = v1.customers.create(params={"email": "bench@example.com", "name": "Bench"})
    card = v1.payment_methods.attach("pm_card_visa", params={"customer": customer.id})
    v1.customers.update(
        customer.id, params={"invoice_settings": {"default_payment_method": card.id}}
    )
    product = v1.products.create(params={"name": "Seats"}).id
    monthly = {"currency": "usd", "recurring": {"interval": "month"}}
    tiered = v1.prices.create(
        params={
            **monthly,
            "product": product,
            "billing_scheme": "tiered",
            "tiers_mode": "graduated",
            "tiers": [
                {"up_to": 5, "unit_amount": 1000},
                {"up_to": 10, "unit_amount": 800, "flat_amount": 300},
                {"up_to": "inf", "unit_amount": 600},
            ],
        }
    )
    items: list[dict[str, object]] = [{"price": tiered.id, "quantity": 12}]
    for n, amount in enumerate((2000, 1500, 999, 250), start=1):
        addon = v1.products.create(params={"name": f"Add-on {n}"}).id
        price = v1.prices.create(params={**monthly, "product": addon, "unit_amount": amount})
        items.append({"price": price.id, "quantity": n})
    coupon = v1.coupons.create(params={"percent_off": 20, "duration": "forever"})
    rates = [
        v1.tax_rates.create(
            params={"display_name": name, "percentage": percentage, "inclusive": False}
        ).id
        for name, percentage in (("State", Decimal(8)), ("City", Decimal("2.5")))
    ]
    subscription = v1.subscriptions.create(
        params={
            "customer": customer.id,
            "items": items,
            "discounts": [{"coupon": coupon.id}],
            "default_tax_rates": rates,
        }
    )
    if subscription.status != "active":
        raise servers.ServerError(f"set-up subscription is {subscription.status}, not active")
    return Fixture(subscription.id, customer.id)


class PreviewWorkload:
    """The same preview request each time; every answer must show the same invoice."""

    def __init__(self, fixture: Fixture) -> None:
        self.fixture = fixture
        version = stripe_version()
        self._headers = {**FORM_HEADERS, **({"Stripe-Version": version} if version else {})}
        self._body = urlencode({"subscription": fixture.subscription}).encode()
        self._total: bytes | None = None

    async def preview(self, conn: Connection, _i: int) -> None:
        response = await conn.post(
            "/v1/invoices/create_preview", content=self._body, headers=self._headers
        )
        if response.status_code != 200:
            raise RequestFailed(f"preview: HTTP {response.status_code}: {response.text[:200]}")
        if self._total is None:
            shown = json.loads(response.content)
            self.fixture.total = int(shown["total"])
            self.fixture.facts.append(
                f"previewed invoice: {len(shown['lines']['data'])} lines, subtotal "
                f"{shown['subtotal']}, discount {shown['total_discount_amounts'][0]['amount']}, "
                f"taxes {sorted(t['amount'] for t in shown['total_taxes'])}, "
                f"total {shown['total']}"
            )
            self._total = f'"total":{shown["total"]},'.encode()
        # A byte search, not a parse, keeps the client's CPU (shared with the server) low.
        if self._total not in response.content or b'"upcoming_in_' not in response.content:
            raise RequestFailed(f"preview: not the invoice previewed first: {response.text[:200]}")

    async def retrieve(self, conn: Connection, _i: int) -> None:
        customer = self.fixture.customer
        response = await conn.get(f"/v1/customers/{customer}", headers=self._headers)
        if response.status_code != 200 or f'"{customer}"'.encode() not in response.content:
            raise RequestFailed(f"retrieve: HTTP {response.status_code}: {response.text[:200]}")


# --- one server --------------------------------------------------------------------------


@dataclass
class ServerRun:
    name: str
    facts: list[str] = field(default_factory=list)
    samples: dict[str, Sample] = field(default_factory=dict)
    failure: str | None = None


async def measure(
    server: servers.RunningServer, plan: Plan, workload: PreviewWorkload, deadline: float
) -> dict[str, Sample]:
    measured: dict[str, Sample] = {}
    with connections(server.base_url, server.api_key, 1) as pool:
        for kind, op in (("create_preview", workload.preview), ("customer GET", workload.retrieve)):
            for label, count in ((f"warm-up {kind}", plan.warmup), (kind, plan.requests)):
                sample = await run_batch(
                    pool, f"{server.name} {label}", count, op, deadline,
                    server_pid=server.process.pid,
                )  # fmt: skip
                print("  " + report.sample_line(sample), flush=True)
                if label == kind:
                    measured[kind] = sample
    return measured


def run_seikyu(name: str, plan: Plan, workdir: Path, deadline: float) -> ServerRun:
    run = ServerRun(name)
    print(f"\n== {name}", flush=True)
    run.facts.append(f"load average before start: {os.getloadavg()[0]:.2f} (1 min)")
    api_key = "sk_test_bench_" + secrets.token_hex(12)
    try:
        if name == "seikyu-sqlite":
            url = servers.sqlite_url(workdir)
            run.facts.append(f"SQLite {sqlite3.sqlite_version}, fresh file in {workdir}")
        else:
            url = servers.reset_postgres_db("seikyu_bench")
            run.facts.append(
                servers.postgres_facts() + ", fresh database seikyu_bench on 127.0.0.1:5432"
            )
        run.facts.append(seikyu_versions())
        # As deployed: one API process per core on PostgreSQL; SQLite takes one.
        workers = 1 if name == "seikyu-sqlite" else 2
        run.facts.append(f"seikyu serve --workers {workers}")
        servers.migrate_seikyu(url, api_key)
        server = servers.start_seikyu(name, url, api_key, workdir, workers=workers)
        try:
            fixture = set_up(server.base_url, api_key)
            workload = PreviewWorkload(fixture)
            run.samples = asyncio.run(measure(server, plan, workload, deadline))
            run.facts.extend(fixture.facts)
        finally:
            server.stop()
    except (servers.ServerError, BatchAborted, OSError, stripe.StripeError) as exc:
        run.failure = f"{type(exc).__name__}: {exc}"
        print(f"  FAILED: {run.failure}", flush=True)
    for fact in run.facts:
        print(f"  {fact}", flush=True)
    return run


# --- the report --------------------------------------------------------------------------


def table(runs: list[ServerRun]) -> str:
    rows = [
        "| Server | Request | Requests | req/s | p50 ms | p99 ms | p99 vs customer GET |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for run in runs:
        ceiling = run.samples.get("customer GET")
        for kind, sample in run.samples.items():
            ratio = (
                f"{sample.p99_ms / ceiling.p99_ms:.1f}x" if ceiling and ceiling.p99_ms else "n/a"
            )
            rows.append(
                f"| {run.name} | {kind} | {sample.ok:,} | {sample.rps:,.0f} | "
                f"{report.fmt_ms(sample.p50_ms)} | {report.fmt_ms(sample.p99_ms)} | {ratio} |"
            )
    return "\n".join(rows)


def checks(runs: list[ServerRun]) -> list[str]:
    lines = []
    for run in runs:
        sample = run.samples.get("create_preview")
        if sample is None:
            continue
        what = f"{run.name} create_preview: p99 {report.fmt_ms(sample.p99_ms)} ms"
        if run.name == TARGET_SERVER:
            lines.append(report.verdict(what, sample.p99_ms < P99_TARGET_MS,
                                        f"< {P99_TARGET_MS:g} ms"))  # fmt: skip
        else:
            lines.append(f"(no target)  {what}")
    return lines


def markdown(runs: list[ServerRun], machine: list[str], method: list[str]) -> str:
    parts = ["## Results: invoice preview", "", "Machine:", ""]
    parts += [f"- {fact}" for fact in machine]
    parts += ["", "Method:", ""] + [f"- {line}" for line in method]
    for run in runs:
        parts += ["", f"{run.name}:", ""] + [f"- {fact}" for fact in run.facts]
        if run.failure:
            parts.append(f"- did not complete: {run.failure.splitlines()[0]}")
    parts += ["", table(runs), "", "Targets:", "", "```", *checks(runs), "```", ""]
    return "\n".join(parts)


def write_results(runs: list[ServerRun], text: str) -> Path:
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"preview-{time.strftime('%Y%m%d-%H%M%S', time.gmtime())}.md"
    path.write_text(text)
    raw = [
        {
            "server": run.name,
            "failure": run.failure,
            "facts": run.facts,
            "measurements": {kind: s.summary() for kind, s in run.samples.items()},
        }
        for run in runs
    ]
    path.with_suffix(".json").write_text(json.dumps(raw, indent=2))
    return path


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="300 requests of each kind")
    parser.add_argument(
        "--only",
        default=",".join(TARGETS),
        help=f"comma-separated subset of {', '.join(TARGETS)} (default: all)",
    )
    parser.add_argument(
        "--max-minutes", type=float, default=15.0, help="abort past this (default 15)"
    )
    parser.add_argument("--keep-workdir", action="store_true", help="keep server logs and files")
    args = parser.parse_args(argv)
    wanted = {t.strip() for t in args.only.split(",") if t.strip()}
    unknown = sorted(wanted - set(TARGETS))
    if unknown:
        parser.error(f"unknown target(s) {unknown}; choose from {TARGETS}")
    args.targets = [t for t in TARGETS if t in wanted]
    return args


def exit_on_sigterm(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    # The servers run in their own sessions: SIGTERM becomes an exception so the finally
    # blocks that stop them still run.
    signal.signal(signal.SIGTERM, exit_on_sigterm)
    plan = QUICK if args.quick else FULL
    deadline = time.monotonic() + args.max_minutes * 60
    machine = report.machine_facts()
    method = describe(plan)
    print("Machine:\n" + "\n".join(f"  {fact}" for fact in machine))
    print("Method:\n" + "\n".join(f"  {line}" for line in method), flush=True)
    workroot = Path(tempfile.mkdtemp(prefix="seikyu-bench-preview-"))
    runs: list[ServerRun] = []
    try:
        for name in args.targets:
            workdir = workroot / name
            workdir.mkdir()
            runs.append(run_seikyu(name, plan, workdir, deadline))
    finally:
        if args.keep_workdir or any(run.failure for run in runs):
            print(f"\nworkdir kept: {workroot}")
        else:
            shutil.rmtree(workroot, ignore_errors=True)
    text = markdown(runs, machine, method)
    print("\n" + text)
    print(f"written: {write_results(runs, text)}")
    return 1 if any(run.failure for run in runs) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
