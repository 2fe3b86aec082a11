"""The process's one writer of meter events: group commit for many concurrent requests.

Requests hand in validated jobs and wait on a future. One thread takes every job waiting
and writes them all in one transaction: one commit (and one fsync) for hundreds of
requests instead of one each, and one bulk insert instead of a statement per event.
While it commits, the next group gathers, so the group size follows the load. On SQLite,
when small requests arrive back to back, the writer also waits up to a millisecond for
more before writing, since each group costs a commit whatever its size. On PostgreSQL two
such threads write, each its own group: a group spends most of its time waiting for the
database, and the other thread's group is written meanwhile.
"""

from __future__ import annotations

import logging
import queue
import threading

from sqlalchemy.exc import OperationalError

from seikyu.core.clock import monotonic
from seikyu.core.errors import ErrorType, Kind, SeikyuError
from seikyu.db.uow import Database
from seikyu.metering.ingest_group import write_group
from seikyu.metering.ingest_idempotency import KeyTakenMeanwhile
from seikyu.metering.ingest_jobs import Job, Reply
from seikyu.metering.ingest_lookups import Lookups

log = logging.getLogger("seikyu.metering")

MAX_GROUP_EVENTS = 20_000
ATTEMPTS = 3
POSTGRES_WRITERS = 2  # SQLite has one writer at a time: one thread there
# How long SQLite's writer waits for more requests when they arrive back to back: each
# group costs a commit (an fsync) and its statements, whatever its size, so a group of
# one or two at a time made v1 at 8 connections wait on commits. On PostgreSQL the usual
# group is the event loop's (loop_writer), and the threads do not wait.
LINGER_S = 0.001
# A group this large already spreads its commit thin: a stream request alone is 100 events.
LINGER_EVENTS = 64
_STOP = object()


class Ingester:
    def __init__(
        self,
        db: Database,
        *,
        max_group_events: int = MAX_GROUP_EVENTS,
        writers: int | None = None,
        linger: float | None = None,
    ) -> None:
        self._db = db
        self._max_group_events = max_group_events
        self._linger = (LINGER_S if db.is_sqlite else 0.0) if linger is None else linger
        self._writers = writers or (1 if db.is_sqlite else POSTGRES_WRITERS)
        self._lookups = Lookups()
        self._queue: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    @property
    def lookups(self) -> Lookups:
        return self._lookups

    def start(self) -> None:
        with self._lock:
            if not self._threads:
                self._threads = [
                    threading.Thread(
                        target=self._run, name=f"seikyu-meter-ingester-{n}", daemon=True
                    )
                    for n in range(self._writers)
                ]
                for thread in self._threads:
                    thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Write what is queued, then stop."""
        with self._lock:
            threads, self._threads = self._threads, []
        for _ in threads:
            self._queue.put(_STOP)  # queued after every job already submitted
        for thread in threads:
            thread.join(timeout)

    def submit(self, job: Job) -> Job:
        """Queue the job; its future resolves once its group has committed."""
        if not self._threads:
            self.start()  # a tool or test that skipped the app's startup hooks
        self._queue.put(job)
        return job

    def _run(self) -> None:
        stopping = False
        while not stopping:
            group, stopping = self._next_group()
            if group:
                self.write(group)

    def _next_group(self) -> tuple[list[Job], bool]:
        """The jobs waiting, and whether this thread was told to stop after them.

        When a job was already waiting as the thread came back from its last group, requests
        are arriving back to back: the thread then waits up to `linger` for more while the
        group is under LINGER_EVENTS events, so that one commit serves them. A lone request
        finds the thread waiting for it and is written at once."""
        try:
            first = self._queue.get_nowait()
            lingering = self._linger > 0
        except queue.Empty:
            first = self._queue.get()
            lingering = False
        if not isinstance(first, Job):
            return [], True
        group, events = [first], first.event_count
        deadline = monotonic() + self._linger
        while events < self._max_group_events:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                wait = deadline - monotonic() if lingering and events < LINGER_EVENTS else 0.0
                if wait <= 0:
                    break
                try:
                    item = self._queue.get(timeout=wait)
                except queue.Empty:
                    break
            if not isinstance(item, Job):
                return group, True
            group.append(item)
            events += item.event_count
        return group, False

    def write(self, group: list[Job]) -> None:
        """Write the group now, in this thread, and resolve each job's future: the writer
        threads' work, for a caller that chooses the group itself."""
        replies = self._attempt(group)
        for job, reply in zip(group, replies, strict=True):
            job.future.set_result(reply)

    def _attempt(self, group: list[Job]) -> list[Reply]:
        for attempt in range(1, ATTEMPTS + 1):
            try:
                with self._db.unit() as uow:
                    # A retried request is rare: the first attempt saves a round trip by
                    # not reading the stored keys, and learns of one when storing its own.
                    return write_group(uow, self._lookups, group, look_up_keys=attempt > 1)
            except (KeyTakenMeanwhile, OperationalError) as error:
                # A key stored before, a deadlock or a serialization failure: nothing of
                # this group was committed, so writing it again is safe.
                if not isinstance(error, KeyTakenMeanwhile):
                    log.warning("meter event group retried (attempt %d): %s", attempt, error)
            except Exception:
                log.exception("meter event group of %d requests failed", len(group))
                break
        return self._fail(group)

    def _fail(self, group: list[Job]) -> list[Reply]:
        """Answer every request of a failed group with an internal error, logged on its own
        so the log still has a line for each."""
        error = SeikyuError(
            "An unexpected error occurred; nothing was saved. Retry the request with the "
            "same Idempotency-Key.",
            type=ErrorType.API,
            kind=Kind.INTERNAL,
        )
        failed = [_refused(job, error) for job in group]
        try:
            with self._db.unit() as uow:
                write_group(uow, self._lookups, failed)
        except Exception:
            log.exception("could not log %d failed meter event requests", len(group))
        return [job.respond(error) for job in group]


def _refused(job: Job, error: SeikyuError) -> Job:
    return Job(job.context, job.respond, failed=error)
