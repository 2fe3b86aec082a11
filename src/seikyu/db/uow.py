"""The unit of work: one transaction per request or job, with its events.

Services receive a `UnitOfWork`, read and write through repositories on its session, and
record events on it. They never commit: the caller that opened the unit does, once, so a
request either happens whole, events included, or not at all.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from seikyu.core.clock import Clock, SystemClock
from seikyu.core.ids import IdGenerator
from seikyu.db.engine import READONLY, is_sqlite, make_engine
from seikyu.db.kept_rows import keep_loaded_rows

Renderer = Callable[[Any], dict[str, Any]]


@dataclass(frozen=True)
class Actor:
    """On whose behalf the unit runs, and which request (if any) caused it."""

    account_id: str
    livemode: bool = False
    request_id: str | None = None
    idempotency_key: str | None = None


@dataclass
class PendingEvent:
    type: str
    entity: Any
    snapshot: dict[str, Any] | None  # rendered already (deletions), else rendered at flush
    before: dict[str, Any] | None  # rendering before an update, for previous_attributes


EventSink = Callable[["UnitOfWork", list["PendingEvent"]], None]
# Work one context does, in the same transaction, when another emits an event: a payment
# that succeeds pays the invoice it was for, without payments knowing about invoices.
Reaction = Callable[["UnitOfWork", Any], None]
Autonomous = Callable[[], AbstractContextManager[Session]]


@dataclass
class UnitOfWork:
    session: Session
    now: datetime
    ids: IdGenerator
    render: Renderer
    actor: Actor | None = None
    pending_events: list[PendingEvent] = field(default_factory=list)
    # A transaction of its own that commits at once, whatever becomes of this unit (see
    # Database.autonomous); None where the database cannot give one (SQLite).
    autonomous: Autonomous | None = None
    # The Database's clock. `now` may be a test clock's simulated time; work that real
    # processes do later (webhook deliveries) is scheduled on this one.
    wall_clock: Clock = field(default_factory=SystemClock)

    def real_now(self) -> datetime:
        """The real current time, whatever time the unit runs at."""
        return self.wall_clock.now()

    def new_id(self, prefix: str) -> str:
        return self.ids.new(prefix)

    @property
    def account_id(self) -> str:
        if self.actor is None:
            raise RuntimeError("unit of work has no actor")
        return self.actor.account_id

    @property
    def livemode(self) -> bool:
        return self.actor.livemode if self.actor else False

    def emit(self, event_type: str, entity: Any) -> None:
        """Record an event whose object is rendered as it stands when the unit commits."""
        self.pending_events.append(PendingEvent(event_type, entity, None, None))

    def emit_now(self, event_type: str, entity: Any) -> None:
        """Record an event with the object as it is now (for objects about to be deleted)."""
        self.pending_events.append(PendingEvent(event_type, entity, self.render(entity), None))

    def before_update(self, event_type: str, entity: Any) -> None:
        """Call before changing `entity`: the event gets the changed fields' old values."""
        for pending in self.pending_events:
            if pending.entity is entity and pending.type == event_type:
                return  # the first rendering is the one that counts
        self.pending_events.append(PendingEvent(event_type, entity, None, self.render(entity)))


class Database:
    """Owns the engine and opens units of work. Built by the composition roots only."""

    def __init__(
        self,
        url: str,
        *,
        clock: Clock | None = None,
        render: Renderer | None = None,
        event_sink: EventSink | None = None,
        pool_size: int = 10,
    ) -> None:
        self.url = url
        self.engine: Engine = make_engine(url, pool_size=pool_size)
        self.clock = clock or SystemClock()
        self.ids = IdGenerator(self.clock)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False, autoflush=True)
        self._read_sessions = sessionmaker(
            self.engine.execution_options(**{READONLY: True}),
            expire_on_commit=False,
            autoflush=True,
        )
        keep_loaded_rows(self._sessions)
        keep_loaded_rows(self._read_sessions)
        self._render: Renderer = render or _no_renderer
        self._event_sink = event_sink
        self._reactions: dict[str, list[Reaction]] = {}
        # SQLite takes one writer at a time; queueing here is cheaper than its busy loop.
        self._write_lock = threading.Lock() if is_sqlite(url) else None
        # Engines connect on first use, so a database that never journals opens nothing.
        self._autonomous_engine = None if self.is_sqlite else make_engine(url, pool_size=2)
        self._autonomous_sessions = (
            None
            if self._autonomous_engine is None
            else sessionmaker(self._autonomous_engine, expire_on_commit=False)
        )

    def configure(
        self,
        *,
        render: Renderer,
        event_sink: EventSink,
        reactions: dict[str, list[Reaction]] | None = None,
    ) -> None:
        self._render = render
        self._event_sink = event_sink
        self._reactions = reactions or {}

    @property
    def is_sqlite(self) -> bool:
        return self._write_lock is not None

    @contextmanager
    def unit(
        self, actor: Actor | None = None, *, now: datetime | None = None, readonly: bool = False
    ) -> Iterator[UnitOfWork]:
        """A transaction: committed if the block returns, rolled back if it raises.

        A `readonly` unit does not queue behind writers; on SQLite it must not write.
        """
        lock = None if readonly else self._write_lock
        if lock is not None:
            lock.acquire()
        try:
            sessions = self._read_sessions if readonly else self._sessions
            with sessions() as session:
                uow = UnitOfWork(
                    session=session,
                    now=now or self.clock.now(),
                    ids=self.ids,
                    render=self._render,
                    actor=actor,
                    autonomous=None if self.is_sqlite else self.autonomous,
                    wall_clock=self.clock,
                )
                with session.begin():
                    yield uow
                    self.flush_events(uow)
        finally:
            if lock is not None:
                lock.release()

    @contextmanager
    def autonomous(self) -> Iterator[Session]:
        """A short transaction on a connection of its own, committed when the block ends.

        For records that must survive the unit that writes them being rolled back or its
        process dying: the processor call journal. Its pool is separate, so a unit waiting
        for one never starves units holding the main pool's connections. Not on SQLite,
        where an open unit holds the database's only write lock.
        """
        if self._autonomous_sessions is None:
            raise RuntimeError("SQLite has no autonomous transactions while a unit is open")
        with self._autonomous_sessions() as session, session.begin():
            yield session

    def flush_events(self, uow: UnitOfWork) -> None:
        self._react(uow)
        if uow.pending_events and self._event_sink is not None:
            uow.session.flush()
            pending, uow.pending_events = uow.pending_events, []
            self._event_sink(uow, pending)

    def _react(self, uow: UnitOfWork) -> None:
        """Run the reactions to the unit's events, and to the events those emit in turn.
        Reactions check state before acting, so running twice for one object is harmless."""
        done = 0
        while done < len(uow.pending_events):
            pending = uow.pending_events[done]
            done += 1
            for reaction in self._reactions.get(pending.type, ()):
                reaction(uow, pending.entity)

    def dispose(self) -> None:
        self.engine.dispose()
        if self._autonomous_engine is not None:
            self._autonomous_engine.dispose()


def _no_renderer(entity: Any) -> dict[str, Any]:
    raise RuntimeError(f"no renderer configured for {type(entity).__name__}")
