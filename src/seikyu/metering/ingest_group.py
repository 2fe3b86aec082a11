"""One group commit: every request waiting for the ingester, written in one transaction.

Order inside the transaction: answer requests whose Idempotency-Key was seen before; tie
each new event to its meter and customer (cached look-ups, batched misses); insert all
events in one statement that skips duplicate identifiers; add what was inserted to the
hourly rollups; run the few small jobs (adjustments, sessions) each in a savepoint; store
responses for idempotency keys and one log line per request. On PostgreSQL the usual
group is instead planned here (`plan_one_statement`) and written by the event loop in one
statement (see loop_writer); what it cannot write comes back to `write_group`.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from seikyu.core.clock import monotonic, to_unix
from seikyu.core.errors import SeikyuError
from seikyu.core.ids import IdGenerator
from seikyu.db.uow import Actor, UnitOfWork
from seikyu.metering import ingest_idempotency as idempotency
from seikyu.metering import ingest_statement
from seikyu.metering.domain import ingest_rules as rules
from seikyu.metering.event_storage import EventRow, store_events
from seikyu.metering.ingest_jobs import AcceptedEvent, Job, Outcome, Reply
from seikyu.metering.ingest_lookups import (
    CustomerFound,
    CustomerKey,
    Lookups,
    MeterChoice,
    MeterKey,
)
from seikyu.metering.ingest_statement import GroupParams


def write_group(
    uow: UnitOfWork,
    lookups: Lookups,
    jobs: list[Job],
    *,
    look_up_keys: bool = True,
) -> list[Reply]:
    """Each job's reply, in order; everything they wrote is in `uow`, not yet committed.
    Without `look_up_keys` a key stored before raises `KeyTakenMeanwhile` at the end."""
    replies: dict[int, Reply] = idempotency.answer_known_keys(
        uow.session, jobs, uow.now, look=look_up_keys
    )
    outcomes, going = _refused_and_going(jobs, replies)
    events = _resolve_events(uow.session, uow.ids, lookups, jobs, _with_events(jobs, going))
    outcomes.update(events.outcomes)
    outcomes.update(_store_events(uow, jobs, events))
    for i in going:
        work = jobs[i].work
        if work is not None:
            outcomes[i] = _run_work(uow, jobs[i], work)
    kept = _answer(jobs, outcomes, replies)
    idempotency.store_responses(
        uow.session, kept, [_log_row(job, replies[i]) for i, job in enumerate(jobs)]
    )
    return [replies[i] for i in range(len(jobs))]


@dataclass(frozen=True, slots=True)
class OneStatement:
    """A group's replies, decided in advance, and the parameters of the one statement
    that writes it (see ingest_statement)."""

    replies: list[Reply]
    params: GroupParams


def plan_one_statement(ids: IdGenerator, lookups: Lookups, jobs: list[Job]) -> OneStatement:
    """The replies of jobs that `fit_one_statement`, on the assumption that every strict
    identifier and every key is new, and the statement that writes them and checks the
    assumption. Meters and customers come from the cache only (`NotCached` when one is
    missing): the group is planned without the database."""
    replies = idempotency.repeated_in_group(jobs)
    outcomes, going = _refused_and_going(jobs, replies)
    events = _resolve_events(None, ids, lookups, jobs, _with_events(jobs, going))
    outcomes.update(events.outcomes)
    kept = _answer(jobs, outcomes, replies)
    rows = list(zip(events.rows, events.owners, strict=True))
    params = ingest_statement.params(
        strict=[row for row, i in rows if jobs[i].strict],
        stream=[row for row, i in rows if not jobs[i].strict],
        keys=idempotency.key_rows(kept),
        logs=[_log_row(job, replies[i]) for i, job in enumerate(jobs)],
    )
    return OneStatement([replies[i] for i in range(len(jobs))], params)


def _refused_and_going(
    jobs: list[Job], replies: dict[int, Reply]
) -> tuple[dict[int, Outcome], list[int]]:
    """The outcomes of the jobs refused at the edge, and the jobs neither refused nor
    answered already (`replies`), which go ahead."""
    outcomes: dict[int, Outcome] = {
        i: job.failed for i, job in enumerate(jobs) if job.failed is not None
    }
    return outcomes, [i for i in range(len(jobs)) if i not in replies and i not in outcomes]


def _with_events(jobs: list[Job], indexes: list[int]) -> list[int]:
    return [i for i in indexes if jobs[i].events]


def _answer(
    jobs: list[Job], outcomes: dict[int, Outcome], replies: dict[int, Reply]
) -> list[tuple[Job, Reply]]:
    """Each outcome's reply, into `replies`; returns those kept for the jobs' keys."""
    kept: list[tuple[Job, Reply]] = []
    for i, outcome in outcomes.items():
        job = jobs[i]
        reply = replies[i] = job.respond(outcome)
        if idempotency.keeps_response(job, outcome if isinstance(outcome, SeikyuError) else None):
            kept.append((job, reply))
    return kept


def fit_one_statement(jobs: list[Job]) -> bool:
    """Whether the group can be written in one statement: events and refusals only, since
    adjustments and sessions run in savepoints of a transaction."""
    return all(job.work is None for job in jobs)


@dataclass(slots=True)
class _Resolved:
    """The outcome of each job with events, and the rows to insert with the job of each."""

    outcomes: dict[int, Outcome] = field(default_factory=dict)
    rows: list[EventRow] = field(default_factory=list)
    owners: list[int] = field(default_factory=list)


def _resolve_events(
    session: Session | None, ids: IdGenerator, lookups: Lookups, jobs: list[Job], indexes: list[int]
) -> _Resolved:
    resolved = _Resolved()
    if not indexes:
        return resolved
    names = {i: {event.event_name for event in jobs[i].events} for i in indexes}
    meters = lookups.meters(
        session, {(*_owner(jobs[i]), name) for i in indexes for name in names[i]}
    )
    wanted: set[CustomerKey] = set()
    for i in indexes:
        account_id, livemode = _owner(jobs[i])
        for event in jobs[i].events:
            meter = meters[(account_id, livemode, event.event_name)].meter
            if meter is not None and event.payload.get(meter.customer_key):
                wanted.add((account_id, livemode, event.payload[meter.customer_key]))
    customers = lookups.customers(session, wanted)
    clocks = lookups.clock_times(
        session, {c.test_clock for c in customers.values() if c.test_clock is not None}
    )

    seen: dict[tuple[str, bool], set[str]] = defaultdict(set)  # identifiers, by owner
    for i in indexes:
        job = jobs[i]
        taken = seen[_owner(job)]
        found = _Found(meters, customers, clocks, to_unix(job.context.received))
        try:
            accepted, fresh = _resolve(ids, job, found, taken)
        except SeikyuError as error:
            resolved.outcomes[i] = error
            continue
        taken.update(row.identifier for row in fresh)
        resolved.rows += fresh
        resolved.owners += [i] * len(fresh)
        resolved.outcomes[i] = accepted
    return resolved


def _store_events(uow: UnitOfWork, jobs: list[Job], events: _Resolved) -> dict[int, Outcome]:
    """Insert the rows; the outcome of each strict job whose event was stored before."""
    rows, owners = events.rows, events.owners
    strict = [row.identifier for row, i in zip(rows, owners, strict=True) if jobs[i].strict]
    inserted = store_events(uow.session, rows, strict)
    refused: dict[int, Outcome] = {}
    for row, owner in zip(rows, owners, strict=True):
        if jobs[owner].strict and (row.account_id, row.livemode, row.identifier) not in inserted:
            # One event a strict request, so nothing of it was stored.
            refused[owner] = rules.duplicate(row.identifier, jobs[owner].events[0].naming)
    return refused


@dataclass(frozen=True, slots=True)
class _Found:
    """What the group's batched look-ups found, and the time a job was received."""

    meters: dict[MeterKey, MeterChoice]
    customers: dict[CustomerKey, CustomerFound]
    clocks: dict[str, int]
    received: int


