"""Aggregating meter event values: a formula over a period's events, built from partial
aggregates (hourly rollups, raw edge ranges) that merge in any order."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

HOUR = 3600
DAY = 86400


class Formula(StrEnum):
    SUM = "sum"
    COUNT = "count"
    LAST = "last"
    MAX = "max"  # a Seikyu extension: the peak value reported in the period


@dataclass(frozen=True, slots=True)
class Usage:
    """A partial aggregate of some events. `last_at` orders events by (timestamp, seq):
    of two events with the same timestamp the one received later is the last."""

    total: int = 0
    count: int = 0
    peak: int | None = None
    last: int | None = None
    last_at: tuple[int, int] | None = None

    def merge(self, other: Usage) -> Usage:
        if other.count == 0:
            return self
        if self.count == 0:
            return other
        later = self.last_at is None or (other.last_at is not None and other.last_at > self.last_at)
        return Usage(
            total=self.total + other.total,
            count=self.count + other.count,
            peak=_greater(self.peak, other.peak),
            last=other.last if later else self.last,
            last_at=other.last_at if later else self.last_at,
        )

    def value(self, formula: Formula) -> int:
        """The aggregate the formula gives; a period with no events aggregates to 0."""
        if formula is Formula.SUM:
            return self.total
        if formula is Formula.COUNT:
            return self.count
        if formula is Formula.LAST:
            return self.last or 0
        return self.peak or 0


def merge_all(parts: list[Usage]) -> Usage:
    result = Usage()
    for part in parts:
        result = result.merge(part)
    return result


def billable(aggregate: int) -> int:
    """Stripe bills a period whose usage nets out negative as zero."""
    return max(aggregate, 0)


def hour_floor(ts: int) -> int:
    return ts - ts % HOUR


def hour_ceil(ts: int) -> int:
    return -(-ts // HOUR) * HOUR


@dataclass(frozen=True, slots=True)
class Split:
    """A span [start, end) as whole rollup hours plus the raw partial hours at its edges."""

    buckets: tuple[int, int] | None  # [first, last) hour starts, read from rollups
    edges: tuple[tuple[int, int], ...]  # raw [start, end) ranges, at most two


def split(start: int, end: int) -> Split:
    if end <= start:
        return Split(None, ())
    first, last = hour_ceil(start), hour_floor(end)
    if first >= last:
        return Split(None, ((start, end),))
    edges = tuple(r for r in ((start, first), (last, end)) if r[0] < r[1])
    return Split((first, last), edges)


def _greater(a: int | None, b: int | None) -> int | None:
    if a is None:
        return b
    if b is None:
        return a
    return max(a, b)
