"""Billing period arithmetic: cycle boundaries aligned to a `billing_cycle_anchor`.

Boundary n of a cycle is always computed from the anchor itself (anchor + n intervals), never
by stepping from the previous boundary. For month and year intervals the day is the anchor's
day clamped to the month's length, so a cycle anchored on the 31st bills on Feb 29 and then
returns to Mar 31 (Stripe's month-end rule). Days are 86400 s and weeks 7 days: all arithmetic
is in UTC, which has no daylight saving time.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

_SECOND = timedelta(seconds=1)


class Unit(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"


_FIXED_LENGTH = {Unit.DAY: timedelta(days=1), Unit.WEEK: timedelta(weeks=1)}
_MONTHS_PER_UNIT = {Unit.MONTH: 1, Unit.YEAR: 12}


@dataclass(frozen=True, slots=True)
class Interval:
    """A recurring interval such as "every 3 months" (`recurring.interval` and
    `recurring.interval_count`)."""

    unit: Unit
    count: int = 1

    def __post_init__(self) -> None:
        if self.count < 1:
            raise ValueError(f"interval count must be at least 1, got {self.count}")


@dataclass(frozen=True, slots=True)
class Period:
    """The half-open span [start, end) of aware instants."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        _require_aware(self.start, "period start")
        _require_aware(self.end, "period end")
        if self.start >= self.end:
            raise ValueError(f"period start {self.start} must be before its end {self.end}")

    @property
    def seconds(self) -> int:
        """The length in whole seconds (exact for instants on whole seconds, as on the wire)."""
        return (self.end - self.start) // _SECOND

    def contains(self, at: datetime) -> bool:
        """Whether `at` lies in [start, end): a boundary belongs to the period it starts."""
        return self.start <= _utc(at, "at") < self.end


def add_months(at: datetime, months: int, *, day: int | None = None) -> datetime:
    """`at` moved by `months` calendar months (may be negative) onto day `day` (default
    `at.day`), clamped to the target month's length; the time of day is kept. UTC result."""
    at = _utc(at, "at")
    if day is None:
        day = at.day
    elif not 1 <= day <= 31:
        raise ValueError(f"day must be between 1 and 31, got {day}")
    year, month = _shift_month(at.year, at.month, months)
    return at.replace(year=year, month=month, day=_clamp_day(year, month, day))


def boundary(anchor: datetime, interval: Interval, n: int) -> datetime:
    """The n-th period boundary of the cycle anchored at `anchor` (n may be negative; n=0 is
    the anchor). Month and year boundaries fall on the anchor's day, clamped to short months,
    at the anchor's time of day."""
    return _boundary(_utc(anchor, "anchor"), interval, n)


def period_containing(anchor: datetime, interval: Interval, at: datetime) -> Period:
    """The cycle period [boundary(n), boundary(n+1)) that contains `at`, whether `at` is
    before or after the anchor."""
    anchor = _utc(anchor, "anchor")
    n = _index_containing(anchor, interval, _utc(at, "at"))
    return Period(_boundary(anchor, interval, n), _boundary(anchor, interval, n + 1))


def periods_from(anchor: datetime, interval: Interval, start: datetime) -> Iterator[Period]:
    """An endless iterator of consecutive cycle periods, beginning with the one that contains
    `start`. Each period's end is the next one's start."""
    anchor = _utc(anchor, "anchor")
    # Validated here rather than inside the generator so bad input fails at the call site.
    first = _index_containing(anchor, interval, _utc(start, "start"))
    return _periods(anchor, interval, first)


@dataclass(frozen=True, slots=True)
class AnchorConfig:
    """Stripe's `billing_cycle_anchor_config`: a day of month (and for yearly intervals a
    month) and a UTC time of day; a time field left as None is taken from the start time."""

    day_of_month: int
    month: int | None = None
    hour: int | None = None
    minute: int | None = None
    second: int | None = None

    def __post_init__(self) -> None:
        _require_range("day_of_month", self.day_of_month, 1, 31)
        _require_range("month", self.month, 1, 12)
        _require_range("hour", self.hour, 0, 23)
        _require_range("minute", self.minute, 0, 59)
        _require_range("second", self.second, 0, 59)