def _resolve(
    ids: IdGenerator, job: Job, found: _Found, taken: set[str]
) -> tuple[list[AcceptedEvent], list[EventRow]]:
    """The job's events tied to their meters and customers, at their timestamps, and the
    rows to insert (less the duplicates a stream drops), or the first reason one fails.
    `taken`: the identifiers of the same account and mode earlier in the group.

    One loop over a hundred events a request: the look-ups are dicts already filled."""
    account_id, livemode = _owner(job)
    received = found.received
    accepted: list[AcceptedEvent] = []
    rows: list[EventRow] = []
    batch: set[str] = set()  # identifiers earlier in this job
    for event in job.events:
        naming = event.naming
        choice = found.meters[(account_id, livemode, event.event_name)]
        meter = choice.meter
        if meter is None:
            raise rules.no_active_meter(event.event_name, naming, inactive=choice.inactive_exists)
        customer_id = rules.customer_of(event.payload, meter.customer_key, naming)
        value = rules.value_of(event.payload, meter.value_key, naming)
        customer = found.customers.get((account_id, livemode, customer_id))
        if customer is None:
            raise rules.unknown_customer(customer_id, meter.customer_key, naming)
        # A test clock's customer lives at the clock's time, as on Stripe.
        clock = customer.test_clock
        now = received if clock is None else found.clocks.get(clock, received)
        timestamp = rules.within_window(
            now if event.timestamp is None else event.timestamp, now, naming
        )
        identifier = event.identifier or ids.new("mtrevt")
        if job.strict:
            # Its response shows the event; a stream's shows nothing.
            accepted.append(
                AcceptedEvent(event.event_name, event.payload, identifier, timestamp, now)
            )
        if identifier in batch or identifier in taken:
            if job.strict:
                raise rules.duplicate(identifier, job.events[0].naming)
            continue  # the stream's duplicates are dropped, as Stripe does
        batch.add(identifier)
        rows.append(
            EventRow(
                account_id,
                livemode,
                meter.id,
                customer_id,
                identifier,
                timestamp,
                value,
                received,
            )
        )
    return accepted, rows


