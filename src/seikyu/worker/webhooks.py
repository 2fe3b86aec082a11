"""The webhook worker: sends each delivery that falls due, at least once, signed.

One asyncio loop per worker. It claims due deliveries in a transaction (a lease, see
events/deliveries.py), posts each in a task of its own outside any transaction, and records
the outcomes of the posts that have finished in one transaction per pass, while the others
are still in flight. A post has a deadline for the whole exchange (`timeout`); an endpoint
has at most `per_endpoint` posts in flight and the worker at most `concurrency`, so a
receiver that hangs holds up its own deliveries only. The database work runs in threads,
the loop never waits on it.

Several workers (threads or processes) can run at once: claims do not overlap. A worker that
dies mid-post leaves its claims to lapse; they are taken again, so the receiver may get that
event twice, which Stripe's contract allows (receivers dedupe on `event.id`).
"""

from __future__ import annotations

import asyncio
import logging
import random
import threading
from collections import Counter, defaultdict
from datetime import timedelta
from importlib.metadata import PackageNotFoundError, version

import httpx

from seikyu.core.clock import Clock, monotonic, to_unix
from seikyu.db.uow import Actor, Database
from seikyu.events import deliveries
from seikyu.events.deliveries import Claimed, Job, Outcome
from seikyu.events.signature import header

log = logging.getLogger("seikyu.webhooks")

try:
    _VERSION = version("seikyu")
except PackageNotFoundError:  # pragma: no cover - run from a source tree
    _VERSION = "0"
USER_AGENT = f"Seikyu/{_VERSION} (webhooks)"
CONTENT_TYPE = "application/json; charset=utf-8"

# A claim outlives the post it was taken for (at most `timeout`) by as long again, and at
# least this, to cover the transactions around it: only a worker that died lets one lapse.
LEASE_MARGIN = timedelta(seconds=5)
# Bytes of a receiver's answer read for the attempts log; the rest is not read.
_EXCERPT_BYTES = deliveries.EXCERPT_CHARS * 4


