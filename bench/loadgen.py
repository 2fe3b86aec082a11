"""Closed-loop HTTP load generator: a fixed number of requests over N workers.

Each worker owns one keep-alive connection and sends its next request as soon
as the previous one answered, so the server always has exactly
``concurrency`` requests in flight. Every loop is bounded by a request count
and by a wall-clock deadline, so a stuck server cannot hang the run.
"""

from __future__ import annotations

import asyncio
import math
import os
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from httpclient import Connection, HttpError

REQUEST_TIMEOUT_S = 30.0


class RequestFailed(Exception):
    """A response that arrived but was not the success the workload expects."""


class BatchAborted(Exception):
    """A batch stopped early: too many failures, or past its deadline."""


# An operation sends request number ``i`` of a batch and raises on failure.
Operation = Callable[[Connection, int], Awaitable[None]]


@dataclass(frozen=True)
class Sample:
    """What one batch of requests measured."""

    label: str
    ok: int
    errors: int
    elapsed_s: float
    latencies_ms: tuple[float, ...]  # successful requests only, sorted
    first_errors: tuple[str, ...]
    # CPU seconds spent during the batch: the load generator, and the server's
    # main process (a database server's own processes are not in it).
    client_cpu_s: float
    server_cpu_s: float | None

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

    def summary(self) -> dict[str, str | int | float]:
        """The figures, without the raw latencies (for the JSON results file)."""
        return {
            "label": self.label,
            "ok": self.ok,
            "errors": self.errors,
            "elapsed_s": self.elapsed_s,
            "rps": self.rps,
            "p50_ms": self.p50_ms,
            "p99_ms": self.p99_ms,
            "client_cpu_s": self.client_cpu_s,
            "server_cpu_s": -1.0 if self.server_cpu_s is None else self.server_cpu_s,
        }


def process_cpu_s(pid: int | None) -> float | None:
    """User + system CPU seconds of one process, read from /proc."""
    if pid is None:
        return None
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name may contain spaces; fields after its ")" start at
    # field 3, so utime (field 14) and stime (15) are at 11 and 12.
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def connections(base_url: str, api_key: str, count: int) -> Iterator[list[Connection]]:
    """``count`` keep-alive connections, closed on exit."""
    url = urlsplit(base_url)
    if url.hostname is None or url.port is None:
        raise ValueError(f"need http://host:port, got {base_url!r}")
    headers = {"Authorization": f"Bearer {api_key}", "User-Agent": "seikyu-bench"}
    pool = [Connection(url.hostname, url.port, headers, REQUEST_TIMEOUT_S) for _ in range(count)]
    try:
        yield pool
    finally:
        for conn in pool:
            conn.close()


async def run_batch(
    pool: list[Connection],
    label: str,
    count: int,
    op: Operation,
    deadline: float,
    max_errors: int = 20,
    server_pid: int | None = None,
) -> Sample:
    """Send ``count`` requests through one worker per connection and time each.

    ``deadline`` is a ``time.monotonic()`` instant; past it the batch aborts.
    """
    indices = iter(range(count))  # shared: each index goes to exactly one worker
    latencies: list[float] = []
    errors: list[str] = []

    async def worker(conn: Connection) -> None:
        for i in indices:
            if time.monotonic() > deadline:
                raise BatchAborted(f"{label}: deadline passed after {len(latencies)} requests")
            started = time.perf_counter()
            try:
                await op(conn, i)
            except (HttpError, RequestFailed) as exc:
                errors.append(f"#{i}: {exc}")
                if len(errors) > max_errors:
                    raise BatchAborted(f"{label}: {len(errors)} failures: {errors[:3]}") from exc
                continue
            latencies.append((time.perf_counter() - started) * 1000)

    server_cpu_before = process_cpu_s(server_pid)
    client_cpu_before = time.process_time()
    started = time.perf_counter()
    try:
        # A TaskGroup cancels the other workers as soon as one aborts.
        async with asyncio.TaskGroup() as group:
            for conn in pool:
                group.create_task(worker(conn))
    except* BatchAborted as aborted:
        raise aborted.exceptions[0] from None
    elapsed = time.perf_counter() - started
    client_cpu = time.process_time() - client_cpu_before
    server_cpu_after = process_cpu_s(server_pid)
    server_cpu = (
        None
        if server_cpu_before is None or server_cpu_after is None
        else server_cpu_after - server_cpu_before
    )
    return Sample(
        label=label,
        ok=len(latencies),
        errors=len(errors),
        elapsed_s=elapsed,
        latencies_ms=tuple(sorted(latencies)),
        first_errors=tuple(errors[:5]),
        client_cpu_s=client_cpu,
        server_cpu_s=server_cpu,
    )