def _run_work(uow: UnitOfWork, job: Job, work: Any) -> Outcome:
    ctx = job.context
    assert ctx.account_id is not None
    unit = dataclasses.replace(
        uow,
        actor=Actor(ctx.account_id, ctx.livemode, ctx.request_id, ctx.idempotency_key),
        now=ctx.received,
        pending_events=[],
    )
    try:
        with uow.session.begin_nested():
            result: dict[str, Any] = work(unit)
    except SeikyuError as error:
        return error
    return result


def _owner(job: Job) -> tuple[str, bool]:
    assert job.context.account_id is not None
    return job.context.account_id, job.context.livemode


def _log_row(job: Job, reply: Reply) -> dict[str, Any]:
    ctx = job.context
    error = reply.error
    return {
        "id": ctx.request_id,
        "account_id": ctx.account_id,
        "livemode": ctx.livemode,
        "created": ctx.received,
        "method": ctx.method,
        "path": ctx.path,
        "status": reply.status,
        "duration_us": int((monotonic() - ctx.started) * 1_000_000),
        "api_key_id": ctx.api_key_id,
        "idempotency_key": ctx.idempotency_key,
        "object_id": reply.object_id,
        "error": error,
        "error_type": error.get("type") if isinstance(error, dict) else None,
        "stripe_version": ctx.log_fields.get("stripe_version"),
        "source_ip": ctx.log_fields.get("source_ip"),
        "user_agent": ctx.log_fields.get("user_agent"),
        "params": ctx.log_fields.get("params", {}),
    }