class WebhookWorker:
    def __init__(
        self,
        db: Database,
        *,
        clock: Clock | None = None,
        rng: random.Random | None = None,
        timeout: float = 10.0,
        per_endpoint: int = 4,
        concurrency: int = 32,
        interval: float = 0.5,
        account_id: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        """`clock` is the database's by default; `rng` spreads the retries (seed it for
        repeatable schedules); `timeout` bounds one post, in seconds; `interval` is how
        often an idle worker looks for due deliveries; `account_id` limits the worker to
        one account's deliveries."""
        self.db = db
        self.clock = clock or db.clock
        self.rng = rng or random.Random()
        self.timeout = timeout
        self.per_endpoint = per_endpoint
        self.concurrency = concurrency
        self.interval = interval
        self.account_id = account_id
        self.lease = timedelta(seconds=timeout) + max(timedelta(seconds=timeout), LEASE_MARGIN)
        self._transport = transport
        self.attempts = 0  # posts made, for tests and logs

    def run_until_idle(self) -> int:
        """Send everything due at the clock's time and wait for every outcome to be
        recorded; stops when nothing is due or in flight. Returns the attempts made."""
        before = self.attempts
        asyncio.run(self._run(None))
        return self.attempts - before

    def run_until_stopped(self, stop: threading.Event) -> None:
        """Keep sending what falls due until `stop` is set, then finish the posts in
        flight (each ends within `timeout`) and record them."""
        asyncio.run(self._run(stop))

    async def _run(self, stop: threading.Event | None) -> None:
        limits = httpx.Limits(
            max_connections=self.concurrency, max_keepalive_connections=self.concurrency
        )
        async with httpx.AsyncClient(
            transport=self._transport,
            limits=limits,
            timeout=httpx.Timeout(self.timeout),
            follow_redirects=False,
        ) as client:
            tasks: set[asyncio.Task[Outcome]] = set()
            in_flight: Counter[str] = Counter()
            # Whether the last claim took anything. When it did not, a read that takes no
            # lock asks first, so that a quiet worker does not queue for the write lock
            # every interval.
            more = False
            while True:
                stopping = stop is not None and stop.is_set()
                free = self.concurrency - len(tasks)
                jobs: list[Job] = []
                if free > 0 and not stopping and (more or await asyncio.to_thread(self._due)):
                    claimed = await asyncio.to_thread(self._claim, free, dict(in_flight))
                    jobs, more = claimed.jobs, claimed.taken > 0
                for job in jobs:
                    in_flight[job.endpoint_id] += 1
                    tasks.add(asyncio.create_task(self._send(client, job)))
                if not tasks:
                    if more and not stopping:
                        continue
                    if stop is None or stopping:
                        return
                    await asyncio.to_thread(stop.wait, self.interval)
                    continue
                finished, _ = await asyncio.wait(
                    tasks, timeout=self.interval, return_when=asyncio.FIRST_COMPLETED
                )
                if not finished:
                    continue
                tasks -= finished
                outcomes = [task.result() for task in finished]
                await asyncio.to_thread(self._record, outcomes)
                for outcome in outcomes:
                    in_flight[outcome.job.endpoint_id] -= 1
                    if not in_flight[outcome.job.endpoint_id]:
                        del in_flight[outcome.job.endpoint_id]

    def _due(self) -> bool:
        with self.db.unit(readonly=True, now=self.clock.now()) as uow:
            return deliveries.any_due(uow, self.account_id)

    def _claim(self, free: int, in_flight: dict[str, int]) -> Claimed:
        with self.db.unit(now=self.clock.now()) as uow:
            return deliveries.claim(
                uow,
                limit=free,
                lease=self.lease,
                in_flight=in_flight,
                per_endpoint=self.per_endpoint,
                account_id=self.account_id,
            )

    def _record(self, outcomes: list[Outcome]) -> None:
        """One transaction per account for the lot; if it fails, one per outcome, so that
        one bad row cannot hold back the others (whatever is not recorded is sent again
        when its claim lapses)."""
        groups: dict[tuple[str, bool], list[Outcome]] = defaultdict(list)
        for outcome in outcomes:
            groups[(outcome.job.account_id, outcome.job.livemode)].append(outcome)
        for (account_id, livemode), group in groups.items():
            actor = Actor(account_id, livemode)
            try:
                with self.db.unit(actor, now=self.clock.now()) as uow:
                    deliveries.record(uow, group, self.rng)
                continue
            except Exception:
                if len(group) == 1:
                    log.exception("recording webhook attempt failed; it will be sent again")
                    continue
                log.exception("recording %d webhook attempts failed; one by one", len(group))
            for outcome in group:
                try:
                    with self.db.unit(actor, now=self.clock.now()) as uow:
                        deliveries.record(uow, [outcome], self.rng)
                except Exception:
                    log.exception(
                        "recording the attempt of %s failed; it will be sent again",
                        outcome.job.delivery_id,
                    )

    async def _send(self, client: httpx.AsyncClient, job: Job) -> Outcome:
        sent_at = self.clock.now()
        headers = {
            "Content-Type": CONTENT_TYPE,
            "Stripe-Signature": header(job.payload, list(job.secrets), to_unix(sent_at)),
            "User-Agent": USER_AGENT,
        }
        started = monotonic()
        status: int | None = None
        excerpt: str | None = None
        error: str | None = None
        self.attempts += 1
        try:
            async with (
                asyncio.timeout(self.timeout),
                client.stream("POST", job.url, content=job.payload, headers=headers) as answer,
            ):
                status = answer.status_code
                excerpt = await _excerpt(answer)
        except TimeoutError:
            error = f"No complete answer within {self.timeout:g} s."
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}".rstrip(": ")
        except Exception as exc:
            # A URL the client refuses, for instance; the attempt failed all the same.
            log.exception("posting %s to %s failed", job.delivery_id, job.url)
            error = f"{type(exc).__name__}: {exc}".rstrip(": ")
        if error is not None and status is not None:
            error = f"HTTP {status}, then: {error}"
            status = None
        return Outcome(
            job=job,
            sent_at=sent_at,
            duration_ms=int((monotonic() - started) * 1000),
            status_code=status,
            response_excerpt=excerpt,
            error=error,
        )


async def _excerpt(answer: httpx.Response) -> str:
    read = bytearray()
    async for chunk in answer.aiter_bytes():
        read += chunk
        if len(read) >= _EXCERPT_BYTES:
            break
    return bytes(read).decode("utf-8", errors="replace")[: deliveries.EXCERPT_CHARS]


class WebhookThread(threading.Thread):
    """Runs a webhook worker until stopped; a loop that fails is logged and restarted."""

    def __init__(self, worker: WebhookWorker) -> None:
        super().__init__(name="seikyu-webhooks", daemon=True)
        self._worker = worker
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            try:
                self._worker.run_until_stopped(self._stop_event)
            except Exception:
                log.exception("webhook worker failed; restarting")
                self._stop_event.wait(self._worker.interval)

    def stop(self) -> None:
        """Ask the worker to stop and wait for its posts in flight (each ends within the
        worker's timeout) to be recorded."""
        self._stop_event.set()
        self.join(self._worker.lease.total_seconds())
