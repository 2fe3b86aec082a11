"""Closed-loop HTTP load generator: a fixed number of requests over N workers.

Each worker owns one keep-alive connection's worth of concurrency and sends its
next request as soon as the previous one answered, so the server always has
exactly ``concurrency`` requests in flight. Every loop is bounded by a request
count and by a wall-clock deadline, so a stuck server cannot hang the run.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx

REQUEST_TIMEOUT_S = 30.0


class RequestFailed(Exception):
    """A response that arrived but was not the success the workload expects."""


class BatchAborted(Exception):
    """A batch stopped early: too many failures, or past its deadline."""


# An operation sends request number ``i`` of a batch and raises on failure.
Operation = Callable[[httpx.AsyncClient, int], Awaitable[None]]


@dataclass(frozen=True)
class Sample:
    """What one batch of requests measured."""

    label: str
    ok: int
    errors: int
    elapsed_s: float
    latencies_ms: tuple[float, ...]  # successful requests only, sorted
    first_errors: tuple[str, ...]

    @property
    def rps(self) -> float:
        return self.ok / self.elapsed_s if self.elapsed_s > 0 else 0.0

    def percentile_ms(self, q: float) -> float:
        """Nearest-rank percentile: a latency some request really had."""
        if not self.latencies_ms:
            return math.nan
        rank = max(1, math.ceil(q / 100 * len(self.latencies_ms)))
        return self.latencies_ms[rank - 1]

    @property
    def p50_ms(self) -> float:
        return self.percentile_ms(50)

    @property
    def p99_ms(self) -> float:
        return self.percentile_ms(99)


def make_client(base_url: str, api_key: str, concurrency: int) -> httpx.AsyncClient:
    """One pooled HTTP/1.1 client; its pool size equals the worker count."""
    limits = httpx.Limits(
        max_connections=concurrency,
        max_keepalive_connections=concurrency,
        keepalive_expiry=60.0,
    )
    return httpx.AsyncClient(
        base_url=base_url,
        headers={"Authorization": f"Bearer {api_key}"},
        limits=limits,
        timeout=REQUEST_TIMEOUT_S,
    )


async def run_batch(
    client: httpx.AsyncClient,
    label: str,
    count: int,
    concurrency: int,
    op: Operation,
    deadline: float,
    max_errors: int = 20,
) -> Sample:
    """Send ``count`` requests through ``concurrency`` workers and time each.

    ``deadline`` is a ``time.monotonic()`` instant; past it the batch aborts.
    """
    indices = iter(range(count))  # shared: each index goes to exactly one worker
    latencies: list[float] = []
    errors: list[str] = []

    async def worker() -> None:
        for i in indices:
            if time.monotonic() > deadline:
                raise BatchAborted(f"{label}: deadline passed after {len(latencies)} requests")
            started = time.perf_counter()
            try:
                await op(client, i)
            except (httpx.HTTPError, RequestFailed) as exc:
                errors.append(f"#{i}: {exc!r}")
                if len(errors) > max_errors:
                    raise BatchAborted(f"{label}: {len(errors)} failures, first: {errors[:3]}") from exc
                continue
            latencies.append((time.perf_counter() - started) * 1000)

    started = time.perf_counter()
    try:
        # A TaskGroup cancels the other workers as soon as one aborts.
        async with asyncio.TaskGroup() as group:
            for _ in range(concurrency):
                group.create_task(worker())
    except* BatchAborted as aborted:
        raise aborted.exceptions[0] from None
    elapsed = time.perf_counter() - started
    return Sample(
        label=label,
        ok=len(latencies),
        errors=len(errors),
        elapsed_s=elapsed,
        latencies_ms=tuple(sorted(latencies)),
        first_errors=tuple(errors[:5]),
    )
