"""What a batch of newly stored events adds to each hourly rollup, summed in memory so
that a batch of thousands of events touches each (meter, customer, hour) row once."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from seikyu.metering.domain.aggregation import hour_floor


@dataclass(slots=True)
class RollupDelta:
    meter_id: str
    customer_id: str
    bucket: int
    total: int
    count: int
    peak: int
    last: int
    last_timestamp: int
    last_seq: int


class StoredEvent(NamedTuple):  # immutable and cheap to build, one per event stored
    meter_id: str
    customer_id: str
    timestamp: int
    value: int
    seq: int


def rollup_deltas(events: Iterable[StoredEvent]) -> list[RollupDelta]:
    """One delta per (meter, customer, hour), in key order: writers that lock rollup rows
    in the same order cannot deadlock each other."""
    by_key: dict[tuple[str, str, int], RollupDelta] = {}
    for event in events:
        key = (event.meter_id, event.customer_id, hour_floor(event.timestamp))
        delta = by_key.get(key)
        if delta is None:
            by_key[key] = RollupDelta(
                *key, event.value, 1, event.value, event.value, event.timestamp, event.seq
            )
            continue
        delta.total += event.value
        delta.count += 1
        delta.peak = max(delta.peak, event.value)
        if (event.timestamp, event.seq) > (delta.last_timestamp, delta.last_seq):
            delta.last, delta.last_timestamp, delta.last_seq = (
                event.value,
                event.timestamp,
                event.seq,
            )
    return [by_key[key] for key in sorted(by_key)]
