"""Meters by event name and customers by id, remembered for a few seconds per process.

A stream of events names the same few meters and customers over and over; looking each
up once per event would cost more than storing the event. Misses are fetched in one query
per account for the whole group. Only finds are remembered, so a meter or customer
created a moment ago is seen at once; a meter deactivated (or a customer deleted) keeps
receiving events for at most `ttl` seconds. Test clocks' times are never cached: an
advance must apply to the very next event.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy.orm import Session

from seikyu.core.clock import monotonic
from seikyu.metering import ingest_repository as repo
from seikyu.metering.ingest_repository import MeterRow

TTL_SECONDS = 5.0
MAX_ENTRIES = 100_000

K = TypeVar("K")
V = TypeVar("V")

MeterKey = tuple[str, bool, str]  # account, livemode, event_name
CustomerKey = tuple[str, bool, str]  # account, livemode, customer id


class TtlCache(Generic[K, V]):
    def __init__(self, ttl: float) -> None:
        self._ttl = ttl
        self._entries: dict[K, tuple[float, V]] = {}
        self._lock = threading.Lock()

    def get(self, key: K) -> tuple[bool, V | None]:
        entry = self._entries.get(key)
        if entry is None or entry[0] < monotonic():
            return False, None
        return True, entry[1]

    def put(self, key: K, value: V) -> None:
        with self._lock:
            if len(self._entries) >= MAX_ENTRIES:
                self._entries.clear()
            self._entries[key] = (monotonic() + self._ttl, value)


@dataclass(frozen=True, slots=True)
class MeterChoice:
    """The active meter for an event name, or None with whether an inactive one exists."""

    meter: MeterRow | None
    inactive_exists: bool = False


@dataclass(frozen=True, slots=True)
class CustomerFound:
    test_clock: str | None


class NotCached(Exception):
    """A look-up without a session missed the cache: the group needs the database."""


class Lookups:
    def __init__(self, ttl: float = TTL_SECONDS) -> None:
        self._meters: TtlCache[MeterKey, MeterChoice] = TtlCache(ttl)
        self._customers: TtlCache[CustomerKey, CustomerFound] = TtlCache(ttl)

    def meters(
        self, session: Session | None, keys: Iterable[MeterKey]
    ) -> dict[MeterKey, MeterChoice]:
        """The meter each key's event name routes to; without a session, from the cache
        only (`NotCached` on a miss)."""
        found: dict[MeterKey, MeterChoice] = {}
        missing: dict[tuple[str, bool], set[str]] = defaultdict(set)
        for key in set(keys):
            hit, choice = self._meters.get(key)
            if hit and choice is not None:
                found[key] = choice
            else:
                missing[key[:2]].add(key[2])
        if missing and session is None:
            raise NotCached
        for (account_id, livemode), names in missing.items():
            assert session is not None
            rows = repo.meters_named(session, account_id, livemode, names)
            for name in names:
                named = [row for row in rows if row.event_name == name]
                active = next((row for row in named if row.active), None)
                choice = MeterChoice(active, inactive_exists=bool(named))
                found[(account_id, livemode, name)] = choice
                if active is not None:
                    self._meters.put((account_id, livemode, name), choice)
        return found

    def customers(
        self, session: Session | None, keys: Iterable[CustomerKey]
    ) -> dict[CustomerKey, CustomerFound]:
        """The customers among `keys` that exist; an unknown one is absent from the answer.
        Without a session, from the cache only (`NotCached` on a miss)."""
        found: dict[CustomerKey, CustomerFound] = {}
        missing: dict[tuple[str, bool], set[str]] = defaultdict(set)
        for key in set(keys):
            hit, customer = self._customers.get(key)
            if hit and customer is not None:
                found[key] = customer
            else:
                missing[key[:2]].add(key[2])
        if missing and session is None:
            raise NotCached
        for (account_id, livemode), ids in missing.items():
            assert session is not None
            for customer_id, clock in repo.live_customers(
                session, account_id, livemode, ids
            ).items():
                key = (account_id, livemode, customer_id)
                found[key] = CustomerFound(clock)
                self._customers.put(key, found[key])
        return found

    @staticmethod
    def clock_times(session: Session | None, clock_ids: set[str]) -> dict[str, int]:
        """Never cached: an advance must apply to the very next event."""
        if not clock_ids:
            return {}
        if session is None:
            raise NotCached
        return repo.clock_times(session, clock_ids)
