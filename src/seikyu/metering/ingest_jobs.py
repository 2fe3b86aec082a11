"""What an ingestion request hands the ingester, and what it gets back.

The API builds a job from a request it has already parsed and checked; the ingester
decides its outcome inside a group transaction and asks the job's `respond` to turn that
outcome into the response that is stored for its Idempotency-Key and logged with it.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from seikyu.core.errors import SeikyuError
from seikyu.db.uow import UnitOfWork
from seikyu.metering.domain.ingest_rules import ReportedEvent


@dataclass(frozen=True, slots=True)
class AcceptedEvent:
    """An event as stored (or, for a dropped duplicate in a stream, as it would have been)."""

    event_name: str
    payload: dict[str, str]
    identifier: str
    timestamp: int
    created: int


@dataclass(slots=True)
class RequestContext:
    """Who sent the request and what the request log and idempotency record need of it.
    Filled in as the request is checked (caller, key), then left alone once its job is
    handed to a writer."""

    request_id: str
    account_id: str | None
    livemode: bool
    api_key_id: str | None
    method: str
    path: str
    received: datetime  # the database clock's real time when the request arrived
    started: float  # monotonic, for the logged duration
    idempotency_key: str | None = None
    fingerprint: str | None = None
    log_fields: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes
    error: dict[str, Any] | None = None
    object_id: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


# The outcome of a job: the accepted events (none for a stream), whatever its `work`
# returned, or the error.
Outcome = list[AcceptedEvent] | dict[str, Any] | SeikyuError
Respond = Callable[[Outcome], Reply]
Work = Callable[[UnitOfWork], dict[str, Any]]


@dataclass
class Job:
    context: RequestContext
    respond: Respond
    events: list[ReportedEvent] = field(default_factory=list)
    # A duplicate identifier fails the request (v1, v2 single event); in a stream, which
    # Stripe processes asynchronously, it is dropped without a word, and the outcome lists
    # no events: the stream's response shows none.
    strict: bool = True
    work: Work | None = None  # adjustments and sessions: a few rows, in a savepoint
    failed: SeikyuError | None = None  # refused at the edge: only its log line is written
    future: Future[Reply] = field(default_factory=Future)

    @property
    def event_count(self) -> int:
        return len(self.events) or 1