def anchor_from_config(start: datetime, interval: Interval, config: AnchorConfig) -> datetime:
    """The first instant >= `start` whose day (clamped to the month's length), time of day
    and, for yearly intervals, month match `config`. Only month and year intervals accept a
    config; `config.month` is ignored for monthly intervals."""
    start = _utc(start, "start")
    if interval.unit not in _MONTHS_PER_UNIT:
        raise ValueError(
            f"billing_cycle_anchor_config needs a month or year interval, not {interval.unit}"
        )
    time_of_day = start.replace(
        hour=start.hour if config.hour is None else config.hour,
        minute=start.minute if config.minute is None else config.minute,
        second=start.second if config.second is None else config.second,
        # Sub-second precision follows the seconds: kept when they come from the start,
        # so that a config matching the start exactly yields the start itself.
        microsecond=start.microsecond if config.second is None else 0,
    )
    yearly_month = config.month if interval.unit is Unit.YEAR else None
    # The next candidate (next month, or next year for a fixed month) is always after start.
    for step in (0, 1):
        if yearly_month is None:
            year, month = _shift_month(start.year, start.month, step)
        else:
            year, month = start.year + step, yearly_month
        candidate = time_of_day.replace(
            year=year, month=month, day=_clamp_day(year, month, config.day_of_month)
        )
        if candidate >= start:
            return candidate
    raise AssertionError("unreachable: the second candidate is always after start")


@dataclass(frozen=True, slots=True)
class FirstPeriod:
    """A subscription's first period and the whole cycle period it is a part of."""

    period: Period
    full_period: Period

    @property
    def is_shortened(self) -> bool:
        """Whether the first period is a stub shorter than its cycle period."""
        return self.period.start > self.full_period.start


def first_period(start: datetime, anchor: datetime, interval: Interval) -> FirstPeriod:
    """The subscription's first period. With the anchor at the start it is the full period
    [start, boundary 1). With a later anchor it is the stub [start, anchor), and
    `full_period` is the cycle period [boundary -1, anchor) that the stub is prorated
    against. The anchor may be neither before the start nor later than one interval after it
    (Stripe requires the anchor before the next natural billing date)."""
    start = _utc(start, "start")
    anchor = _utc(anchor, "anchor")
    if anchor < start:
        raise ValueError(f"billing_cycle_anchor {anchor} is before the start {start}")
    natural_end = _boundary(start, interval, 1)
    if anchor > natural_end:
        raise ValueError(
            f"billing_cycle_anchor {anchor} is later than one interval after the start "
            f"({natural_end})"
        )
    if anchor == start:
        full = Period(start, natural_end)
        return FirstPeriod(period=full, full_period=full)
    return FirstPeriod(
        period=Period(start, anchor),
        full_period=Period(_boundary(anchor, interval, -1), anchor),
    )


def _periods(anchor: datetime, interval: Interval, first: int) -> Iterator[Period]:
    n = first
    begin = _boundary(anchor, interval, n)
    while True:
        n += 1
        end = _boundary(anchor, interval, n)
        yield Period(begin, end)
        begin = end


def _boundary(anchor: datetime, interval: Interval, n: int) -> datetime:
    steps = n * interval.count
    fixed = _FIXED_LENGTH.get(interval.unit)
    try:
        if fixed is not None:
            return anchor + fixed * steps
        return add_months(anchor, steps * _MONTHS_PER_UNIT[interval.unit])
    except OverflowError as error:
        raise ValueError(f"boundary {n} of {interval} lies outside the supported dates") from error


def _index_containing(anchor: datetime, interval: Interval, at: datetime) -> int:
    fixed = _FIXED_LENGTH.get(interval.unit)
    if fixed is not None:
        # Fixed-length units divide exactly: no adjustment is needed.
        return (at - anchor) // (fixed * interval.count)
    months_per_step = _MONTHS_PER_UNIT[interval.unit] * interval.count
    months_apart = (at.year - anchor.year) * 12 + (at.month - anchor.month)
    # The estimate is off by at most one: at's month may hold a boundary later than at.
    n = months_apart // months_per_step
    while _boundary(anchor, interval, n) > at:
        n -= 1
    while _boundary(anchor, interval, n + 1) <= at:
        n += 1
    return n


def _shift_month(year: int, month: int, months: int) -> tuple[int, int]:
    year_shift, month_index = divmod(month - 1 + months, 12)
    return year + year_shift, month_index + 1


def _clamp_day(year: int, month: int, day: int) -> int:
    if not 1 <= year <= 9999:
        raise ValueError(f"year {year} lies outside the supported dates")
    return min(day, calendar.monthrange(year, month)[1])


def _require_range(name: str, value: int | None, low: int, high: int) -> None:
    if value is not None and not low <= value <= high:
        raise ValueError(f"{name} must be between {low} and {high}, got {value}")


def _require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime, got naive {value}")


def _utc(value: datetime, name: str) -> datetime:
    _require_aware(value, name)
    return value.astimezone(UTC)
